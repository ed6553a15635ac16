/** Context assembly's options, resolved from the configuration. */
import type { Config } from '../config.js';
import type { Limits } from '../engine/validate.js';
import type { ContextOptions } from './assembler.js';
import type { PoolOptions } from './pools.js';

export function poolOptions(c: Config): PoolOptions {
  return { poolMax: c.contextPoolMax, maxLagMs: c.searchMaxLagMs, prefetchMemory: 10_000 };
}

export function contextOptions(c: Config, limits: Limits): ContextOptions {
  return {
    limits,
    request: { defaultTokens: c.contextDefaultTokens, maxTokens: c.contextMaxTokens, maxTurns: c.contextMaxTurns, maxTurnBytes: c.contextMaxTurnBytes },
    defaultDeadlineMs: c.contextDeadlineMs,
    prefetch: c.contextPrefetch,
    prefetchDelayMs: c.contextPrefetchDelayMs,
    maxTopK: Math.min(c.maxTopK, 200),
    poolMax: c.contextPoolMax,
    topicMinSimilarity: c.contextTopicMinSimilarity,
    maxTopics: 2,
    maxEntities: 3,
    filteredK: 20,
    relatedSeeds: 5,
    relatedPerSeed: 5,
  };
}
