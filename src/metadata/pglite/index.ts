/** Embedded Postgres (PGlite, WebAssembly) as the SQL executor: the default without DATABASE_URL. */
import { PGlite } from '@electric-sql/pglite';
import { mkdir } from 'node:fs/promises';
import { DirectoryLock } from '../../directory-lock.js';
import type { SqlExecutor } from '../sql-metadata-store.js';

/**
 * Opens PGlite on `dataDir` (in memory without one). Two processes on one PGlite directory
 * corrupt it, so the directory is locked while open; the lock file sits beside the directory
 * (`<dataDir>.lock`), since Postgres owns what is inside.
 */
export async function openPGlite(dataDir: string | undefined): Promise<SqlExecutor> {
  let lock: DirectoryLock | undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    lock = DirectoryLock.acquire(`${dataDir}.lock`, 'memory-engine embedded metadata database (PGlite)');
  }
  let db: PGlite;
  try {
    db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  } catch (err) {
    lock?.release();
    throw err;
  }
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const r = await db.query<R>(sql, params);
      return { rows: r.rows };
    },
    transaction: (fn) =>
      db.transaction(async (tx) =>
        fn({
          query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<R>(sql, params)).rows }),
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      ),
    close: async () => {
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    },
  };
}
