/**
 * Embedded PGlite in its worker thread: the service's event loop runs while a statement
 * executes, transactions commit and roll back as one, errors keep their SQLSTATE, and a dead
 * worker is replaced by the next call without losing committed rows. Its thread runs at a lower
 * CPU priority than the caller's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openPGlite } from '../../src/metadata/pglite/index.js';
import type { SqlExecutor } from '../../src/metadata/sql-metadata-store.js';
import { tempDir } from '../helpers.js';

describe('PGlite in a worker thread', () => {
  let db: SqlExecutor | undefined;
  let dir = '';
  afterEach(async () => {
    await db?.close();
    db = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  it('leaves the event loop free while a long statement runs', async () => {
    db = await openPGlite(undefined);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      // About a second of work inside Postgres; in the service's thread no timer could fire meanwhile.
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM generate_series(1, 3000000) g WHERE md5(g::text) LIKE $1', ['a%']);
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(5);
  });

  it('commits a transaction as one, rolls it back when the function throws, and keeps SQLSTATE codes', async () => {
    db = await openPGlite(undefined);
    await db.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    const n = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1, $1)', ['one']);
      await tx.exec("INSERT INTO t VALUES (2, 'two'); INSERT INTO t VALUES (3, 'three');");
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n;
    });
    expect(n).toBe(3);
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (4, $1)', ['four']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const err = await db.query('INSERT INTO t VALUES (1, $1)', ['again']).catch((e: unknown) => e as { code?: string });
    expect(err).toMatchObject({ code: '23505' });
    const { rows } = await db.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('answers UNAVAILABLE for calls in flight when the worker dies, and the next call reopens the directory', async () => {
    dir = await tempDir('me-pglite-worker-');
    const workers: Worker[] = [];
    db = await openPGlite(join(dir, 'md'), { onWorker: (w) => workers.push(w) });
    await db.query('CREATE TABLE t (id int PRIMARY KEY)');
    await db.query('INSERT INTO t VALUES (1), (2)');
    const inFlight = db.query('SELECT pg_sleep(2)');
    await new Promise((r) => setTimeout(r, 100));
    const started = workers.length;
    await workers.at(-1)!.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    expect(rows[0]!.n).toBe(2);
    expect(workers).toHaveLength(started + 1);
  });

  it('serves a new directory from a second thread after initdb (initdb leaves ~750 MB resident), an existing one from the first', async () => {
    dir = await tempDir('me-pglite-worker-');
    const workers: Worker[] = [];
    const sharedBuffersKb = async () => {
      const { rows } = await db!.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'shared_buffers'");
      return Number(rows[0]!.setting) * 8; // 8 kB pages
    };
    db = await openPGlite(join(dir, 'md'), { onWorker: (w) => workers.push(w) });
    await db.query('CREATE TABLE t (id int PRIMARY KEY)');
    expect(workers).toHaveLength(2);
    expect(await sharedBuffersKb()).toBe(16 * 1024); // PGLITE_SHARED_BUFFERS_MB's default
    await db.close();
    workers.length = 0;
    db = await openPGlite(join(dir, 'md'), { onWorker: (w) => workers.push(w), sharedBuffersMb: 32 });
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'");
    expect(rows[0]!.n).toBe(1);
    expect(workers).toHaveLength(1);
    expect(await sharedBuffersKb()).toBe(32 * 1024);
  });

  it.runIf(process.platform === 'linux')("runs PGlite's thread at the nice value it is given and leaves the caller's thread alone", async () => {
    const before = threadNices();
    const callers = niceOf('/proc/thread-self/stat');
    db = await openPGlite(undefined, { threadNice: 7 });
    await db.query('SELECT 1');
    const raised = [...threadNices()].filter(([tid, nice]) => nice === 7 && before.get(tid) !== 7);
    expect(raised).toHaveLength(1);
    expect(niceOf('/proc/thread-self/stat')).toBe(callers);
  });
});

/** Nice value of every thread of this process, by thread id (Linux keeps one per thread). */
function threadNices(): Map<string, number> {
  return new Map(readdirSync('/proc/self/task').map((tid) => [tid, niceOf(`/proc/self/task/${tid}/stat`)]));
}

/** Field 19 of a stat line; the fields are counted after the command name, which may hold spaces. */
function niceOf(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
