/**
 * Context assembly (DESIGN §3): AssembleContext and StreamContext.
 *
 * One call = one Turn (the checked request and the shared reads: query vector, generations,
 * profile, topics, the ranked search, each started once on first use). Every section asked for
 * runs in parallel within its share of the call's remaining time (sections.ts); a section that
 * misses it, or whose backend fails, is left out and named in `missing` (the call fails only when
 * every section failed). The drafts are packed into the budget (packer.ts).
 *
 * StreamContext sends the same material in four stages, each packed from what has arrived,
 * within the tokens that stage may add; memories sent are never sent again. After either call a
 * prefetch plan for the likely next turn is queued (prefetch.ts).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { CacheCoherence } from '../engine/cache/coherence.js';
import type { ServedBy, TieredCache } from '../engine/cache/tiered-cache.js';
import type { CallContext, MemoryEngine, SearchResult } from '../engine/memory-engine.js';
import type { MemoryRecord, QueryClass } from '../engine/types.js';
import type { Limits } from '../engine/validate.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import { DeadlineExceededError, MemoryError, throwIfAborted } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { TopicView } from '../precompute/index.js';
import type { PrecomputeReads } from '../precompute/reads.js';
import { pack, type PackedSection, type SectionDraft } from './packer.js';
import type { CandidatePools } from './pools.js';
import { Prefetcher, type PrefetchPlan } from './prefetch.js';
import { checkContextRequest, type ContextLimits, type ContextRequest, type ContextRequestInput } from './request.js';
import { entitySource, SectionSkipped, SectionSources, topicSource, windowSource, type SourceOptions, type Turn } from './section-sources.js';
import { IMMEDIATE_SHARE, MISSING_REASONS, SECTION_NAMES, TOKENS_PER_MEMORY_LINE, SECTION_SPECS, STAGE_TOKEN_ENDS, STAGES, type MissingReason, type SectionName, type Stage } from './sections.js';
import { findTimeWindow } from './time-reference.js';
import type { TokenCounter } from './tokenizer.js';

export interface AssembledSection {
  name: SectionName;
  title: string;
  detail: string;
  tier: ServedBy;
  memories: MemoryRecord[];
  scores: number[];
  text: string;
  tokens: number;
}

export interface MissingSectionInfo {
  name: SectionName;
  reason: MissingReason;
  detail: string;
}

export interface AssembledContext {
  sections: AssembledSection[];
  text: string;
  tokens: number;
  missing: MissingSectionInfo[];
  budget: number;
  tokenizer: string;
  tookMs: number;
}

export interface ContextChunkOut {
  stage: Stage;
  section?: AssembledSection;
  tokensSoFar: number;
  missing: MissingSectionInfo[];
  done: boolean;
  tokenizer: string;
  tookMs: number;
}

export interface ContextOptions extends SourceOptions {
  limits: Limits;
  request: ContextLimits;
  /** The call's time when the caller sets no deadline. */
  defaultDeadlineMs: number;
  /** Queue a prefetch plan after each call. */
  prefetch: boolean;
  prefetchDelayMs: number;
  maxTopK: number;
}

export interface ContextDeps {
  engine: MemoryEngine;
  store: VectorStore;
  cache: TieredCache;
  coherence: CacheCoherence;
  reads: PrecomputeReads;
  /** Candidate pools (built before the engine: the engine tells them about writes). */
  pools: CandidatePools;
  counter: TokenCounter;
  metrics: Metrics;
  log: Logger;
  /** Foreground load: prefetch waits while it is high. */
  busy: () => boolean;
}

interface Outcome {
  name: SectionName;
  draft?: SectionDraft;
  missing?: MissingSectionInfo;
  error?: unknown;
}

const WEEK_MS = 7 * 86_400_000;
/** StreamContext's first search (stages 2–3); the deep pass asks for the budget's worth. */
const STREAM_FIRST_K = 30;
const STREAM_STAGE2_HITS = 10;
/** StreamContext stage 1: the profile may take this share of the stage, the session the rest. */
const STAGE1_PROFILE_SHARE = 0.6;
/** How long a prefetch plan waits for the service to be less busy (about one conversational pause). */
const PREFETCH_MAX_HOLD_MS = 3000;

export class ContextAssembler {
  private readonly sources: SectionSources;
  private readonly prefetcher: Prefetcher | undefined;
  /** Member sets of cached topic views (dropped with them). */
  private readonly memberSets = new WeakMap<TopicView, Set<string>>();

  constructor(
    private readonly d: ContextDeps,
    private readonly o: ContextOptions,
  ) {
    this.sources = new SectionSources({ engine: d.engine, store: d.store, cache: d.cache, reads: d.reads, pools: d.pools, metrics: d.metrics }, o);
    this.prefetcher = o.prefetch
      ? new Prefetcher(
          { pools: d.pools, store: d.store, cache: d.cache, coherence: d.coherence, metrics: d.metrics, log: d.log },
          { busy: d.busy, delayMs: o.prefetchDelayMs, maxHoldMs: PREFETCH_MAX_HOLD_MS, maxPending: 1000, maxSources: 8 },
        )
      : undefined;
    for (const section of SECTION_NAMES) for (const reason of MISSING_REASONS) d.metrics.contextSectionsMissing.inc({ section, reason }, 0);
    for (const kind of ['topic', 'entity', 'window']) for (const outcome of ['issued', 'used']) d.metrics.contextPrefetch.inc({ kind, outcome }, 0);
    d.metrics.contextPrefetch.inc({ kind: 'round', outcome: 'skipped_busy' }, 0);
    d.metrics.contextPrefetch.inc({ kind: 'memory', outcome: 'kept' }, 0);
    for (const source of ['profile', 'topics', 'semantic', 'related', 'session', 'topic', 'entity', 'window'])
      for (const tier of ['L1', 'L2', 'L3']) d.metrics.contextCacheReads.inc({ source, tier }, 0);
  }

  async assemble(ctx: CallContext, input: ContextRequestInput): Promise<AssembledContext> {
    const started = performance.now();
    const req = checkContextRequest(input, this.o.limits, this.o.request);
    await this.d.counter.ready();
    const deadline = ctx.deadlineMs ?? Date.now() + this.o.defaultDeadlineMs;
    const k = this.semanticK(req.budget);
    const t = this.turn(ctx, req, k);
    const lastSession = { ids: new Set<string>() as ReadonlySet<string> };
    const outcomes = await Promise.all([...req.sections.keys()].map((name) => this.run(ctx, name, deadline, (signal) => this.section(t, name, signal, lastSession))));
    throwIfAborted(ctx.signal);
    this.failIfAllFailed(outcomes);
    const drafts = outcomes.flatMap((o) => (o.draft ? [o.draft] : []));
    await this.markImmediate(t, drafts, lastSession.ids);
    const packed = pack({ drafts, budget: req.budget, caps: this.caps(req), immediateShare: IMMEDIATE_SHARE, counter: this.d.counter });
    const missing = this.missing(outcomes, new Set(packed.sections.map((s) => s.name)), packed.assigned);
    this.queuePrefetch(
      t,
      packed.sections.flatMap((x) => x.items.flatMap((c) => (c.memory ? [c.memory.id] : []))),
    );
    return {
      sections: packed.sections.map(out),
      text: packed.text,
      tokens: packed.tokens,
      missing,
      budget: req.budget,
      tokenizer: this.d.counter.name,
      tookMs: performance.now() - started,
    };
  }

  async stream(ctx: CallContext, input: ContextRequestInput, send: (chunk: ContextChunkOut) => void): Promise<void> {
    const started = performance.now();
    const req = checkContextRequest(input, this.o.limits, this.o.request);
    await this.d.counter.ready();
    const deadline = ctx.deadlineMs ?? Date.now() + this.o.defaultDeadlineMs;
    const deepK = this.semanticK(req.budget);
    const t = this.turn(ctx, req, Math.min(STREAM_FIRST_K, deepK));
    const lastSession = { ids: new Set<string>() as ReadonlySet<string> };
    const running = new Map<SectionName, Promise<Outcome>>();
    for (const name of req.sections.keys())
      running.set(
        name,
        this.run(ctx, name, deadline, (signal) => this.section(t, name, signal, lastSession, { stage2: STREAM_STAGE2_HITS, stream: true })),
      );
    const deep = req.sections.has('semantic') ? this.run(ctx, 'semantic', deadline, (signal) => this.deep(ctx, t, deepK, 'VERIFICATION', signal)) : undefined;
    // Settled promises are awaited again below; nothing may reject unobserved meanwhile.
    for (const p of [...running.values(), deep]) p?.catch(() => undefined);

    const tokenizer = this.d.counter.name;
    const sent = new Set<string>();
    const continued = new Set<SectionName>();
    const used = new Map<SectionName, number>();
    const emitted = new Set<SectionName>();
    const assigned = new Set<SectionName>();
    const drafts = new Map<SectionName, SectionDraft>();
    const outcomes: Outcome[] = [];
    const caps = this.caps(req);
    let tokens = 0;

    const emit = (stage: Stage, budget: number) => {
      throwIfAborted(ctx.signal);
      if (budget <= 0 || drafts.size === 0) return;
      const left = (all: Partial<Record<SectionName, number>>) =>
        Object.fromEntries((Object.entries(all) as [SectionName, number][]).map(([name, cap]) => [name, cap - (used.get(name) ?? 0)])) as Partial<Record<SectionName, number>>;
      const packed = pack({ drafts: [...drafts.values()], budget, caps: left(caps), immediateShare: IMMEDIATE_SHARE, sent, stage, continued, counter: this.d.counter });
      for (const name of packed.assigned) assigned.add(name);
      for (const s of packed.sections) {
        tokens += s.tokens;
        used.set(s.name, (used.get(s.name) ?? 0) + s.tokens);
        for (const c of s.items) {
          if (c.memory) sent.add(c.memory.id);
          for (const id of c.covers ?? []) sent.add(id);
        }
        continued.add(s.name);
        emitted.add(s.name);
        send({ stage, section: out(s), tokensSoFar: tokens, missing: [], done: false, tokenizer, tookMs: performance.now() - started });
      }
    };
    const settle = async (name: SectionName, p: Promise<Outcome> | undefined) => {
      if (!p) return;
      const o = await p;
      throwIfAborted(ctx.signal);
      if (o.draft) {
        const have = drafts.get(name);
        drafts.set(name, have ? { ...have, candidates: [...have.candidates, ...o.draft.candidates], tier: o.draft.tier } : o.draft);
      }
      if (!o.draft && !(name === 'semantic' && drafts.has('semantic'))) outcomes.push(o);
    };
    const stageEnd = (s: Stage) => (s === 4 ? req.budget : Math.min(req.budget, STAGE_TOKEN_ENDS[s]));

    for (const stage of STAGES) {
      const names = [...req.sections.keys()].filter((n) => SECTION_SPECS[n].stage === stage);
      if (stage === 1) {
        // Each as soon as it is ready: the profile (from cache) first, then the session.
        for (const name of names) {
          await settle(name, running.get(name));
          if (!drafts.has(name)) continue;
          await this.markImmediate(t, [...drafts.values()], lastSession.ids, false);
          const room = stageEnd(1) - tokens;
          emit(1, name === 'profile' && req.sections.has('session') ? Math.min(room, Math.floor(stageEnd(1) * STAGE1_PROFILE_SHARE)) : room);
        }
      } else {
        await Promise.all(names.map((n) => settle(n, running.get(n))));
        if (stage === 4) await settle('semantic', deep);
        await this.markImmediate(t, [...drafts.values()], lastSession.ids);
        emit(stage, stageEnd(stage) - tokens);
      }
      this.d.metrics.contextStageDuration.observe({ stage: String(stage) }, (performance.now() - started) / 1000);
    }
    const all: Outcome[] = [...outcomes, ...[...drafts.values()].map((draft) => ({ name: draft.name, draft }))];
    this.failIfAllFailed(all);
    const missing = this.missing(all, emitted, assigned);
    send({ stage: 4, tokensSoFar: tokens, missing, done: true, tokenizer, tookMs: performance.now() - started });
    this.queuePrefetch(t, [...sent]);
  }

  /** WarmSession's follow-up: the pools of the user's active topics and most-named entities. */
  afterWarmSession(ctx: CallContext, userId: string): void {
    this.prefetcher?.schedule(userId, async () => {
      const quiet = { ...ctx, signal: undefined };
      const [profile, topics] = await Promise.all([this.d.reads.peekProfile(quiet, userId), this.d.reads.topicIndex(undefined, userId)]);
      const active = new Set((profile?.profile.topics ?? []).map((x) => x.id));
      return {
        sources: [...topics.value.topics.filter((x) => active.has(x.id)).map(topicSource), ...(profile?.profile.entities ?? []).slice(0, 3).map((e) => entitySource(e.name, e))],
        keep: [],
      };
    });
  }

  close(): Promise<void> {
    return this.prefetcher?.close() ?? Promise.resolve();
  }

  // ---- one call ------------------------------------------------------------------------------

  private semanticK(budget: number): number {
    return Math.max(10, Math.min(this.o.maxTopK, Math.ceil(budget / TOKENS_PER_MEMORY_LINE)));
  }

  private turn(ctx: CallContext, req: ContextRequest, k: number): Turn {
    const once = <T>(f: () => Promise<T>): (() => Promise<T>) => {
      let p: Promise<T> | undefined;
      return () => (p ??= f());
    };
    const m = this.d.metrics;
    const t: Turn = {
      req,
      generations: once(() => this.d.coherence.generation(req.userId)),
      foreignWrite: once(() => this.d.coherence.lastForeignWrite(req.userId)),
      vector: once(async () => req.vector ?? this.d.engine.embedQuery(ctx, req.query)),
      profile: once(async () => {
        const got = await this.d.reads.peekProfile(ctx, req.userId);
        m.contextCacheReads.inc({ source: 'profile', tier: got?.tier ?? 'L3' });
        return got;
      }),
      topics: once(async () => {
        const got = await this.d.reads.listTopics(ctx, req.userId);
        m.contextCacheReads.inc({ source: 'topics', tier: got.tier });
        return got;
      }),
      search: once(async (): Promise<SearchResult> => this.d.engine.search(ctx, req.userId, { query: req.query, queryVector: await t.vector(), topK: k, queryClass: 'PRIMARY' })),
    };
    return t;
  }

  private async section(t: Turn, name: SectionName, signal: AbortSignal, lastSession: { ids: ReadonlySet<string> }, o: { stage2?: number; stream?: boolean } = {}): Promise<SectionDraft> {
    switch (name) {
      case 'profile':
        return this.sources.profile(t, signal, o.stream ?? false);
      case 'session': {
        const got = await this.sources.session(t, signal);
        lastSession.ids = got.lastSession;
        return got.draft;
      }
      case 'semantic':
        return this.sources.semantic(t, await t.search(), o);
      case 'topics':
        return this.sources.topics(t, signal);
      case 'entities':
        return this.sources.entities(t, signal);
      case 'temporal':
        return this.sources.temporal(t, signal);
      case 'related':
        return this.sources.related(t, signal);
    }
  }

  private async deep(ctx: CallContext, t: Turn, k: number, queryClass: QueryClass, signal: AbortSignal): Promise<SectionDraft> {
    const res = await this.sources.deepSearch({ ...ctx, signal }, t, k, queryClass);
    return this.sources.semantic(t, res, { stage: 4 });
  }

  /** Runs one section within its share of the time left; never rejects unless the call is cancelled. */
  private async run(ctx: CallContext, name: SectionName, deadline: number, work: (signal: AbortSignal) => Promise<SectionDraft>): Promise<Outcome> {
    const ms = Math.max(1, (deadline - Date.now()) * SECTION_SPECS[name].deadlineShare);
    const controller = new AbortController();
    setMaxListeners(64, controller.signal);
    const onCallAbort = () => controller.abort(ctx.signal!.reason);
    ctx.signal?.addEventListener('abort', onCallAbort, { once: true });
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      controller.abort(new DeadlineExceededError(`section ${name} missed its ${Math.round(ms)} ms share of the deadline`));
    }, ms);
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }));
    aborted.catch(() => undefined);
    const t0 = performance.now();
    try {
      throwIfAborted(ctx.signal);
      const draft = await Promise.race([work(controller.signal), aborted]);
      if (draft.candidates.length === 0) return this.skip(name, 'empty', 'nothing to add');
      return { name, draft };
    } catch (err) {
      if (ctx.signal?.aborted) throw ctx.signal.reason;
      if (late) return this.skip(name, 'deadline', `missed its ${Math.round(ms)} ms share of the deadline`);
      if (err instanceof SectionSkipped) return this.skip(name, err.reason, err.detail);
      const unavailable = err instanceof MemoryError && err.code === 'UNAVAILABLE';
      if (!unavailable) this.d.log.warn({ err, section: name }, 'context section failed');
      return { ...this.skip(name, unavailable ? 'unavailable' : 'error', err instanceof Error ? err.message.slice(0, 200) : 'failed'), error: err };
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onCallAbort);
      this.d.metrics.contextSectionDuration.observe({ section: name }, (performance.now() - t0) / 1000);
    }
  }

  private skip(name: SectionName, reason: MissingReason, detail: string): Outcome {
    return { name, missing: { name, reason, detail } };
  }

  /** A backend outage in one section is not a failed call; in every section it is. */
  private failIfAllFailed(outcomes: Outcome[]): void {
    if (outcomes.length === 0 || outcomes.some((o) => o.draft || !o.missing || o.error === undefined)) return;
    throw outcomes[0]!.error;
  }

  private missing(outcomes: Outcome[], packed: ReadonlySet<SectionName>, assigned: ReadonlySet<SectionName>): MissingSectionInfo[] {
    const out: MissingSectionInfo[] = [];
    const unpacked = (name: SectionName): MissingSectionInfo =>
      assigned.has(name)
        ? { name, reason: 'budget', detail: 'nothing of it fit in the token budget' }
        : { name, reason: 'covered', detail: 'its memories rank higher in other sections and are shown there' };
    for (const o of outcomes) {
      const m = o.missing ?? (o.draft && !packed.has(o.name) ? unpacked(o.name) : undefined);
      if (!m || out.some((x) => x.name === m.name)) continue;
      out.push(m);
      this.d.metrics.contextSectionsMissing.inc({ section: m.name, reason: m.reason });
    }
    return out.sort((a, b) => SECTION_NAMES.indexOf(a.name) - SECTION_NAMES.indexOf(b.name));
  }

  /** The caller's token shares, as caps in tokens. */
  private caps(req: ContextRequest): Partial<Record<SectionName, number>> {
    const caps: Partial<Record<SectionName, number>> = {};
    for (const [name, s] of req.sections) if (s.cap !== undefined) caps[name] = s.cap;
    return caps;
  }

  /**
   * The "load immediately" rules: pinned; importance > 0.8 and younger than 7 days; in one of the
   * profile's active topics; from the last session. `wait: false` uses only what has arrived.
   */
  private async markImmediate(t: Turn, drafts: SectionDraft[], lastSession: ReadonlySet<string>, wait = true): Promise<void> {
    const active = wait ? await this.activeMembers(t).catch(() => []) : [];
    const now = t.req.nowMs;
    for (const d of drafts)
      for (const c of d.candidates) {
        const r = c.memory;
        if (!r) continue;
        c.immediate = r.pinned || (r.importance > 0.8 && now - r.createdAtMs < WEEK_MS) || lastSession.has(r.id) || active.some((s) => s.has(r.id));
      }
  }

  private async activeMembers(t: Turn): Promise<Set<string>[]> {
    const [profile, topics] = await Promise.all([t.profile(), t.topics()]);
    const active = new Set((profile?.profile.topics ?? []).map((x) => x.id));
    return topics.topics
      .filter((x) => active.has(x.id))
      .map((x) => {
        let s = this.memberSets.get(x);
        if (!s) this.memberSets.set(x, (s = new Set(x.memberIds)));
        return s;
      });
  }

  /** What the next turn will probably need (made when the round runs, off the call's path). */
  private queuePrefetch(t: Turn, keep: string[]): void {
    if (!this.prefetcher) return;
    this.prefetcher.schedule(t.req.userId, async (): Promise<PrefetchPlan> => {
      const sources = [];
      const { next, all } = await this.sources.closestTopics(t).catch(() => ({ next: [] as TopicView[], all: [] as TopicView[] }));
      const turnsText = t.req.turns.slice(-3).join('\n').toLowerCase();
      const named = all.filter((x) => x.label && turnsText.includes(x.label.toLowerCase().split(/[\s,/]+/)[0] ?? '\u0000')).slice(0, 2);
      sources.push(...[...next, ...named].map(topicSource));
      const entities = (await this.sources.namedEntities(t, this.o.maxEntities + 3).catch(() => undefined)) ?? [];
      sources.push(...entities.map((x) => x.source));
      for (const turnText of t.req.turns.slice(-3).reverse()) {
        const w = findTimeWindow(turnText, t.req.nowMs);
        if (w) sources.push(windowSource(w.fromMs, w.toMs));
      }
      return { sources, keep };
    });
  }
}

function out(s: PackedSection): AssembledSection {
  const memories = s.items.filter((c) => c.memory);
  return {
    name: s.name,
    title: s.title,
    detail: s.detail,
    tier: s.tier,
    memories: memories.map((c) => c.memory!),
    scores: memories.map((c) => c.score),
    text: s.text,
    tokens: s.tokens,
  };
}
