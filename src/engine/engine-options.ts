/** MemoryEngine's options, resolved from the configuration. */
import type { Config } from '../config.js';
import type { EngineOptions } from './memory-engine.js';
import type { QueryClass, SearchMode } from './types.js';
import { fusionOptions } from './keywords/from-config.js';
import { compileIndexText } from './keywords/index-text.js';

/** `canEmbed`: whether an embedder is configured (without one, clients send vectors). */
export function engineOptions(c: Config, canEmbed: boolean): EngineOptions {
  return {
    limits: {
      maxContentBytes: c.maxContentBytes,
      maxBatchItems: c.maxBatchItems,
      maxTopK: c.maxTopK,
      maxMetadataBytes: c.maxMetadataBytes,
      maxTags: c.maxTags,
      dimensions: c.embeddingDimensions,
    },
    ranking: { similarity: c.rankSimilarityWeight, importance: c.rankImportanceWeight, recency: c.rankRecencyWeight },
    recencyHalfLifeMs: c.recencyHalfLifeHours * 3_600_000,
    searchMaxLagMs: c.searchMaxLagMs,
    canEmbed,
    routingClasses: c.topicRoutingClasses as QueryClass[],
    searchMode: c.searchMode.toUpperCase() as SearchMode,
    fusion: fusionOptions(c),
    indexText: compileIndexText(c.indexTextTemplate),
  };
}
