/**
 * PrecomputeService: the background precompute of DESIGN §6 and the reads that serve it.
 *
 * Triggers (from the write path, through the MemoryObserver hooks):
 *   - every `everyN` new memories of a user: profile, summaries, similarity (incremental);
 *     topics after max(everyN, reclusterFraction × the user's memories) new ones;
 *   - a new memory that matters for the profile (importance ≥ 0.8, or a preference), and any
 *     removal that touched precomputed data: profile ("profile-change");
 *   - session start (WarmSession): profile, when missing or older than its interval;
 *   - intervals: users that changed are re-run per kind (hourly profiles, daily topics,
 *     summaries and neighbour rebuilds by default);
 *   - TriggerPrecompute, and reads that find nothing precomputed yet.
 *
 * Reads go L1 → L2 → metadata store. Cache keys carry the user's cache generation, so the
 * strong invalidation of a delete (which first prunes the artifacts in the metadata store)
 * makes every cached profile, topic list and summary of the user unreachable on every
 * instance. They also carry the user's artifact generation, which every run bumps: new
 * artifacts replace cached ones on this instance at once and on others when the bump's
 * message arrives (or within CACHE_PRECOMPUTED_L1_TTL_MS while Redis is away).
 */
import type { Logger } from 'pino';
import type { ClusterRunner } from '../clusters/cluster-runner.js';
import type { CacheCoherence } from '../engine/cache/coherence.js';
import { cacheKeys, type UserGenerations } from '../engine/cache/keys.js';
import type { Codec } from '../engine/cache/cache-tier.js';
import type { ServedBy, TieredCache } from '../engine/cache/tiered-cache.js';
import type { CallContext, MemoryObserver, TopicRouter } from '../engine/memory-engine.js';
import type { MemoryRecord } from '../engine/types.js';
import * as v from '../engine/validate.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import { DeadlineExceededError, InvalidArgumentError, NotFoundError, ResourceExhaustedError, throwIfAborted, UnimplementedError } from '../errors.js';
import type { JobRun, MetadataStore } from '../metadata/metadata-store.js';
import type { Metrics } from '../observability/metrics.js';
import { generatorOf, KIND_PROFILE, KIND_SIMILAR, KIND_SUMMARY, KIND_TOPIC, pruneArtifact, summaryText, type ProfileBody, type SimilarBody, type SummaryBody, type TopicBody } from './artifacts.js';
import type { Clock } from './clock.js';
import { PrecomputeJobs, type JobOptions } from './jobs.js';
import { PERIOD_KINDS, periodRange, type PeriodKind } from './periods.js';
import { JOB_KINDS, PrecomputeScheduler, type JobContext, type JobKind } from './scheduler.js';
import type { Summarizer } from './summarizer.js';
import { estimateTokens } from './text.js';

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
  everyN: number;
  reclusterFraction: number;
  intervals: Record<JobKind, number>;
  routingMinSimilarity: number;
  routingMaxMembers: number;
  /** How long a read waits for a first run (bounded by the caller's deadline). */
  firstRunWaitMs: number;
  maxTopK: number;
  clock: Clock;
}

export interface ResolvedProfile {
  userId: string;
  compiledAtMs: number;
  memoryCount: number;
  top: MemoryRecord[];
  recent: MemoryRecord[];
  preferences: MemoryRecord[];
  entities: { name: string; count: number }[];
  topics: { id: string; label: string; size: number }[];
  summary: string;
  summaryTokens: number;
  generator: string;
}

export interface TopicView {
  id: string;
  label: string;
  terms: string[];
  size: number;
  summary: string;
  generator: string;
  generatedAtMs: number;
  memberIds: string[];
  centroid: Float32Array;
}

export interface SummaryView {
  kind: string;
  key: string;
  text: string;
  generator: string;
  sourceIds: string[];
  memoryCount: number;
  generatedAtMs: number;
}

interface TopicIndex {
  topics: TopicView[];
}

const EMPTY = new Float32Array(0);
const strip = (r: MemoryRecord): MemoryRecord => ({ ...r, embedding: EMPTY });

function jsonCodec<T>(kind: 'profile' | 'precomputed', revive: (x: T) => T = (x) => x): Codec<T> {
  return {
    kind,
    encode: (value) => Buffer.from(JSON.stringify(value, (_k, x: unknown) => (x instanceof Float32Array ? Array.from(x) : x))),
    decode: (b) => revive(JSON.parse(b.toString('utf8')) as T),
    bytes: (value) => 256 + JSON.stringify(value, (_k, x: unknown) => (x instanceof Float32Array ? new Array<number>(x.length).fill(0) : x)).length * 2,
  };
}

const profileCodec = jsonCodec<ResolvedProfile>('profile', (p) => ({
  ...p,
  top: p.top.map((r) => ({ ...r, embedding: EMPTY })),
  recent: p.recent.map((r) => ({ ...r, embedding: EMPTY })),
  preferences: p.preferences.map((r) => ({ ...r, embedding: EMPTY })),
}));
const topicsCodec = jsonCodec<TopicIndex>('precomputed', (t) => ({ topics: t.topics.map((x) => ({ ...x, centroid: Float32Array.from(x.centroid as unknown as number[]) })) }));
const summaryCodec = jsonCodec<SummaryView>('precomputed');
const similarCodec = jsonCodec<SimilarBody>('precomputed');

export class PrecomputeService implements MemoryObserver, TopicRouter {
  readonly scheduler: PrecomputeScheduler;
  private readonly jobs: PrecomputeJobs;
  private readonly added = new Map<string, { sinceRun: number; sinceClusters: number }>();
  private readonly pendingSimilar = new Map<string, Set<string>>();
  private readonly topicLoads = new Set<string>();

  constructor(
    private readonly store: VectorStore,
    private readonly metadata: MetadataStore,
    private readonly cache: TieredCache,
    private readonly coherence: CacheCoherence,
    runner: ClusterRunner,
    llm: Summarizer | undefined,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly o: PrecomputeOptions,
  ) {
    this.jobs = new PrecomputeJobs({ store, metadata, runner, llm, metrics, log, o });
    // A run that wrote new artifacts makes the cached ones unreachable (keys carry the artifact generation).
    const wrap = (kind: JobKind, run: (ctx: JobContext) => Promise<Record<string, number>>) => async (ctx: JobContext) => {
      const counts = await run(ctx);
      await this.coherence.artifactsChanged(ctx.userId);
      return counts;
    };
    this.scheduler = new PrecomputeScheduler(
      {
        clusters: wrap('clusters', (ctx) => this.jobs.clusters(ctx)),
        profile: wrap('profile', (ctx) => this.jobs.profile(ctx)),
        summaries: wrap('summaries', (ctx) => this.jobs.summaries(ctx)),
        similarity: wrap('similarity', (ctx) => this.runSimilarity(ctx)),
      },
      metadata,
      metrics,
      log,
      { concurrency: o.concurrency, queueMax: o.queueMax, jobTimeoutMs: o.jobTimeoutMs, leaseMs: o.leaseMs, intervals: o.intervals, tickMs: o.tickMs, minGapMs: o.minGapMs, ...(o.busy ? { busy: o.busy } : {}), ...(o.maxHoldMs !== undefined ? { maxHoldMs: o.maxHoldMs } : {}), ...(o.busyShare !== undefined ? { busyShare: o.busyShare } : {}), clock: o.clock },
    );
  }

  start(): void {
    if (this.o.enabled) this.scheduler.start();
  }

  close(): Promise<void> {
    return this.scheduler.close();
  }

  private enqueue(userId: string, kind: JobKind, trigger: string): void {
    if (!this.o.enabled) return;
    void this.scheduler.enqueue(userId, kind, trigger).catch((err: unknown) => this.log.warn({ err, userId, kind }, 'could not queue a precompute run'));
  }

  private async runSimilarity(ctx: JobContext): Promise<Record<string, number>> {
    const pending = this.pendingSimilar.get(ctx.userId);
    this.pendingSimilar.delete(ctx.userId);
    const incremental = ctx.trigger === 'memories' && pending !== undefined && pending.size <= 1000;
    return incremental ? this.jobs.similarityIncremental(ctx, [...pending]) : this.jobs.similarityFull(ctx);
  }

  // ---- hooks from the write path -----------------------------------------------------------

  written(userId: string, records: readonly MemoryRecord[], previous?: readonly MemoryRecord[]): void {
    if (!this.o.enabled || records.length === 0) return;
    for (const kind of JOB_KINDS) this.scheduler.markDirty(userId, kind);
    // An update counts like a new memory only when its text or vector changed; otherwise
    // (importance, tags, pinning) it refreshes the profile only when it enters or leaves
    // the profile's sources. The interval jobs pick up the rest.
    const fresh = previous ? records.filter((r, i) => r.content !== previous[i]?.content || r.embedding !== previous[i]?.embedding) : records;
    const inProfile = (r: MemoryRecord | undefined) => r !== undefined && (r.importance >= 0.8 || r.kind === 'preference' || r.pinned);
    const profileChanged = previous ? records.some((r, i) => inProfile(r) !== inProfile(previous[i]) || (inProfile(r) && fresh.includes(r))) : records.some(inProfile);
    if (profileChanged) this.enqueue(userId, 'profile', 'profile-change');
    if (fresh.length === 0) return;
    const c = this.added.get(userId) ?? { sinceRun: 0, sinceClusters: 0 };
    c.sinceRun += fresh.length;
    c.sinceClusters += fresh.length;
    this.added.set(userId, c);
    let pending = this.pendingSimilar.get(userId);
    if (!pending) this.pendingSimilar.set(userId, (pending = new Set()));
    for (const r of fresh) if (pending.size <= 1000) pending.add(r.id);
    if (c.sinceRun >= this.o.everyN) {
      c.sinceRun = 0;
      this.enqueue(userId, 'profile', 'memories');
      this.enqueue(userId, 'summaries', 'memories');
      this.enqueue(userId, 'similarity', 'memories');
      void this.store.count(userId).then(
        (total) => {
          if (c.sinceClusters >= Math.max(this.o.everyN, this.o.reclusterFraction * total)) {
            c.sinceClusters = 0;
            this.enqueue(userId, 'clusters', 'memories');
          }
        },
        (err: unknown) => this.log.debug({ err, userId }, 'memory count for the clustering trigger failed'),
      );
    }
  }

  /** Strong: before this resolves, no stored artifact uses the removed memories. */
  async removed(userId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pendingSimilar.get(userId)?.delete(id);
    const changed = await this.metadata.removeFromPrecomputed(userId, ids, pruneArtifact);
    if (changed > 0) {
      this.metrics.precomputeRemovals.inc(changed);
      this.enqueue(userId, 'profile', 'profile-change');
    }
    for (const kind of JOB_KINDS) this.scheduler.markDirty(userId, kind);
  }

  /** Erasure: stops the user's runs; the metadata store drops the artifacts (deleteUser). */
  async userErased(userId: string): Promise<void> {
    this.added.delete(userId);
    this.pendingSimilar.delete(userId);
    await this.scheduler.cancelUser(userId);
  }

  sessionStarted(userId: string): void {
    if (!this.o.enabled) return;
    const last = this.scheduler.lastRunAt(userId, 'profile');
    if (last === 0 || this.o.clock.now() - last >= this.o.intervals.profile) this.enqueue(userId, 'profile', 'session');
  }

  // ---- caching -----------------------------------------------------------------------------

  private cached<T extends object>(key: string, codec: Codec<T>, load: () => Promise<T | undefined>): Promise<{ value: T; tier: ServedBy } | undefined> {
    return this.cache.get(key, codec, load);
  }

  /** Waits (up to the caller's deadline and `firstRunWaitMs`) for a run asked for by a read. */
  private async firstRun(ctx: CallContext, userId: string, kind: JobKind): Promise<void> {
    if (!this.o.enabled) return;
    const id = await this.scheduler.enqueue(userId, kind, 'request');
    if (!id) return;
    const left = Math.min(this.o.firstRunWaitMs, ctx.deadlineMs !== undefined ? ctx.deadlineMs - Date.now() - 5 : Infinity);
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.scheduler.wait(id),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
    throwIfAborted(ctx.signal);
  }

  // ---- reads -------------------------------------------------------------------------------

  async getProfile(ctx: CallContext, rawUserId: string): Promise<{ profile: ResolvedProfile; tier: ServedBy }> {
    const userId = v.checkUserId(rawUserId);
    const load = async (): Promise<ResolvedProfile | undefined> => {
      const row = await this.metadata.getPrecomputed(userId, KIND_PROFILE, '');
      if (!row) return undefined;
      return this.resolveProfile(userId, row.body as ProfileBody, ctx.signal);
    };
    let got = await this.cached(cacheKeys.profile(userId, await this.coherence.generation(userId)), profileCodec, load);
    if (!got) {
      await this.firstRun(ctx, userId, 'profile');
      // The first run bumped the artifact generation: ask again.
      got = await this.cached(cacheKeys.profile(userId, await this.coherence.generation(userId)), profileCodec, load);
    }
    if (!got) throw new NotFoundError(`no profile for user ${userId} yet: it has no memories, or its first compilation is still running`);
    // Stale while revalidate: an old profile is served and recompiled in the background.
    if (this.o.intervals.profile > 0 && Date.now() - got.value.compiledAtMs > this.o.intervals.profile && !this.scheduler.isBusy(userId, 'profile')) this.enqueue(userId, 'profile', 'stale');
    return { profile: got.value, tier: got.tier };
  }

  private async resolveProfile(userId: string, b: ProfileBody, signal: AbortSignal | undefined): Promise<ResolvedProfile> {
    const ids = [...new Set([...b.top, ...b.recent, ...b.preferences])];
    const live = new Map((await this.store.get(userId, ids, signal ? { signal } : {})).map((r) => [r.id, strip(r)]));
    const pick = (list: string[]) => list.map((id) => live.get(id)).filter((r): r is MemoryRecord => r !== undefined);
    const summary = summaryText(b);
    return {
      userId,
      compiledAtMs: b.compiledAtMs,
      memoryCount: b.memoryCount,
      top: pick(b.top),
      recent: pick(b.recent),
      preferences: pick(b.preferences),
      entities: b.entities.map((e) => ({ name: e.name, count: e.count })),
      topics: b.topics,
      summary,
      summaryTokens: estimateTokens(summary),
      generator: generatorOf(b),
    };
  }

  private async topicIndex(ctx: CallContext | undefined, userId: string, generations?: UserGenerations): Promise<{ value: TopicIndex; tier: ServedBy }> {
    const g = generations ?? (await this.coherence.generation(userId));
    const got = await this.cached(cacheKeys.topics(userId, g), topicsCodec, async () => {
      const rows = await this.metadata.listPrecomputed(userId, KIND_TOPIC, true);
      return {
        topics: rows
          .map((r) => {
            const b = r.body as TopicBody;
            return { id: r.key, label: b.label, terms: b.terms, size: r.sources.length, summary: summaryText(b), generator: generatorOf(b), generatedAtMs: r.generatedAtMs, memberIds: r.sources, centroid: Float32Array.from(b.centroid) };
          })
          .sort((a, b) => b.size - a.size || (a.id < b.id ? -1 : 1)),
      };
    });
    throwIfAborted(ctx?.signal);
    return got!;
  }

  async listTopics(ctx: CallContext, rawUserId: string): Promise<{ topics: TopicView[]; tier: ServedBy }> {
    const userId = v.checkUserId(rawUserId);
    const { value, tier } = await this.topicIndex(ctx, userId);
    if (value.topics.length === 0 && this.o.enabled && this.scheduler.lastRunAt(userId, 'clusters') === 0) this.enqueue(userId, 'clusters', 'request');
    return { topics: value.topics, tier };
  }

  async getTopic(ctx: CallContext, rawUserId: string, rawTopicId: string): Promise<{ topic: TopicView; tier: ServedBy }> {
    const userId = v.checkUserId(rawUserId);
    const topicId = v.checkIdentifier('topic_id', rawTopicId, true);
    const { value, tier } = await this.topicIndex(ctx, userId);
    const topic = value.topics.find((t) => t.id === topicId);
    if (!topic) throw new NotFoundError(`topic ${topicId} not found`);
    return { topic, tier };
  }

  async getSummary(ctx: CallContext, rawUserId: string, rawKind: string, rawKey: string): Promise<{ summary: SummaryView; tier: ServedBy }> {
    const userId = v.checkUserId(rawUserId);
    const kind = rawKind.trim().toLowerCase();
    if (kind === 'topic') {
      const { topic, tier } = await this.getTopic(ctx, userId, rawKey);
      return { summary: { kind, key: topic.id, text: topic.summary, generator: topic.generator, sourceIds: topic.memberIds, memoryCount: topic.size, generatedAtMs: topic.generatedAtMs }, tier };
    }
    if (kind !== 'entity' && !(PERIOD_KINDS as readonly string[]).includes(kind)) throw new InvalidArgumentError('kind', `must be one of topic, day, week, month, entity, got "${rawKind}"`);
    const key = kind === 'entity' ? v.checkShort('key', rawKey) : rawKey.trim();
    if (!key) throw new InvalidArgumentError('key', 'is required');
    if (kind !== 'entity') periodRange(kind as PeriodKind, key, 'key');
    const generations = await this.coherence.generation(userId);
    const view = (row: { body: unknown; generatedAtMs: number }): SummaryView => {
      const b = row.body as SummaryBody;
      return { kind, key, text: summaryText(b), generator: generatorOf(b), sourceIds: [...b.segments.map((s) => s.id), ...(b.llm?.sources ?? [])], memoryCount: b.memoryCount, generatedAtMs: row.generatedAtMs };
    };
    const got = await this.cached(cacheKeys.summary(userId, generations, kind, key), summaryCodec, async () => {
      const row = await this.metadata.getPrecomputed(userId, KIND_SUMMARY, `${kind}:${key}`);
      if (row) return view(row);
      // Not precomputed (an older period, a rarer entity): made now, within the call's deadline, and kept.
      const signal = ctx.signal ?? new AbortController().signal;
      const started = Date.now();
      const made = await this.jobs.summaryRow(userId, kind as PeriodKind | 'entity', key, signal, this.jobs.llmBudget());
      if (!made) return undefined;
      await this.metadata.putPrecomputed(userId, [made], { readSinceMs: started, prune: pruneArtifact });
      return view({ body: made.body, generatedAtMs: Date.now() });
    });
    if (!got) return { summary: { kind, key, text: '', generator: 'extractive', sourceIds: [], memoryCount: 0, generatedAtMs: Date.now() }, tier: 'L3' };
    return { summary: got.value, tier: got.tier };
  }

  /** Memories most similar to one memory: its precomputed list when it has one, else a live search. */
  async getRelated(ctx: CallContext, rawUserId: string, rawId: string, topK: number | undefined): Promise<{ hits: { memory: MemoryRecord; similarity: number }[]; precomputed: boolean }> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('id', rawId, true);
    const k = topK === undefined || topK === 0 ? 10 : topK;
    if (!Number.isInteger(k) || k < 1 || k > this.o.maxTopK) throw new InvalidArgumentError('top_k', `must be between 1 and ${this.o.maxTopK}, got ${topK}`);
    const opts = ctx.signal ? { signal: ctx.signal } : {};
    const [self] = await this.store.get(userId, [id], opts);
    if (!self) throw new NotFoundError(`memory ${id} not found`);
    const row = await this.cached(cacheKeys.related(userId, await this.coherence.generation(userId), id), similarCodec, async () => {
      const r = await this.metadata.getPrecomputed(userId, KIND_SIMILAR, id);
      return r ? (r.body as SimilarBody) : undefined;
    });
    if (row && row.value.neighbors.length >= Math.min(k, this.o.similarityTopK)) {
      const wanted = row.value.neighbors.slice(0, k);
      const live = new Map((await this.store.get(userId, wanted.map((n) => n.id), opts)).map((r) => [r.id, r]));
      const hits = wanted.filter((n) => live.has(n.id)).map((n) => ({ memory: strip(live.get(n.id)!), similarity: n.similarity }));
      return { hits, precomputed: true };
    }
    const found = await this.store.search(userId, { vector: Float32Array.from(self.embedding), k: k + 1, ef: 128, exact: false, withVectors: false }, opts);
    return { hits: found.filter((h) => h.record.id !== id).slice(0, k).map((h) => ({ memory: strip(h.record), similarity: h.similarity })), precomputed: false };
  }

  // ---- jobs --------------------------------------------------------------------------------

  async trigger(_ctx: CallContext, rawUserId: string, rawJob: string): Promise<JobRun> {
    const userId = v.checkUserId(rawUserId);
    const job = rawJob.trim().toLowerCase();
    if (job === 'maintenance') throw new UnimplementedError('maintenance jobs (decay, TTL, compression, archival, GC) are not built yet');
    if (!(JOB_KINDS as readonly string[]).includes(job)) throw new InvalidArgumentError('job', `must be one of ${JOB_KINDS.join(', ')}, got "${rawJob}"`);
    if (!this.o.enabled) throw new UnimplementedError('precompute is turned off on this deployment (PRECOMPUTE=false)');
    const id = await this.scheduler.enqueue(userId, job as JobKind, 'request', { record: true });
    if (!id) throw new ResourceExhaustedError(`the precompute queue is full (${this.o.queueMax}); try again later`);
    return this.scheduler.status(id)!;
  }

  async getJob(_ctx: CallContext, rawUserId: string, rawId: string): Promise<JobRun> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('job_id', rawId, true);
    const local = this.scheduler.status(id);
    if (local && local.userId === userId) return local;
    const stored = await this.metadata.getJobRun(userId, id);
    if (!stored) throw new NotFoundError(`job ${id} not found`);
    return stored;
  }

  /** Waits for a run to finish (tests, benchmarks). */
  waitForJob(id: string, timeoutMs = 60_000): Promise<JobRun> {
    return Promise.race([
      this.scheduler.wait(id),
      new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new DeadlineExceededError(`job ${id} did not finish in ${timeoutMs} ms`)), timeoutMs);
        t.unref();
      }),
    ]);
  }

  // ---- topic routing -----------------------------------------------------------------------

  /**
   * The members of the topic whose centroid is closest to `vector`, when that is at least
   * `routingMinSimilarity` and the topic has at most `routingMaxMembers` members; undefined
   * otherwise. Only answers from L1 (never waits): a miss loads the topics in the background.
   */
  route(userId: string, generations: UserGenerations, vector: Float32Array): string[] | undefined {
    if (this.o.routingMinSimilarity <= 0) return undefined;
    const key = cacheKeys.topics(userId, generations);
    const index = this.cache.l1.get<TopicIndex>(key, 'precomputed');
    if (!index) {
      if (!this.topicLoads.has(key)) {
        this.topicLoads.add(key);
        void this.topicIndex(undefined, userId, generations)
          .catch((err: unknown) => this.log.debug({ err, userId }, 'topic index load failed'))
          .finally(() => this.topicLoads.delete(key));
      }
      return undefined;
    }
    let best: TopicView | undefined;
    let bestSim = -Infinity;
    for (const t of index.topics) {
      const c = t.centroid;
      let s = 0;
      for (let d = 0; d < c.length; d++) s += c[d]! * vector[d]!;
      if (s > bestSim) [bestSim, best] = [s, t];
    }
    if (!best || bestSim < this.o.routingMinSimilarity || best.size > this.o.routingMaxMembers) return undefined;
    return best.memberIds;
  }
}
