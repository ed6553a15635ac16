/** Opens the metadata store the configuration asks for. */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { openPGlite } from './pglite/index.js';
import { SqlMetadataStore } from './sql-metadata-store.js';

/** Postgres when DATABASE_URL is set, embedded PGlite in DATA_DIR otherwise. */
export async function openMetadata(c: Config, dataDir: string, log?: Logger): Promise<SqlMetadataStore> {
  if (c.databaseUrl) {
    // Loaded only when configured: pg is ~50 ms of every embedded start otherwise.
    const { openPostgres } = await import('./postgres/index.js');
    const db = await openPostgres({
      url: c.databaseUrl,
      max: c.pgPoolMax,
      acquireTimeoutMs: c.pgAcquireTimeoutMs,
      idleTimeoutMs: c.pgIdleTimeoutMs,
      statementTimeoutMs: c.pgStatementTimeoutMs,
      maxUses: c.pgMaxUses,
      maxLifetimeSeconds: c.pgMaxLifetimeSeconds,
    });
    return new SqlMetadataStore({ kind: 'postgres', db });
  }
  // PGlite's directory lock also covers the journal beside it.
  const db = await openPGlite(join(dataDir, 'metadata'), { sharedBuffersMb: c.pgliteSharedBuffersMb, threadNice: c.pgliteThreadNice });
  return new SqlMetadataStore({ kind: 'pglite', db, auditJournalDir: join(dataDir, 'audit-journal'), log });
}
