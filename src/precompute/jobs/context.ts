/**
 * What every precompute job is given: its run (user, trigger, deadline, pacing) with a budget of
 * LLM calls of its own, and the services it reads and writes through.
 */
import type { Logger } from 'pino';
import type { ClusterRunner } from '../../clusters/cluster-runner.js';
import type { Nearest } from '../../engine/nearest.js';
import type { VectorStore } from '../../engine/vector/vector-store.js';
import type { MetadataStore } from '../../metadata/metadata-store.js';
import type { Metrics } from '../../observability/metrics.js';
import type { JobContext } from '../scheduler.js';
import type { Summarizer } from '../summarizer.js';

export interface JobOptions {
  minClusterSize: number;
  minSamples: number;
  knnK: number;
  profileTop: number;
  profileTokenBudget: number;
  summaryTokenBudget: number;
  summaryEntities: number;
  similarityTopK: number;
  similarityMinImportance: number;
  recencyHalfLifeMs: number;
  llmMaxCalls: number;
  /** Days back that get day summaries. */
  temporalDays: number;
}

export interface JobDeps {
  store: VectorStore;
  /** kNN through the engine: ef from the query-class table and the deadline. */
  nearest: Nearest;
  metadata: MetadataStore;
  runner: ClusterRunner;
  /** Writes summaries when configured; extractive text is made (and kept) either way. */
  llm: Summarizer | undefined;
  metrics: Metrics;
  log: Logger;
  o: JobOptions;
}

/**
 * LLM calls one run may make (SUMMARY_LLM_MAX_CALLS_PER_RUN); past it, summaries stay
 * extractive. One per run — and one per on-demand summary — never shared between them.
 */
export class LlmBudget {
  used = 0;
  constructor(private readonly max: number) {}
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
}

/** One run of a job: the scheduler's context plus the run's own LLM budget. */
export interface RunContext extends JobContext {
  llm: LlmBudget;
}

/** What a run did, for its job_runs row. */
export type Counts = Record<string, number>;
