/**
 * Embedded Postgres (PGlite, WebAssembly) as the SQL executor: the default without DATABASE_URL.
 * PGlite runs in its own worker thread (pglite-worker.ts): its statements execute synchronously,
 * and on the service's thread a large one was a pause for every request in flight.
 */
import { mkdir } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { CONFIG_SPEC } from '../../config.js';
import { DirectoryLock } from '../../directory-lock.js';
import { UnavailableError } from '../../errors.js';
import { startModuleWorker } from '../../worker-thread.js';
import { WorkerClient } from '../../worker-rpc.js';
import type { SqlExecutor, SqlTx } from '../sql-metadata-store.js';

export interface PGliteOptions {
  /** Sees each worker thread as it starts (tests stop one to see the executor recover). */
  onWorker?: (worker: Worker) => void;
  /** shared_buffers in MB (PGLITE_SHARED_BUFFERS_MB; its default unless given). */
  sharedBuffersMb?: number;
  /** The thread's nice value (PGLITE_THREAD_NICE; its default unless given). */
  threadNice?: number;
}

/**
 * Opens PGlite on `dataDir` (in memory without one). Two processes on one PGlite directory
 * corrupt it, so the directory is locked while open; the lock file sits beside the directory
 * (`<dataDir>.lock`), since Postgres owns what is inside.
 *
 * If the worker dies (a WebAssembly abort, say), the calls in flight fail with UNAVAILABLE and
 * the next call starts a new worker, which reopens the directory (Postgres recovers it from its
 * WAL). An in-memory database cannot come back, so without `dataDir` the executor stays failed.
 */
export async function openPGlite(dataDir: string | undefined, o: PGliteOptions = {}): Promise<SqlExecutor> {
  let lock: DirectoryLock | undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    lock = DirectoryLock.acquire(`${dataDir}.lock`, 'memory-engine embedded metadata database (PGlite)');
  }
  const start = async (afterInitdb = false): Promise<WorkerClient> => {
    const thread = startModuleWorker('pglite-worker', import.meta.url);
    o.onWorker?.(thread);
    const client = new WorkerClient({
      worker: thread,
      stopped: (why) => new UnavailableError(`embedded metadata database: its worker thread ${why}`),
    });
    try {
      const { created } = await client.call<{ created: boolean }>({
        op: 'open',
        sharedBuffersMb: o.sharedBuffersMb ?? CONFIG_SPEC.pgliteSharedBuffersMb.default,
        threadNice: o.threadNice ?? CONFIG_SPEC.pgliteThreadNice.default,
        ...(dataDir ? { dataDir } : {}),
      });
      if (!created || !dataDir || afterInitdb) return client;
      // initdb leaves the thread's WebAssembly heaps at ~750 MB resident, and they stay: a new
      // thread on the now-initialised directory needs ~180 MB. Costs one more start, once.
      await client.call({ op: 'close' });
    } catch (err) {
      await client.terminate();
      throw err;
    }
    await client.terminate();
    return start(true);
  };
  let current: WorkerClient;
  try {
    current = await start();
  } catch (err) {
    lock?.release();
    throw err;
  }
  let closed = false;
  let restarting: Promise<WorkerClient> | undefined;
  const worker = (): Promise<WorkerClient> => {
    if (current.alive || !dataDir || closed) return Promise.resolve(current);
    // The worker died: one new one for every caller that notices (and another try if it fails to open).
    restarting ??= start()
      .then((c) => (current = c))
      .finally(() => (restarting = undefined));
    return restarting;
  };
  const call = async <T>(request: object): Promise<T> => (await worker()).call<T>(request);
  return {
    query: <R>(sql: string, params?: unknown[]) => call<{ rows: R[] }>({ op: 'query', sql, params }),
    transaction: async <T>(fn: (tx: SqlTx) => Promise<T>) => {
      // Every statement of the transaction goes to the worker that began it: if that one dies, they fail.
      const client = await worker();
      const { tx } = await client.call<{ tx: number }>({ op: 'begin' });
      let result: T;
      try {
        result = await fn({
          query: <R>(sql: string, params?: unknown[]) => client.call<{ rows: R[] }>({ op: 'query', sql, params, tx }),
          exec: async (sql: string) => {
            await client.call({ op: 'exec', sql, tx });
          },
        });
      } catch (err) {
        await client.call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw err;
      }
      await client.call({ op: 'end', tx, commit: true });
      return result;
    },
    close: async () => {
      closed = true;
      try {
        await restarting?.catch(() => undefined);
        if (current.alive) await current.call({ op: 'close' });
        await current.terminate();
      } finally {
        lock?.release();
      }
    },
  };
}
