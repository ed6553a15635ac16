/** The vector store a configuration asks for, with its options resolved from that configuration. */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Metrics } from '../../observability/metrics.js';
import { EmbeddedVectorStore } from './embedded/index.js';
import { HNSW_PROFILES } from './hnsw-profiles.js';
import type { VectorStore } from './vector-store.js';

/**
 * The vector store the configuration asks for: Qdrant when QDRANT_URL is set, else embedded. The
 * Qdrant client (and its HTTP stack) is loaded only then: ~150 ms of every embedded start otherwise.
 */
export async function buildVectorStore(c: Config, modelId: string, dataDir: string, log: Logger, metrics?: Metrics): Promise<VectorStore> {
  if (c.qdrantUrl) {
    const { QdrantVectorStore } = await import('./qdrant/index.js');
    return new QdrantVectorStore({
      url: c.qdrantUrl,
      ...(c.qdrantApiKey ? { apiKey: c.qdrantApiKey } : {}),
      dimensions: c.embeddingDimensions,
      modelId,
      prefix: c.qdrantCollectionPrefix,
      tenancy: c.qdrantTenancy,
      promoteAt: c.qdrantPromoteAt,
      profiles: HNSW_PROFILES,
      defaultProfile: c.qdrantHnswProfile,
      userProfiles: c.qdrantUserProfiles,
      quantization: c.qdrantQuantization,
      oversampling: c.qdrantOversampling,
      timeoutMs: c.qdrantTimeoutMs,
      retries: c.qdrantRetries,
      keepAlive: c.qdrantKeepAlive,
      compression: c.qdrantCompression,
      routingRefreshMs: c.qdrantRoutingRefreshMs,
      promotionGraceMs: c.qdrantPromotionGraceMs,
      promotionBatch: c.qdrantPromotionBatch,
      accessStatsFlushMs: c.qdrantAccessStatsFlushMs,
      log,
      ...(metrics ? { metrics } : {}),
    });
  }
  return new EmbeddedVectorStore({
    dir: join(dataDir, 'vectors'),
    dimensions: c.embeddingDimensions,
    modelId,
    walSync: c.walSync,
    hnsw: HNSW_PROFILES[c.hnswProfile],
    indexMinMemories: c.indexMinMemories,
    checkpointWalBytes: c.checkpointWalBytes,
    checkpointIntervalMs: c.checkpointIntervalMs,
    compactDeadRatio: c.compactDeadRatio,
    closeCheckpointMs: c.shutdownCheckpointMs,
    log,
    ...(metrics ? { metrics } : {}),
  });
}
