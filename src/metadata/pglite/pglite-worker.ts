/**
 * Worker thread of embedded PGlite. PGlite runs Postgres in WebAssembly and executes each
 * statement synchronously, so on the service's thread a large statement (an archive page, an
 * artifact rewrite) held the event loop and every request in flight waited for it. Here it
 * uses the other core and requests only wait for their own statements.
 *
 * Requests (answered through serveRequests):
 *   { op: 'open', dataDir?, sharedBuffersMb, threadNice }
 *                                       PGlite on dataDir (in memory without one) → { created }:
 *                                       whether this open ran initdb (a new directory)
 *   { op: 'query', sql, params?, tx? }  → { rows }; inside transaction `tx` when given
 *   { op: 'exec', sql, tx }             a script of several statements in transaction `tx`
 *   { op: 'begin' }                     → { tx }: holds a transaction open for the caller
 *   { op: 'end', tx, commit }           commits (or rolls back) it; fails if the commit fails
 *   { op: 'close' }
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { lowerThreadPriority } from '../../thread-priority.js';
import { serveRequests } from '../../worker-rpc.js';

type Request =
  | { op: 'open'; dataDir?: string; sharedBuffersMb: number; threadNice: number }
  | { op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { op: 'exec'; sql: string; tx: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' };

interface OpenTransaction {
  tx: Transaction;
  /** Ends the transaction's callback: true commits, false rolls back. */
  finish: (commit: boolean) => void;
  settled: Promise<void>;
}

/**
 * PGlite's postgresql.conf, which PGlite writes at every open. Its default shared_buffers of
 * 128 MB lives in the WebAssembly heap and becomes resident as pages are cached: ~290 MB for the
 * thread, ~176 MB with 16 MB of buffers (PGLITE_SHARED_BUFFERS_MB). Tasks, audit rows and
 * artifacts are read by index, a few pages a call, and the OS page cache still holds the files.
 */
const postgresqlConf = (sharedBuffersMb: number) => `shared_buffers = ${sharedBuffersMb}MB\n`;

/** Thrown inside PGlite's transaction callback to roll it back. */
const ROLLBACK = new Error('rolled back by the caller');

/** The database this thread owns and the transactions its caller holds open. */
class PGliteHost {
  private db: PGlite | undefined;
  private readonly transactions = new Map<number, OpenTransaction>();
  private nextTx = 1;

  async handle(r: Request): Promise<unknown> {
    switch (r.op) {
      case 'open': {
        // Most of this thread's CPU goes to background writes (archive pages, audit shipping,
        // artifact rewrites); requests that wait on it lose only while the CPU is contended.
        lowerThreadPriority(r.threadNice);
        const created = !r.dataDir || !existsSync(join(r.dataDir, 'PG_VERSION'));
        const postgresqlconf = postgresqlConf(r.sharedBuffersMb);
        this.db = r.dataDir ? await PGlite.create(r.dataDir, { postgresqlconf }) : await PGlite.create({ postgresqlconf });
        return { created };
      }
      case 'query': {
        const q = r.tx === undefined ? this.open() : this.transaction(r.tx).tx;
        return { rows: (await q.query(r.sql, r.params)).rows };
      }
      case 'exec':
        await this.transaction(r.tx).tx.exec(r.sql);
        return {};
      case 'begin':
        return this.begin();
      case 'end':
        await this.end(r.tx, r.commit);
        return {};
      case 'close':
        await this.db?.close();
        this.db = undefined;
        return {};
    }
  }

  private open(): PGlite {
    if (!this.db) throw new Error('the embedded metadata database is not open');
    return this.db;
  }

  private transaction(id: number): OpenTransaction {
    const t = this.transactions.get(id);
    if (!t) throw new Error(`no open transaction ${id}`);
    return t;
  }

  private begin(): Promise<{ tx: number }> {
    const id = this.nextTx++;
    return new Promise((resolve, reject) => {
      let began = false;
      const settled = this.open()
        .transaction(async (tx) => {
          const commit = await new Promise<boolean>((finish) => {
            this.transactions.set(id, { tx, finish, settled });
            began = true;
            resolve({ tx: id });
          });
          if (!commit) throw ROLLBACK;
        })
        .then(() => undefined);
      // A transaction that could not begin fails the begin request; one that ended is reported by `end`.
      settled.catch((err: unknown) => {
        if (!began) reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  private async end(id: number, commit: boolean): Promise<void> {
    const t = this.transaction(id);
    this.transactions.delete(id);
    t.finish(commit);
    try {
      await t.settled;
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
  }
}

const host = new PGliteHost();
serveRequests((r: Request) => host.handle(r));
