/** Precompute's options and its LLM summarizer, resolved from the configuration. */
import type { Config } from '../config.js';
import type { LoadMonitor } from '../observability/load-monitor.js';
import { systemClock, type Clock } from './clock.js';
import type { PrecomputeOptions } from './index.js';
import type { MaintenanceOptions } from './maintenance/context.js';
import { LlmSummarizer, type Summarizer } from './summarizer.js';

/** How long a read waits for a first run (bounded by the caller's deadline). */
const FIRST_RUN_WAIT_MS = 10_000;
/** Days back that get day summaries. */
const TEMPORAL_DAYS = 7;

const DAY_MS = 86_400_000;
/** Memories per maintenance write (setFields, deletes), and per archival move (see MaintenanceOptions.moveBatch). */
const MAINTENANCE_BATCH = 200;
const MAINTENANCE_MOVE_BATCH = 25;
/**
 * Slice length of maintenance runs: a request that arrives while one works waits this long at
 * most, and maintenance is the one background work that never has a reader waiting for it.
 */
const MAINTENANCE_SLICE_MS = 2;

export function maintenanceOptions(c: Config): MaintenanceOptions {
  return {
    ttl: { enabled: c.ttlSweep },
    decay: { enabled: c.decayHalfLifeDays > 0, halfLifeMs: c.decayHalfLifeDays * DAY_MS, floor: c.decayFloor, reinforce: c.decayReinforce },
    compress: { enabled: c.compressAfterDays > 0, afterMs: c.compressAfterDays * DAY_MS, minBytes: c.compressMinBytes },
    archive: { enabled: c.archiveAfterDays > 0, idleMs: c.archiveAfterDays * DAY_MS },
    gc: {
      failedTasks: { enabled: c.gcFailedTaskDays > 0, afterMs: c.gcFailedTaskDays * DAY_MS },
      sessions: { enabled: c.gcSessionDays > 0, afterMs: c.gcSessionDays * DAY_MS },
      lowConfidence: { enabled: c.gcLowConfidence > 0, below: c.gcLowConfidence, afterMs: c.gcLowConfidenceDays * DAY_MS },
      duplicates: { enabled: c.gcDuplicates },
    },
    batch: MAINTENANCE_BATCH,
    moveBatch: MAINTENANCE_MOVE_BATCH,
  };
}

/** `load`: the foreground load that background runs yield to. */
export function precomputeOptions(c: Config, load: Pick<LoadMonitor, 'busy'>, clock: Clock = systemClock): PrecomputeOptions {
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
    maintenanceBusy: () => load.busy(c.maintenanceYieldRps, c.precomputeYieldOccupancy),
    maintenanceSliceMs: MAINTENANCE_SLICE_MS,
    everyN: c.precomputeEveryN,
    reclusterFraction: c.reclusterFraction,
    intervals: { profile: c.profileIntervalMs, clusters: c.clustersIntervalMs, summaries: c.summariesIntervalMs, similarity: c.similarityIntervalMs },
    routingMinSimilarity: c.topicRoutingMinSimilarity,
    routingMaxMembers: c.topicRoutingMaxMembers,
    firstRunWaitMs: FIRST_RUN_WAIT_MS,
    maxTopK: c.maxTopK,
    clock,
    maintenance: maintenanceOptions(c),
    maintenanceIntervalMs: c.maintenanceIntervalMs,
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
