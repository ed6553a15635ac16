/**
 * Precompute (DESIGN §6): the one face app.ts and the gRPC edge use. Data flows one way:
 *
 *   write path ──▶ triggers.ts ──▶ scheduler.ts ──▶ jobs/ (clusters, profile, summaries,
 *                  (MemoryObserver)   (runs, leases,    similarity) ──▶ metadata store
 *                                      deadlines)                     └─▶ artifact generation ++
 *   gRPC reads ──▶ reads.ts (profile, topics, summaries, related; L1 → L2 → metadata store)
 *   search     ──▶ topic-router.ts (TopicRouter, from the cached topics)
 *   gRPC jobs  ──▶ job-api.ts (TriggerPrecompute, GetJob, PauseBackgroundJobs)
 *
 * Each run gets a RunContext with its own LLM budget; when it has written its artifacts the
 * user's artifact generation moves, so every cached copy of the older ones becomes unreachable.
 */
import type { Logger } from 'pino';
import type { ClusterRunner } from '../clusters/cluster-runner.js';
import type { CacheCoherence } from '../engine/cache/coherence.js';
import type { TieredCache } from '../engine/cache/tiered-cache.js';
import type { Nearest } from '../engine/nearest.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import type { JobRun, MetadataStore } from '../metadata/metadata-store.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock } from './clock.js';
import { clustersJob } from './jobs/clusters.js';
import { LlmBudget, type Counts, type JobDeps, type JobOptions, type RunContext } from './jobs/context.js';
import { profileJob } from './jobs/profile.js';
import { similarityJob } from './jobs/similarity.js';
import { summariesJob } from './jobs/summaries.js';
import { JobApi } from './job-api.js';
import { PrecomputeReads } from './reads.js';
import { MAINTENANCE_KINDS, PrecomputeScheduler, type JobContext, type JobKind } from './scheduler.js';
import type { Archive } from '../engine/archive/archive.js';
import type { MaintenanceEngine, MaintenanceOptions } from './maintenance/context.js';
import { MaintenanceJobs } from './maintenance/index.js';
import { MaintenanceSweeper } from './maintenance/sweeper.js';
import type { Summarizer } from './summarizer.js';
import { TopicRouting } from './topic-router.js';
import { PrecomputeTriggers } from './triggers.js';

export type { ResolvedProfile, SummaryView, TopicView } from './reads.js';

export interface PrecomputeOptions extends JobOptions {
  enabled: boolean;
  concurrency: number;
  queueMax: number;
  jobTimeoutMs: number;
  leaseMs: number;
  tickMs: number;
  minGapMs: number;
  /** Foreground load gate for starting background runs (see SchedulerOptions.busy). */
  busy?: () => boolean;
  maxHoldMs?: number;
  busyShare?: number;
  /** Foreground load as maintenance runs see it (see SchedulerOptions.maintenanceBusy). */
  maintenanceBusy?: () => boolean;
  maintenanceSliceMs?: number;
  everyN: number;
  reclusterFraction: number;
  intervals: Record<JobKind, number>;
  routingMinSimilarity: number;
  routingMaxMembers: number;
  /** How long a read waits for a first run (bounded by the caller's deadline). */
  firstRunWaitMs: number;
  maxTopK: number;
  clock: Clock;
  maintenance: MaintenanceOptions;
  /** Every user gets a maintenance run this often (0 = only when asked). */
  maintenanceIntervalMs: number;
}

export interface PrecomputeDeps {
  store: VectorStore;
  nearest: Nearest;
  metadata: MetadataStore;
  cache: TieredCache;
  coherence: CacheCoherence;
  runner: ClusterRunner;
  llm: Summarizer | undefined;
  metrics: Metrics;
  log: Logger;
  /** The engine, once built (maintenance deletes through it). */
  engine: () => MaintenanceEngine;
  /** The cold store's mover, when there is an archive. */
  archive?: Archive;
}

export class PrecomputeService {
  readonly scheduler: PrecomputeScheduler;
  readonly triggers: PrecomputeTriggers;
  readonly reads: PrecomputeReads;
  readonly router: TopicRouting;
  readonly jobs: JobApi;
  readonly maintenance: MaintenanceJobs;
  private readonly sweeper: MaintenanceSweeper;

  constructor(
    d: PrecomputeDeps,
    private readonly o: PrecomputeOptions,
  ) {
    this.maintenance = new MaintenanceJobs({ store: d.store, metadata: d.metadata, engine: d.engine, archive: d.archive, coherence: d.coherence, clock: o.clock, o: o.maintenance });
    const jobDeps: JobDeps = { store: d.store, nearest: d.nearest, metadata: d.metadata, runner: d.runner, llm: d.llm, metrics: d.metrics, log: d.log, o };
    const handler = (job: (ctx: RunContext) => Promise<Counts>) => async (ctx: JobContext) => {
      const counts = await job({ ...ctx, llm: new LlmBudget(o.llmMaxCalls) });
      await d.coherence.artifactsChanged(ctx.userId);
      return counts;
    };
    this.scheduler = new PrecomputeScheduler(
      {
        clusters: handler((ctx) => clustersJob(jobDeps, ctx)),
        profile: handler((ctx) => profileJob(jobDeps, ctx)),
        summaries: handler((ctx) => summariesJob(jobDeps, ctx)),
        similarity: handler((ctx) => similarityJob(jobDeps, ctx, this.triggers.takeAddedForSimilarity(ctx.userId))),
        ...Object.fromEntries(MAINTENANCE_KINDS.map((kind) => [kind, (ctx: JobContext) => this.maintenance.run(kind, { ...ctx, dryRun: false })])),
      },
      d.metadata,
      d.metrics,
      d.log,
      {
        concurrency: o.concurrency,
        queueMax: o.queueMax,
        jobTimeoutMs: o.jobTimeoutMs,
        leaseMs: o.leaseMs,
        intervals: o.intervals,
        tickMs: o.tickMs,
        minGapMs: o.minGapMs,
        ...(o.busy ? { busy: o.busy } : {}),
        ...(o.maxHoldMs !== undefined ? { maxHoldMs: o.maxHoldMs } : {}),
        ...(o.busyShare !== undefined ? { busyShare: o.busyShare } : {}),
        ...(o.maintenanceBusy ? { maintenanceBusy: o.maintenanceBusy } : {}),
        ...(o.maintenanceSliceMs !== undefined ? { maintenanceSliceMs: o.maintenanceSliceMs } : {}),
        clock: o.clock,
      },
    );
    const { scheduler } = this;
    this.triggers = new PrecomputeTriggers(
      { scheduler, store: d.store, metadata: d.metadata, metrics: d.metrics, log: d.log },
      { enabled: o.enabled, everyN: o.everyN, reclusterFraction: o.reclusterFraction, profileIntervalMs: o.intervals.profile, clock: o.clock },
    );
    this.reads = new PrecomputeReads(
      { store: d.store, nearest: d.nearest, metadata: d.metadata, cache: d.cache, coherence: d.coherence, scheduler, triggers: this.triggers, jobs: jobDeps },
      { enabled: o.enabled, profileIntervalMs: o.intervals.profile, firstRunWaitMs: o.firstRunWaitMs, maxTopK: o.maxTopK, similarityTopK: o.similarityTopK },
    );
    this.router = new TopicRouting({ l1: d.cache.l1, reads: this.reads, log: d.log }, { minSimilarity: o.routingMinSimilarity, maxMembers: o.routingMaxMembers });
    this.jobs = new JobApi({ scheduler, metadata: d.metadata, maintenance: this.maintenance, log: d.log }, { enabled: o.enabled, queueMax: o.queueMax, clock: o.clock });
    this.sweeper = new MaintenanceSweeper({ scheduler, users: () => d.store.users(), log: d.log }, { intervalMs: o.maintenanceIntervalMs, inflight: Math.max(1, o.concurrency * 2), clock: o.clock });
  }

  start(): void {
    if (!this.o.enabled) return;
    this.scheduler.start();
    this.sweeper.start();
  }

  async close(): Promise<void> {
    await this.scheduler.close();
    await this.sweeper.close();
  }

  /** One maintenance round over every user now (CLI, tests); resolves with the runs queued. */
  sweepNow(): Promise<number> {
    return this.sweeper.sweep();
  }

  /** Waits for a run to finish (tests, benchmarks). */
  waitForJob(id: string, timeoutMs?: number): Promise<JobRun> {
    return this.jobs.waitForJob(id, timeoutMs);
  }
}
