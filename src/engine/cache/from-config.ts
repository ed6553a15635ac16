/** The cache tiers' options, resolved from the configuration. */
import type { Config } from '../../config.js';
import type { CacheKind } from './codecs.js';
import type { L1Cache } from './l1-cache.js';
import type { RedisTierOptions } from './redis/index.js';
import { SimilarQueries } from './similar-queries.js';

export function redisTierOptions(c: Config): RedisTierOptions {
  return {
    url: c.redisUrl,
    keyPrefix: c.redisKeyPrefix,
    commandTimeoutMs: c.redisCommandTimeoutMs,
    breakerFailures: c.redisBreakerFailures,
    breakerOpenMs: c.redisBreakerOpenMs,
    hotSetMax: c.hotSetMax,
  };
}

/** TTL of each kind of entry in each tier. */
export function cacheTtls(c: Config): { l1: Record<CacheKind, number>; l2: Record<CacheKind, number> } {
  const shared = { memory: c.cacheMemoryTtlMs, embedding: c.cacheEmbeddingTtlMs };
  return {
    l1: { ...shared, search: c.cacheSearchTtlMs, profile: c.cachePrecomputedL1TtlMs, precomputed: c.cachePrecomputedL1TtlMs },
    l2: { ...shared, search: c.cacheL2SearchTtlMs, profile: c.cacheProfileTtlMs, precomputed: c.cacheProfileTtlMs },
  };
}

/** The semantic query cache's index, when CACHE_SEARCH_SIMILAR_MIN_COSINE turns it on. */
export function similarQueries(c: Config, l1: L1Cache): SimilarQueries | undefined {
  if (c.cacheSimilarMinCosine <= 0) return undefined;
  return new SimilarQueries({ l1, minCosine: c.cacheSimilarMinCosine, perUser: c.cacheSimilarQueriesPerUser, ttlMs: Math.max(c.cacheSearchTtlMs, c.cacheL2SearchTtlMs) });
}
