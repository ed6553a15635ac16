/** Precompute's options and its LLM summarizer, resolved from the configuration. */
import type { Config } from '../config.js';
import type { LoadMonitor } from '../observability/load-monitor.js';
import { systemClock } from './clock.js';
import type { PrecomputeOptions } from './index.js';
import { LlmSummarizer, type Summarizer } from './summarizer.js';

/** How long a read waits for a first run (bounded by the caller's deadline). */
const FIRST_RUN_WAIT_MS = 10_000;
/** Days back that get day summaries. */
const TEMPORAL_DAYS = 7;

/** `load`: the foreground load that background runs yield to. */
export function precomputeOptions(c: Config, load: Pick<LoadMonitor, 'busy'>): PrecomputeOptions {
  return {
    enabled: c.precompute,
    concurrency: c.precomputeConcurrency,
    queueMax: c.precomputeQueueMax,
    jobTimeoutMs: c.precomputeJobTimeoutMs,
    leaseMs: c.precomputeLeaseMs,
    tickMs: c.precomputeTickMs,
    minGapMs: c.precomputeMinGapMs,
    busy: () => load.busy(c.precomputeYieldRps, c.precomputeYieldOccupancy),
    maxHoldMs: c.precomputeMaxHoldMs,
    busyShare: c.precomputeBusyShare,
    everyN: c.precomputeEveryN,
    reclusterFraction: c.reclusterFraction,
    intervals: { profile: c.profileIntervalMs, clusters: c.clustersIntervalMs, summaries: c.summariesIntervalMs, similarity: c.similarityIntervalMs },
    routingMinSimilarity: c.topicRoutingMinSimilarity,
    routingMaxMembers: c.topicRoutingMaxMembers,
    firstRunWaitMs: FIRST_RUN_WAIT_MS,
    maxTopK: c.maxTopK,
    clock: systemClock,
    minClusterSize: c.hdbscanMinClusterSize,
    minSamples: c.hdbscanMinSamples,
    knnK: c.clusterKnnK,
    profileTop: c.profileTopMemories,
    profileTokenBudget: c.profileTokenBudget,
    summaryTokenBudget: c.summaryTokenBudget,
    summaryEntities: c.summaryEntities,
    similarityTopK: c.similarityTopK,
    similarityMinImportance: c.similarityMinImportance,
    recencyHalfLifeMs: c.recencyHalfLifeHours * 3_600_000,
    llmMaxCalls: c.summaryLlmMaxCalls,
    temporalDays: TEMPORAL_DAYS,
  };
}

export function buildSummarizer(c: Config): Summarizer | undefined {
  if (!c.summaryLlmModel) return undefined;
  const baseURL = c.summaryLlmBaseUrl || c.openaiBaseUrl;
  return new LlmSummarizer({
    ...(baseURL ? { baseURL } : {}),
    apiKey: c.summaryLlmApiKey || c.openaiApiKey,
    model: c.summaryLlmModel,
    timeoutMs: c.summaryLlmTimeoutMs,
    maxInputs: c.summaryLlmMaxInputs,
  });
}
