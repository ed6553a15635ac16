import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openPGlite } from '../../src/metadata/pglite/index.js';
import { openPostgres } from '../../src/metadata/postgres/index.js';
import { tempDir } from '../helpers.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { metadataContract } from './metadata-contract.js';

let dir = '';
// As the service runs it: with the audit journal beside the database.
metadataContract('pglite', {
  async open() {
    dir = await tempDir('me-pglite-');
    return openPGlite(join(dir, 'md'));
  },
  auditJournalDir: () => join(dir, 'audit-journal'),
  async cleanup() {
    await rm(dir, { recursive: true, force: true });
  },
});

let pg: TestPostgres | undefined;
const pool = (url: string) => openPostgres({ url, max: 5, acquireTimeoutMs: 5000, idleTimeoutMs: 1000, statementTimeoutMs: 5000, maxUses: 1000, maxLifetimeSeconds: 60 });
metadataContract('postgres', {
  async open() {
    pg = await startTestPostgres();
    return pg ? pool(pg.url) : undefined;
  },
  openAnother: () => pool(pg!.url),
  async cleanup() {
    await pg?.stop();
  },
});
