/**
 * Reads of precomputed artifacts: profiles, topics, summaries, related memories. They go
 * L1 → L2 → metadata store under keys that carry the user's cache generation (moved by strong
 * deletes) and artifact generation (moved by every run), so neither a deleted memory nor an
 * older run's result is served once the move is known (keys.ts, coherence.ts).
 *
 * A read that finds nothing precomputed asks for a run and waits for it a little (within the
 * caller's deadline); a stale profile is served while a new one is compiled. A summary no run
 * has made (an older period, a rarer entity) is made on the spot and kept.
 */
import type { CacheCoherence } from '../engine/cache/coherence.js';
import type { Codec } from '../engine/cache/codecs.js';
import { cacheKeys, type UserGenerations } from '../engine/cache/keys.js';
import type { ServedBy, TieredCache } from '../engine/cache/tiered-cache.js';
import type { CallContext } from '../engine/memory-engine.js';
import type { Nearest } from '../engine/nearest.js';
import type { MemoryRecord } from '../engine/types.js';
import * as v from '../engine/validate.js';
import { InvalidArgumentError, NotFoundError, throwIfAborted } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import {
  generatorOf,
  KIND_PROFILE,
  KIND_SIMILAR,
  KIND_SUMMARY,
  KIND_TOPIC,
  pruneArtifact,
  summaryText,
  textSources,
  type ProfileBody,
  type SimilarBody,
  type SummaryBody,
  type TopicBody,
} from './artifacts.js';
import type { JobDeps } from './jobs/context.js';
import { LlmBudget } from './jobs/context.js';
import { summaryRow } from './jobs/summaries.js';
import { PERIOD_KINDS, periodRange, type PeriodKind } from './periods.js';
import type { JobKind, PrecomputeScheduler } from './scheduler.js';
import { timeSlicer } from './slicer.js';
import { estimateTokens } from './text.js';
import type { PrecomputeTriggers } from './triggers.js';
import type { VectorStore } from '../engine/vector/vector-store.js';

export interface ResolvedProfile {
  userId: string;
  compiledAtMs: number;
  memoryCount: number;
  top: MemoryRecord[];
  recent: MemoryRecord[];
  preferences: MemoryRecord[];
  /** Most-named entities, with up to 200 of the memories naming each (as compiled). */
  entities: { name: string; count: number; ids: string[] }[];
  topics: { id: string; label: string; size: number }[];
  summary: string;
  /** Memories whose text the summary carries. */
  summarySources: string[];
  summaryTokens: number;
  generator: string;
}

export interface TopicView {
  id: string;
  label: string;
  terms: string[];
  size: number;
  summary: string;
  /** Memories whose text the summary carries. */
  summarySources: string[];
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

export interface TopicIndex {
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

export interface ReadOptions {
  enabled: boolean;
  /** A profile older than this is served and recompiled in the background. */
  profileIntervalMs: number;
  /** How long a read waits for a first run (bounded by the caller's deadline). */
  firstRunWaitMs: number;
  maxTopK: number;
  similarityTopK: number;
}

export interface ReadDeps {
  store: VectorStore;
  nearest: Nearest;
  metadata: MetadataStore;
  cache: TieredCache;
  coherence: CacheCoherence;
  scheduler: PrecomputeScheduler;
  triggers: PrecomputeTriggers;
  /** For summaries made on demand. */
  jobs: JobDeps;
}

function summaryView(kind: string, key: string, row: { body: unknown; generatedAtMs: number }): SummaryView {
  const b = row.body as SummaryBody;
  return { kind, key, text: summaryText(b), generator: generatorOf(b), sourceIds: textSources(b), memoryCount: b.memoryCount, generatedAtMs: row.generatedAtMs };
}

export class PrecomputeReads {
  constructor(
    private readonly d: ReadDeps,
    private readonly o: ReadOptions,
  ) {}

  /** Waits (up to the caller's deadline and `firstRunWaitMs`) for a run asked for by a read. */
  private async firstRun(ctx: CallContext, userId: string, kind: JobKind): Promise<void> {
    if (!this.o.enabled) return;
    const id = await this.d.scheduler.enqueue(userId, kind, 'request');
    if (!id) return;
    const left = Math.min(this.o.firstRunWaitMs, ctx.deadlineMs !== undefined ? ctx.deadlineMs - Date.now() - 5 : Infinity);
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.d.scheduler.wait(id),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
    throwIfAborted(ctx.signal);
  }

  async getProfile(ctx: CallContext, rawUserId: string): Promise<{ profile: ResolvedProfile; tier: ServedBy }> {
    const userId = v.checkUserId(rawUserId);
    let got = await this.cachedProfile(ctx, userId);
    if (!got) {
      await this.firstRun(ctx, userId, 'profile');
      // The first run moved the artifact generation: ask again.
      got = await this.cachedProfile(ctx, userId);
    }
    if (!got) throw new NotFoundError(`no profile for user ${userId} yet: it has no memories, or its first compilation is still running`);
    this.refreshIfStale(userId, got.value);
    return { profile: got.value, tier: got.tier };
  }

  /** The profile when one is compiled (never waits for a run: asks for one and answers undefined). */
  async peekProfile(ctx: CallContext, userId: string): Promise<{ profile: ResolvedProfile; tier: ServedBy } | undefined> {
    const got = await this.cachedProfile(ctx, userId);
    if (!got) {
      if (this.o.enabled && !this.d.scheduler.isBusy(userId, 'profile')) this.d.triggers.enqueue(userId, 'profile', 'request');
      return undefined;
    }
    this.refreshIfStale(userId, got.value);
    return { profile: got.value, tier: got.tier };
  }

  private async cachedProfile(ctx: CallContext, userId: string): Promise<{ value: ResolvedProfile; tier: ServedBy } | undefined> {
    const load = async (): Promise<ResolvedProfile | undefined> => {
      const row = await this.d.metadata.getPrecomputed(userId, KIND_PROFILE, '');
      if (!row) return undefined;
      return this.resolveProfile(userId, row.body as ProfileBody, ctx.signal);
    };
    return this.d.cache.get(cacheKeys.profile(userId, await this.d.coherence.generation(userId)), profileCodec, load);
  }

  /** Stale while revalidate: an old profile is served and recompiled in the background. */
  private refreshIfStale(userId: string, p: ResolvedProfile): void {
    if (this.o.profileIntervalMs > 0 && Date.now() - p.compiledAtMs > this.o.profileIntervalMs && !this.d.scheduler.isBusy(userId, 'profile')) this.d.triggers.enqueue(userId, 'profile', 'stale');
  }

  private async resolveProfile(userId: string, b: ProfileBody, signal: AbortSignal | undefined): Promise<ResolvedProfile> {
    const ids = [...new Set([...b.top, ...b.recent, ...b.preferences])];
    const live = new Map((await this.d.store.get(userId, ids, signal ? { signal } : {})).map((r) => [r.id, strip(r)]));
    const pick = (list: string[]) => list.map((id) => live.get(id)).filter((r): r is MemoryRecord => r !== undefined);
    const summary = summaryText(b);
    return {
      userId,
      compiledAtMs: b.compiledAtMs,
      memoryCount: b.memoryCount,
      top: pick(b.top),
      recent: pick(b.recent),
      preferences: pick(b.preferences),
      entities: b.entities.map((e) => ({ name: e.name, count: e.count, ids: e.ids })),
      topics: b.topics,
      summary,
      summarySources: textSources(b),
      summaryTokens: estimateTokens(summary),
      generator: generatorOf(b),
    };
  }

  /** The user's topics, largest first (also what topic routing reads). */
  async topicIndex(ctx: CallContext | undefined, userId: string, generations?: UserGenerations): Promise<{ value: TopicIndex; tier: ServedBy }> {
    const g = generations ?? (await this.d.coherence.generation(userId));
    const got = await this.d.cache.get(cacheKeys.topics(userId, g), topicsCodec, async () => {
      const rows = await this.d.metadata.listPrecomputed(userId, KIND_TOPIC, true);
      return {
        topics: rows
          .map((r) => {
            const b = r.body as TopicBody;
            return {
              id: r.key,
              label: b.label,
              terms: b.terms,
              size: r.sources.length,
              summary: summaryText(b),
              summarySources: textSources(b),
              generator: generatorOf(b),
              generatedAtMs: r.generatedAtMs,
              memberIds: r.sources,
              centroid: Float32Array.from(b.centroid),
            };
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
    if (value.topics.length === 0 && this.o.enabled && this.d.scheduler.lastRunAt(userId, 'clusters') === 0) this.d.triggers.enqueue(userId, 'clusters', 'request');
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
    if (kind !== 'entity' && !(PERIOD_KINDS as readonly string[]).includes(kind)) throw new InvalidArgumentError('kind', `must be one of topic, day, week, month, entity, got ${v.echo(rawKind)}`);
    const key = kind === 'entity' ? v.checkShort('key', rawKey) : rawKey.trim();
    if (!key) throw new InvalidArgumentError('key', 'is required');
    if (kind !== 'entity') periodRange(kind as PeriodKind, key, 'key');
    const generations = await this.d.coherence.generation(userId);
    const view = (row: { body: unknown; generatedAtMs: number }): SummaryView => summaryView(kind, key, row);
    const got = await this.d.cache.get(cacheKeys.summary(userId, generations, kind, key), summaryCodec, async () => {
      const row = await this.d.metadata.getPrecomputed(userId, KIND_SUMMARY, `${kind}:${key}`);
      if (row) return view(row);
      // Not precomputed: made now, within the call's deadline, with an LLM budget of its own, and kept.
      const signal = ctx.signal ?? new AbortController().signal;
      const started = Date.now();
      const made = await summaryRow(this.d.jobs, userId, kind as PeriodKind | 'entity', key, signal, new LlmBudget(this.d.jobs.o.llmMaxCalls), timeSlicer());
      if (!made) return undefined;
      await this.d.metadata.putPrecomputed(userId, [made], { readSinceMs: started, prune: pruneArtifact });
      return view({ body: made.body, generatedAtMs: Date.now() });
    });
    if (!got) return { summary: { kind, key, text: '', generator: 'extractive', sourceIds: [], memoryCount: 0, generatedAtMs: Date.now() }, tier: 'L3' };
    return { summary: got.value, tier: got.tier };
  }

  /** The precomputed neighbour list of a memory, when a run made one (never searches). */
  async neighbours(ctx: CallContext, userId: string, id: string, generations?: UserGenerations): Promise<{ value: SimilarBody; tier: ServedBy } | undefined> {
    const g = generations ?? (await this.d.coherence.generation(userId));
    const got = await this.d.cache.get(cacheKeys.related(userId, g, id), similarCodec, async () => {
      const r = await this.d.metadata.getPrecomputed(userId, KIND_SIMILAR, id);
      return r ? (r.body as SimilarBody) : undefined;
    });
    throwIfAborted(ctx.signal);
    return got;
  }

  /** An entity or period summary a run (or an earlier request) made; undefined otherwise (never makes one). */
  async storedSummary(ctx: CallContext, userId: string, kind: PeriodKind | 'entity', key: string, generations?: UserGenerations): Promise<{ summary: SummaryView; tier: ServedBy } | undefined> {
    const g = generations ?? (await this.d.coherence.generation(userId));
    const got = await this.d.cache.get(cacheKeys.summary(userId, g, kind, key), summaryCodec, async () => {
      const row = await this.d.metadata.getPrecomputed(userId, KIND_SUMMARY, `${kind}:${key}`);
      return row ? summaryView(kind, key, row) : undefined;
    });
    throwIfAborted(ctx.signal);
    return got ? { summary: got.value, tier: got.tier } : undefined;
  }

  /** Memories most similar to one memory: its precomputed list when it has one, else a live search. */
  async getRelated(ctx: CallContext, rawUserId: string, rawId: string, topK: number | undefined): Promise<{ hits: { memory: MemoryRecord; similarity: number }[]; precomputed: boolean }> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('id', rawId, true);
    const k = topK === undefined || topK === 0 ? 10 : topK;
    if (!Number.isInteger(k) || k < 1 || k > this.o.maxTopK) throw new InvalidArgumentError('top_k', `must be between 1 and ${this.o.maxTopK}, got ${topK}`);
    const opts = ctx.signal ? { signal: ctx.signal } : {};
    const [self] = await this.d.store.get(userId, [id], opts);
    if (!self) throw new NotFoundError(`memory ${id} not found`);
    const row = await this.neighbours(ctx, userId, id);
    if (row && row.value.neighbors.length >= Math.min(k, this.o.similarityTopK)) {
      const wanted = row.value.neighbors.slice(0, k);
      const live = new Map(
        (
          await this.d.store.get(
            userId,
            wanted.map((n) => n.id),
            opts,
          )
        ).map((r) => [r.id, r]),
      );
      const hits = wanted.filter((n) => live.has(n.id)).map((n) => ({ memory: strip(live.get(n.id)!), similarity: n.similarity }));
      return { hits, precomputed: true };
    }
    const [found] = await this.d.nearest(userId, [Float32Array.from(self.embedding)], k + 1, {
      queryClass: 'PRIMARY',
      ...opts,
      ...(ctx.deadlineMs !== undefined ? { deadlineMs: ctx.deadlineMs } : {}),
    });
    return {
      hits: found!
        .filter((h) => h.record.id !== id)
        .slice(0, k)
        .map((h) => ({ memory: strip(h.record), similarity: h.similarity })),
      precomputed: false,
    };
  }
}
