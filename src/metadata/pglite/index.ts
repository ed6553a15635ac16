/** Embedded Postgres (PGlite, WebAssembly) as the SQL executor: the default without DATABASE_URL. */
import { PGlite } from '@electric-sql/pglite';
import { mkdir } from 'node:fs/promises';
import type { SqlExecutor } from '../sql-metadata-store.js';

export async function openPGlite(dataDir: string | undefined): Promise<SqlExecutor> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
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
    close: () => db.close(),
  };
}
