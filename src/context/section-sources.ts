/**
 * Where each section's candidates come from. Every source takes the same per-call inputs (a
 * Turn), reads through the caches, and returns a SectionDraft whose memories are scored by the
 * same ranking a Search uses (similarity to the query, importance, recency) times the section's
 * weight; or throws SectionSkipped when it has nothing to say for this turn.
 */
import type { CachedPool } from '../engine/cache/codecs.js';
import type { ServedBy, TieredCache } from '../engine/cache/tiered-cache.js';
import type { CallContext, MemoryEngine, SearchResult } from '../engine/memory-engine.js';
import { efFor } from '../engine/query-class.js';
import type { MemoryRecord, QueryClass, VectorHit } from '../engine/types.js';
import { throwIfAborted } from '../errors.js';
import { compileFilter } from '../engine/filter.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import type { Metrics } from '../observability/metrics.js';
import type { ResolvedProfile, TopicView } from '../precompute/index.js';
import type { PrecomputeReads } from '../precompute/reads.js';
import { memoriesById } from './memories-by-id.js';
import { memoryLine, type Candidate, type SectionDraft } from './packer.js';
import type { CandidatePools, Generations, PoolSource } from './pools.js';
import type { ContextRequest } from './request.js';
import { SECTION_SPECS, TOKENS_PER_MEMORY_LINE, type SectionName, type Stage } from './sections.js';
import { namedEntities } from './entity-match.js';
import { findTimeWindow } from './time-reference.js';
import type { MissingReason } from './sections.js';

/** A section with nothing to add for this turn (not a failure). */
export class SectionSkipped extends Error {
  constructor(
    readonly reason: Extract<MissingReason, 'not_ready' | 'empty'>,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** What every source of one call shares; the promises start once, on first use. */
export interface Turn {
  req: ContextRequest;
  generations: () => Promise<Generations>;
  /** The user's last write by another instance (one Redis read per turn, however many sessions it reads). */
  foreignWrite: () => Promise<number>;
  vector: () => Promise<Float32Array>;
  profile: () => Promise<{ profile: ResolvedProfile; tier: ServedBy } | undefined>;
  topics: () => Promise<{ topics: TopicView[]; tier: ServedBy }>;
  /** The PRIMARY search of the turn (the semantic section, and what `related` expands). */
  search: () => Promise<SearchResult>;
}

export interface SourceOptions {
  poolMax: number;
  /** Topics at least this similar to the query make the topics section (at most `maxTopics`). */
  topicMinSimilarity: number;
  maxTopics: number;
  maxEntities: number;
  /** Memories a filtered search adds when a pool could not hold every match. */
  filteredK: number;
  /** Neighbour lists read for `related`: those of this many top hits. */
  relatedSeeds: number;
  relatedPerSeed: number;
}

/** Memories of the last session shown when this session is new. */
const LAST_SESSION_MEMORIES = 10;
/** How far back the last session is looked for. */
const LAST_SESSION_SCAN = 200;

/** A top hit's precomputed neighbour ranks at least this share of the hit's score. */
const NEIGHBOUR_INHERIT = 0.85;
/** The turn before or after a top hit in its session ranks at least this share of the hit's score. */
const ADJACENT_INHERIT = 0.8;
/** Rendered lines remembered by memory version. */
const LINE_MEMO = 50_000;

function similarity(q: Float32Array, v: Float32Array): number | undefined {
  if (v.length !== q.length || v.length === 0) return undefined;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += q[i]! * v[i]!;
  return s;
}

export class SectionSources {
  private readonly lines = new Map<string, string>();
  /** Centroids of a cached topic index as one matrix (dropped with the index). */
  private readonly centroids = new WeakMap<readonly TopicView[], Float32Array>();

  constructor(
    private readonly d: { engine: MemoryEngine; store: VectorStore; cache: TieredCache; reads: PrecomputeReads; pools: CandidatePools; metrics: Metrics },
    private readonly o: SourceOptions,
  ) {}

  private weight(t: Turn, name: SectionName): number {
    return t.req.sections.get(name)?.weight ?? SECTION_SPECS[name].weight;
  }

  /**
   * A section's weight for memories its filter picked out of the user's: a default boost (a
   * weight above 1) counts as much as the filter is selective — an entity or a time window most
   * memories match says little about the turn. A caller's weight applies as given.
   */
  private async boosted(t: Turn, name: SectionName, matching: number): Promise<number> {
    const given = t.req.sections.get(name)?.weight;
    const w = SECTION_SPECS[name].weight;
    if (given !== undefined || w <= 1) return given ?? w;
    const total = (await t.profile())?.profile.memoryCount ?? 0;
    const share = total > 0 ? Math.min(1, matching / total) : 0.5;
    return 1 + (w - 1) * (1 - share);
  }

  /** A memory as a candidate of `section`, scored against the query. */
  private candidate(t: Turn, section: SectionName, r: MemoryRecord, sim: number, stage: Stage = SECTION_SPECS[section].stage, weight = this.weight(t, section)): Candidate {
    return this.candidateScored(section, r, weight * this.d.engine.relevance(r, sim, t.req.nowMs), stage);
  }

  /** The record itself, not a copy (nothing downstream changes it, and the edge leaves vectors out). */
  private candidateScored(section: SectionName, memory: MemoryRecord, score: number, stage: Stage = SECTION_SPECS[section].stage): Candidate {
    const key = `m:${memory.id}:${memory.version}`;
    let text = this.lines.get(key);
    if (text === undefined) {
      if (this.lines.size >= LINE_MEMO) this.lines.delete(this.lines.keys().next().value!);
      this.lines.set(key, (text = memoryLine(memory)));
    }
    return { section, memory, text, key, score, stage, immediate: false };
  }

  /** A memory's relevance to the turn; one the turn's (hybrid) search ranked keeps at least that rank: its keywords count too. */
  private relevance(t: Turn, r: MemoryRecord, similarity: number, searched?: ReadonlyMap<string, number>): number {
    return Math.max(this.d.engine.relevance(r, similarity, t.req.nowMs), searched?.get(r.id) ?? -Infinity);
  }

  /**
   * A pool's records scored against the query; only the best of them become candidates (no
   * section can show more memories than the budget holds lines).
   */
  private scored(t: Turn, section: SectionName, records: readonly MemoryRecord[], vector: Float32Array, w = this.weight(t, section), searched?: ReadonlyMap<string, number>): Candidate[] {
    const scores = records.map((r, i) => ({ i, score: w * this.relevance(t, r, similarity(vector, r.embedding) ?? 0, searched) }));
    const keep = Math.max(20, Math.ceil(t.req.budget / TOKENS_PER_MEMORY_LINE));
    if (scores.length > keep) scores.sort((a, b) => b.score - a.score || a.i - b.i).length = keep;
    return scores.map(({ i, score }) => this.candidateScored(section, records[i]!, score));
  }

  /**
   * A summary an LLM wrote, shown before a section's memories and worth as much as the best of
   * them. Extractive summaries are not shown: they are those memories' own texts, which compete
   * as items (so no text appears twice and no summary crowds out a more specific section).
   */
  private preamble(section: SectionName, text: string, covers: readonly string[], best: number): Candidate {
    const line = `${text.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`;
    return { section, text: line, key: `t:${line}`, score: best, stage: SECTION_SPECS[section].stage, immediate: false, covers };
  }

  private draft(name: SectionName, detail: string, tier: ServedBy, candidates: Candidate[], order: SectionDraft['order'] = 'score'): SectionDraft {
    return { name, title: SECTION_SPECS[name].title, detail, tier, candidates, order };
  }

  /**
   * The profile's preferences and top memories, scored against the query like any other memory;
   * `atOnce` (StreamContext's first stage) scores them by importance and recency only, from the
   * cached profile alone, without waiting for the query's vector or the store.
   */
  async profile(t: Turn, signal: AbortSignal, atOnce = false): Promise<SectionDraft> {
    const got = await t.profile();
    if (!got) throw new SectionSkipped('not_ready', 'no profile is compiled yet (a compilation was asked for)');
    const p = got.profile;
    const shown = written(p.generator) && p.summary.trim() !== '';
    const covered = new Set(shown ? p.summarySources : []);
    const ids = [...new Set([...p.preferences, ...p.top].map((r) => r.id))].filter((id) => !covered.has(id));
    let items: Candidate[];
    if (atOnce) {
      const byId = new Map([...p.preferences, ...p.top].map((r) => [r.id, r]));
      items = ids.map((id) => this.candidate(t, 'profile', byId.get(id)!, 0));
    } else {
      const [vector, records] = await Promise.all([t.vector(), memoriesById(this.d, t.req.userId, ids, signal).then((m) => m.records)]);
      items = this.scored(t, 'profile', records, vector);
    }
    const best = Math.max(0, ...items.map((c) => c.score));
    const candidates = shown ? [this.preamble('profile', p.summary, p.summarySources, best || this.weight(t, 'profile')), ...items] : items;
    return this.draft('profile', '', got.tier, candidates);
  }

  /** This session's memories, newest first; for a new session, the last session's most valuable ones. */
  async session(t: Turn, signal: AbortSignal): Promise<{ draft: SectionDraft; lastSession: ReadonlySet<string> }> {
    const { userId, sessionId } = t.req;
    if (!sessionId) throw new SectionSkipped('empty', 'the request names no session_id');
    const [vector, g] = await Promise.all([t.vector(), t.generations()]);
    throwIfAborted(signal);
    const { pool, tier } = await this.d.pools.readSession(userId, g, sessionId, await t.foreignWrite(), signal);
    if (pool.records.length > 0) {
      const w = await this.boosted(t, 'session', pool.total);
      return { draft: this.draft('session', sessionId, tier, this.scored(t, 'session', pool.records, vector, w), 'newest'), lastSession: new Set() };
    }
    const recent = await this.d.store.scroll(userId, { limit: LAST_SESSION_SCAN, newestFirst: true, withVectors: false, signal });
    const last = recent.records.find((r) => r.sessionId !== '' && r.sessionId !== sessionId)?.sessionId;
    if (!last) throw new SectionSkipped('empty', 'a new session, and no earlier one');
    const prev = await this.d.store.scroll(userId, { filter: { sessionId: last }, limit: this.o.poolMax, newestFirst: true, withVectors: true, signal });
    const value = (r: MemoryRecord) => this.d.engine.relevance(r, 0, t.req.nowMs);
    const kept = [...prev.records].sort((a, b) => value(b) - value(a) || (a.id < b.id ? -1 : 1)).slice(0, LAST_SESSION_MEMORIES);
    return { draft: { ...this.draft('session', `last session ${last}`, 'L3', this.scored(t, 'session', kept, vector), 'newest'), title: 'Last session' }, lastSession: new Set(kept.map((r) => r.id)) };
  }

  /** The ranked search; the first `stage2` hits may go in stage 2, the rest in stage 3 (or all in `stage`). */
  async semantic(t: Turn, res: SearchResult, o: { stage2?: number; stage?: Stage } = {}): Promise<SectionDraft> {
    this.d.metrics.contextCacheReads.inc({ source: 'semantic', tier: res.tier });
    const w = this.weight(t, 'semantic');
    const candidates = res.hits.map((h, i): Candidate => {
      const stage: Stage = o.stage ?? (i < (o.stage2 ?? Infinity) ? 2 : 3);
      return { ...this.candidate(t, 'semantic', h.memory, h.similarity, stage), score: w * h.score };
    });
    if (candidates.length === 0) throw new SectionSkipped('empty', 'no memory matches the query');
    return this.draft('semantic', '', res.tier, candidates);
  }

  /** A deeper search (a higher query class, more hits) for StreamContext's last stage. */
  async deepSearch(ctx: CallContext, t: Turn, k: number, queryClass: QueryClass): Promise<SearchResult> {
    // The text too: the search is hybrid (its keywords), the vector spares a second embedding.
    return this.d.engine.search(ctx, t.req.userId, { query: t.req.query, queryVector: await t.vector(), topK: k, queryClass });
  }

  /** Candidates of one pool, plus a filtered search when the pool could not hold every match. */
  private async fromPool(t: Turn, section: SectionName, source: PoolSource, signal: AbortSignal, boost = true): Promise<{ candidates: Candidate[]; tier: ServedBy; pool: CachedPool }> {
    // The search is the semantic section's anyway; a section whose search failed scores by cosine alone.
    const [g, vector, search] = await Promise.all([t.generations(), t.vector(), t.search().catch(() => undefined)]);
    throwIfAborted(signal);
    const searched = new Map(search?.hits.map((h) => [h.memory.id, h.score]));
    const { pool, tier } = await this.d.pools.read(t.req.userId, g, source, signal);
    const w = boost ? await this.boosted(t, section, pool.total) : Math.min(1, this.weight(t, section));
    const candidates = this.scored(t, section, pool.records, vector, w, searched);
    if (pool.truncated) {
      throwIfAborted(signal);
      const extra = await this.filteredSearch(t, vector, source, signal);
      const have = new Set(pool.records.map((r) => r.id));
      for (const h of extra) {
        if (have.has(h.record.id)) continue;
        candidates.push(this.candidateScored(section, h.record, w * this.relevance(t, h.record, h.similarity, searched)));
      }
    }
    return { candidates, tier, pool };
  }

  /**
   * The best matches of a pool's filter beyond what the pool holds. A topic's members are scored
   * exactly by id (cheap); for an entity or a time window, the turn's ranked search hits that
   * match the filter (a filtered search of the whole index per turn costs more than it adds).
   */
  private async filteredSearch(t: Turn, vector: Float32Array, source: PoolSource, signal: AbortSignal): Promise<VectorHit[]> {
    if (source.kind === 'topic')
      return this.d.store.search(t.req.userId, { vector, k: this.o.filteredK, filter: source.filter, ef: efFor('PRIMARY', undefined), exact: true, withVectors: false }, { signal });
    const matches = compileFilter(source.filter, Date.now());
    return (await t.search()).hits.filter((h) => matches(h.memory)).map((h) => ({ record: h.memory, similarity: h.similarity }));
  }

  /**
   * Topics whose centroid is closest to the query, best first: `topics` (at most maxTopics, above
   * the threshold) and `next` (the two after them, what a drifting conversation may reach next);
   * `all` is every topic, unordered. The centroids are scored as one matrix kept per topic index.
   */
  async closestTopics(t: Turn): Promise<{ topics: { topic: TopicView; similarity: number }[]; next: TopicView[]; all: TopicView[]; tier: ServedBy }> {
    const [{ topics, tier }, vector] = await Promise.all([t.topics(), t.vector()]);
    let matrix = this.centroids.get(topics);
    if (!matrix) {
      matrix = new Float32Array(topics.length * vector.length);
      topics.forEach((x, i) => {
        if (x.centroid.length === vector.length) matrix!.set(x.centroid, i * vector.length);
      });
      this.centroids.set(topics, matrix);
    }
    const d = vector.length;
    const sims = new Float32Array(topics.length);
    for (let i = 0; i < topics.length; i++) {
      let s = 0;
      for (let j = 0, o = i * d; j < d; j++) s += matrix[o + j]! * vector[j]!;
      sims[i] = s;
    }
    // The few best by selection (there may be thousands of topics).
    const best: number[] = [];
    const want = this.o.maxTopics + 2;
    for (let i = 0; i < topics.length; i++) {
      const better = (a: number, b: number) => sims[a]! > sims[b]! || (sims[a] === sims[b] && topics[a]!.id < topics[b]!.id);
      if (best.length < want || better(i, best[best.length - 1]!)) {
        best.push(i);
        best.sort((a, b) => (better(a, b) ? -1 : 1));
        if (best.length > want) best.pop();
      }
    }
    const chosen = best.filter((i) => sims[i]! >= this.o.topicMinSimilarity).slice(0, this.o.maxTopics);
    return {
      topics: chosen.map((i) => ({ topic: topics[i]!, similarity: sims[i]! })),
      next: best.slice(chosen.length, chosen.length + 2).map((i) => topics[i]!),
      all: topics,
      tier,
    };
  }

  async topics(t: Turn, signal: AbortSignal): Promise<SectionDraft> {
    const { topics, all, tier } = await this.closestTopics(t);
    if (all.length === 0) throw new SectionSkipped('not_ready', 'the user has no topics yet (clustering was asked for)');
    if (topics.length === 0) throw new SectionSkipped('empty', 'no topic is close to the query');
    let slowest: ServedBy = tier;
    const candidates: Candidate[] = [];
    for (const { topic } of topics) {
      const got = await this.fromPool(t, 'topics', topicSource(topic), signal);
      slowest = slower(slowest, got.tier);
      const best = Math.max(0, ...got.candidates.map((c) => c.score));
      if (written(topic.generator) && topic.summary.trim()) candidates.push(this.preamble('topics', `${topic.label}: ${topic.summary}`, topic.summarySources, best));
      candidates.push(...got.candidates);
    }
    return this.draft('topics', topics.map((x) => x.topic.label).join('; '), slowest, candidates);
  }

  /** Known entities (the profile's) named in the query or the recent turns. */
  async namedEntities(t: Turn, max: number): Promise<{ name: string; source: PoolSource }[] | undefined> {
    const got = await t.profile();
    if (!got) return undefined;
    const byName = new Map(got.profile.entities.map((e) => [e.name, e]));
    return namedEntities([...byName.keys()], t.req.query, t.req.turns, max).map((name) => ({ name, source: entitySource(name, byName.get(name)) }));
  }

  async entities(t: Turn, signal: AbortSignal): Promise<SectionDraft> {
    const named = await this.namedEntities(t, this.o.maxEntities);
    if (!named) throw new SectionSkipped('not_ready', 'no profile (and so no known entities) yet');
    if (named.length === 0) throw new SectionSkipped('empty', 'no known entity is named in the query or the recent turns');
    const g = await t.generations();
    // The query's own entities are what the turn is about; those only the recent turns name are candidates without a boost.
    const inQuery = new Set(
      namedEntities(
        named.map((x) => x.name),
        t.req.query,
        [],
        named.length,
      ),
    );
    let slowest: ServedBy = 'L1';
    const candidates: Candidate[] = [];
    for (const { name, source } of named) {
      const [got, summary] = await Promise.all([
        this.fromPool(t, 'entities', source, signal, inQuery.has(name)),
        this.d.reads.storedSummary({ signal, requestId: '', actor: '' }, t.req.userId, 'entity', name, g),
      ]);
      slowest = slower(slowest, got.tier);
      const best = Math.max(0, ...got.candidates.map((c) => c.score));
      if (summary && written(summary.summary.generator) && summary.summary.text.trim()) candidates.push(this.preamble('entities', `${name}: ${summary.summary.text}`, summary.summary.sourceIds, best));
      candidates.push(...got.candidates);
    }
    return this.draft('entities', named.map((x) => x.name).join(', '), slowest, candidates);
  }

  async temporal(t: Turn, signal: AbortSignal): Promise<SectionDraft> {
    const w = findTimeWindow(t.req.query, t.req.nowMs);
    if (!w) throw new SectionSkipped('empty', 'the query names no time');
    const got = await this.fromPool(t, 'temporal', windowSource(w.fromMs, w.toMs), signal);
    if (got.candidates.length === 0) throw new SectionSkipped('empty', `no memories from ${w.label}`);
    return this.draft('temporal', w.label, got.tier, got.candidates, 'newest');
  }

  /**
   * One hop from the top hits: their precomputed neighbours, and the turns just before and after
   * each in its session (a question's answer is often the next turn). A neighbour ranks at least
   * as a discounted copy of the hit it hangs off, so it lands right after it when the budget
   * allows, and by its own relevance when that is higher.
   */
  async related(t: Turn, signal: AbortSignal): Promise<SectionDraft> {
    const [res, g, vector] = await Promise.all([t.search(), t.generations(), t.vector()]);
    const w = this.weight(t, 'related');
    const seeds = res.hits.slice(0, this.o.relatedSeeds);
    const ctx = { signal, requestId: '', actor: '' };
    throwIfAborted(signal);
    const lists = await Promise.all(seeds.map((h) => this.d.reads.neighbours(ctx, t.req.userId, h.memory.id, g)));
    let slowest: ServedBy = 'L1';
    for (const l of lists) if (l) slowest = slower(slowest, l.tier);
    this.d.metrics.contextCacheReads.inc({ source: 'related', tier: slowest });
    const inherited = new Map<string, number>();
    const inherit = (id: string, score: number) => inherited.set(id, Math.max(inherited.get(id) ?? 0, score));
    seeds.forEach((h, i) => {
      for (const n of (lists[i]?.value.neighbors ?? []).slice(0, this.o.relatedPerSeed)) inherit(n.id, h.score * NEIGHBOUR_INHERIT);
    });
    // The turns around each hit, from the session pools (cached, and cheap to read by session).
    const sessions = [...new Set(seeds.map((h) => h.memory.sessionId).filter((s) => s !== ''))];
    throwIfAborted(signal);
    const foreignWrite = await t.foreignWrite();
    const pools = new Map(await Promise.all(sessions.map(async (s) => [s, (await this.d.pools.readSession(t.req.userId, g, s, foreignWrite, signal)).pool] as const)));
    const adjacent = new Map<string, MemoryRecord>();
    for (const h of seeds) {
      const pool = pools.get(h.memory.sessionId);
      const at = pool?.records.findIndex((r) => r.id === h.memory.id) ?? -1;
      if (at < 0) continue;
      for (const r of [pool!.records[at - 1], pool!.records[at + 1]]) {
        if (!r) continue;
        adjacent.set(r.id, r);
        inherit(r.id, h.score * ADJACENT_INHERIT);
      }
    }
    const skip = new Set(seeds.map((h) => h.memory.id));
    const ids = [...inherited.keys()].filter((id) => !skip.has(id) && !adjacent.has(id));
    if (lists.every((l) => l === undefined) && adjacent.size === 0) throw new SectionSkipped('not_ready', 'the top memories have no precomputed neighbours yet');
    throwIfAborted(signal);
    const records = [...(await memoriesById(this.d, t.req.userId, ids, signal).then((m) => m.records)), ...[...adjacent.values()].filter((r) => !skip.has(r.id))];
    const candidates = records.map((r) => {
      const own = w * this.d.engine.relevance(r, similarity(vector, r.embedding) ?? 0, t.req.nowMs);
      return this.candidateScored('related', r, Math.max(own, inherited.get(r.id) ?? 0));
    });
    if (candidates.length === 0) throw new SectionSkipped('empty', 'the top memories have no other neighbours');
    return this.draft('related', '', slowest, candidates);
  }
}

/** Whether a summary was written by an LLM (not extracted from the memories it summarises). */
const written = (generator: string) => generator.startsWith('llm:');

const RANK: Record<ServedBy, number> = { L1: 0, L2: 1, L3: 2 };
export const slower = (a: ServedBy, b: ServedBy): ServedBy => (RANK[b] > RANK[a] ? b : a);

export const topicSource = (t: TopicView): PoolSource => ({ kind: 'topic', key: t.id, filter: { ids: t.memberIds }, ids: t.memberIds, centre: t.centroid });
/** An entity's pool; with the profile's record of it, loaded by id. */
export const entitySource = (name: string, known?: { count: number; ids: string[] }): PoolSource => ({
  kind: 'entity',
  key: name,
  filter: { entitiesAny: [name] },
  ...(known ? { ids: known.ids, count: known.count } : {}),
});
export const windowSource = (fromMs: number, toMs: number): PoolSource => ({ kind: 'window', key: `${fromMs}-${toMs}`, filter: { createdAfterMs: fromMs, createdBeforeMs: toMs } });
