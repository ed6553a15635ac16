/**
 * An embedded vector store and a PGlite metadata store opened in one directory, for tests that
 * run service instances over stores they hand in (several instances, or a store behind a proxy).
 */
import { join } from 'node:path';
import { LexicalEmbedder } from '../../src/engine/embed/lexical.js';
import { EmbeddedVectorStore } from '../../src/engine/vector/embedded/index.js';
import { openPGlite } from '../../src/metadata/pglite/index.js';
import { SqlMetadataStore } from '../../src/metadata/sql-metadata-store.js';
import { createLogger } from '../../src/observability/logger.js';

/** The embedded vector store a service on embedded defaults (lexical, 384-d) opens in `dir`. */
export async function openServiceVectorStore(dir: string): Promise<EmbeddedVectorStore> {
  const store = new EmbeddedVectorStore({
    dir: join(dir, 'vectors'),
    dimensions: 384,
    modelId: new LexicalEmbedder(384).modelId,
    walSync: true,
    hnsw: { m: 16, efConstruction: 100 },
    indexMinMemories: 5000,
    checkpointWalBytes: 1 << 30,
    checkpointIntervalMs: 3_600_000,
    compactDeadRatio: 0.3,
    log: createLogger('silent'),
  });
  await store.open();
  return store;
}

export async function openSharedStores(dir: string): Promise<{ store: EmbeddedVectorStore; metadata: SqlMetadataStore }> {
  const store = await openServiceVectorStore(dir);
  const metadata = new SqlMetadataStore({ kind: 'pglite', db: await openPGlite(join(dir, 'md')) });
  await metadata.open();
  return { store, metadata };
}
