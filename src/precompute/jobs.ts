/**
 * The precompute jobs: what each kind reads, computes and writes. Each job reads its inputs
 * from the vector store, computes off the request path (HDBSCAN in a worker thread), and writes
 * its artifacts in one metadata transaction that first prunes whatever was removed meanwhile.
 *
 *   clusters    kNN graph from the index → HDBSCAN → topics (centroid, members, label, summary)
 *   profile     top memories by importance × recency, recent ones, preferences, entities,
 *               active topics, a context summary within a token budget
 *   summaries   day / week / month summaries of recent periods, summaries of the most-named entities
 *   similarity  top-K neighbours of high-importance memories (full rebuild, or incremental for
 *               memories added since the last run)
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ClusterRunner } from '../clusters/cluster-runner.js';
import { toEuclidean } from '../clusters/knn.js';
import { throwIfAborted } from '../errors.js';
import type { MemoryFilter, MemoryRecord } from '../engine/types.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import type { MetadataStore, PrecomputedRow } from '../metadata/metadata-store.js';
import type { Metrics } from '../observability/metrics.js';
import {
  KIND_PROFILE,
  KIND_SIMILAR,
  KIND_SUMMARY,
  KIND_TOPIC,
  pruneArtifact,
  textSources,
  type EntityStat,
  type LlmText,
  type ProfileBody,
  type SimilarBody,
  type SummaryBody,
  type TopicBody,
} from './artifacts.js';
import { periodKey, periodRange, type PeriodKind } from './periods.js';
import type { JobContext } from './scheduler.js';
import { extractSegments, rankForSummary, type Segment, type Summarizer, type SummaryInput } from './summarizer.js';
import { timeSlicer, type Slice } from './slicer.js';
import { asSentence, estimateTokens, leadWithin, words } from './text.js';

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
  metadata: MetadataStore;
  runner: ClusterRunner;
  /** Writes summaries when configured; extractive text is made (and kept) either way. */
  llm: Summarizer | undefined;
  metrics: Metrics;
  log: Logger;
  o: JobOptions;
}

type Counts = Record<string, number>;

/** Every live memory of the user matching `filter`, in creation order. */
export async function readAll(store: VectorStore, userId: string, o: { withVectors: boolean; filter?: MemoryFilter; signal?: AbortSignal; newestFirst?: boolean; limit?: number; pace?: Slice }): Promise<MemoryRecord[]> {
  const out: MemoryRecord[] = [];
  let after: { createdAtMs: number; id: string } | undefined;
  const slice = o.pace ?? timeSlicer();
  for (;;) {
    throwIfAborted(o.signal);
    await slice();
    const limit = Math.min(1000, (o.limit ?? Infinity) - out.length);
    if (limit <= 0) return out;
    const page = await store.scroll(userId, { limit, newestFirst: o.newestFirst ?? false, withVectors: o.withVectors, ...(o.filter ? { filter: o.filter } : {}), ...(after ? { after } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    out.push(...page.records);
    if (!page.next) return out;
    after = page.next;
  }
}

/** The k best items by score, best first (ties: the earlier offered first); O(n·k) for small k. */
class TopK<T> {
  private readonly items: { item: T; score: number }[] = [];
  constructor(private readonly k: number) {}
  offer(item: T, score: number): void {
    const a = this.items;
    if (this.k <= 0 || (a.length === this.k && score <= a[a.length - 1]!.score)) return;
    let i = a.length;
    while (i > 0 && a[i - 1]!.score < score) i--;
    a.splice(i, 0, { item, score });
    if (a.length > this.k) a.pop();
  }
  best(): T[] {
    return this.items.map((x) => x.item);
  }
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

const asInput = (r: MemoryRecord): SummaryInput => ({ id: r.id, content: r.content, embedding: r.embedding, importance: r.importance, createdAtMs: r.createdAtMs });

export class PrecomputeJobs {
  constructor(private readonly d: JobDeps) {}

  /** A fresh LLM budget: one for each run, and one for each on-demand summary. */
  llmBudget(): LlmBudget {
    return new LlmBudget(this.d.o.llmMaxCalls);
  }

  /** Extractive segments, plus LLM text when configured and the run's budget has calls left. */
  private async summarize(items: readonly SummaryInput[], budget: number, subject: string, signal: AbortSignal, calls: LlmBudget): Promise<{ segments: Segment[]; llm?: LlmText; llmFailed: boolean }> {
    const segments = extractSegments(items, budget);
    const llm = this.d.llm;
    if (!llm || items.length === 0 || !calls.take()) return { segments, llmFailed: false };
    try {
      const r = await llm.summarize(rankForSummary(items), { tokenBudget: budget, subject, signal });
      return { segments, llm: { text: r.text, model: llm.model, sources: r.sources }, llmFailed: false };
    } catch (err) {
      throwIfAborted(signal);
      this.d.log.warn({ err, subject }, 'LLM summary failed; keeping the extractive one');
      return { segments, llmFailed: true };
    }
  }

  private async write(ctx: JobContext, rows: Omit<PrecomputedRow, 'generatedAtMs'>[], replaceKinds?: string[]): Promise<Counts> {
    throwIfAborted(ctx.signal);
    const r = await this.d.metadata.putPrecomputed(ctx.userId, rows, { readSinceMs: ctx.startedAtMs, prune: pruneArtifact, ...(replaceKinds ? { replaceKinds } : {}) });
    if (r.pruned > 0) this.d.metrics.precomputeRemovals.inc(r.pruned);
    return { written: r.written, pruned: r.pruned, erased: r.erased ? 1 : 0 };
  }

  // ---- clusters ----------------------------------------------------------------------------

  async clusters(ctx: JobContext): Promise<Counts> {
    const calls = this.llmBudget();
    const { store, metadata, runner, o } = this.d;
    const t0 = performance.now();
    const records = await readAll(store, ctx.userId, { withVectors: true, signal: ctx.signal, pace: ctx.pace });
    const n = records.length;
    const readMs = performance.now() - t0;
    if (n < 2 * o.minClusterSize) {
      const w = await this.write(ctx, [], [KIND_TOPIC]);
      return { memories: n, topics: 0, ...w };
    }
    const dims = store.dimensions;
    const ids = records.map((r) => r.id);
    const vectors = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) {
      vectors.set(records[i]!.embedding, i * dims);
      if (i % 1024 === 0) await ctx.pace();
    }
    const t1 = performance.now();
    const graph = await store.neighborGraph(ctx.userId, ids, vectors, o.knnK, { signal: ctx.signal, pace: ctx.pace });
    const knnMs = performance.now() - t1;
    const result = await runner.run(toEuclidean(graph, n), { minClusterSize: o.minClusterSize, minSamples: o.minSamples }, { vectors, dims }, ctx.signal);
    const t2 = performance.now();
    const groups: number[][] = Array.from({ length: result.clusterCount }, () => []);
    for (let i = 0; i < n; i++) if (result.labels[i]! >= 0) groups[result.labels[i]!]!.push(i);

    // Labels: TF-IDF with topics as documents — a term frequent in this topic and rare in the
    // others; a term found in every topic (a shared word) scores zero.
    const termsOf: string[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      termsOf[i] = [...words(r.content), ...r.tags.map((t) => t.toLowerCase()), ...r.entities.map((e) => e.toLowerCase())];
      if (i % 256 === 0) await ctx.pace();
    }
    const perTopic: { tf: Map<string, number>; total: number }[] = [];
    for (const g of groups) {
      const tf = new Map<string, number>();
      let total = 0;
      for (const i of g) {
        for (const t of termsOf[i]!) {
          tf.set(t, (tf.get(t) ?? 0) + 1);
          total++;
        }
      }
      perTopic.push({ tf, total });
      await ctx.pace();
    }
    const topicsWith = new Map<string, number>();
    for (const t of perTopic) for (const w of t.tf.keys()) topicsWith.set(w, (topicsWith.get(w) ?? 0) + 1);
    const T = perTopic.length;

    // Keep ids of topics that mostly survive (same members): clients can follow a topic.
    const previous = await metadata.listPrecomputed(ctx.userId, KIND_TOPIC, true);
    const owner = new Map<string, string>();
    for (const p of previous) for (const id of p.sources) owner.set(id, p.key);
    const sizeOf = new Map(previous.map((p) => [p.key, p.sources.length]));
    const usedIds = new Set<string>();

    const rows: Omit<PrecomputedRow, 'generatedAtMs'>[] = [];
    let llmFailed = 0;
    for (let c = 0; c < groups.length; c++) {
      throwIfAborted(ctx.signal);
      await ctx.pace();
      const members = groups[c]!;
      const centroid = new Float64Array(dims);
      for (const i of members) for (let x = 0; x < dims; x++) centroid[x]! += vectors[i * dims + x]!;
      const norm = Math.hypot(...centroid) || 1;
      const { tf, total } = perTopic[c]!;
      const terms = [...tf]
        .map(([w, count]) => ({ w, count, score: (count / Math.max(1, total)) * Math.log((1 + T) / (1 + topicsWith.get(w)!)) }))
        .filter((x) => x.score > 0 || T === 1)
        .sort((a, b) => b.score - a.score || b.count - a.count || (a.w < b.w ? -1 : 1))
        .slice(0, 8)
        .map((x) => x.w);
      const votes = new Map<string, number>();
      for (const i of members) {
        const prev = owner.get(ids[i]!);
        if (prev) votes.set(prev, (votes.get(prev) ?? 0) + 1);
      }
      let id = '';
      for (const [key, v] of votes) {
        const union = members.length + (sizeOf.get(key) ?? 0) - v;
        if (v / union >= 0.5 && !usedIds.has(key)) id = key;
      }
      id ||= randomUUID();
      usedIds.add(id);
      const items = members.map((i) => asInput(records[i]!));
      const label = terms.slice(0, 3).join(', ') || `topic ${c + 1}`;
      const text = await this.summarize(items, o.summaryTokenBudget, `memories about "${label}"`, ctx.signal, calls);
      if (text.llmFailed) llmFailed++;
      const body: TopicBody = { label, terms, size: members.length, centroid: Array.from(centroid, (x) => x / norm), segments: text.segments, ...(text.llm ? { llm: text.llm } : {}) };
      rows.push({ kind: KIND_TOPIC, key: id, body, sources: members.map((i) => ids[i]!) });
    }
    const t3 = performance.now();
    const w = await this.write(ctx, rows, [KIND_TOPIC]);
    const noise = result.labels.reduce((s, l) => s + (l < 0 ? 1 : 0), 0);
    return {
      memories: n,
      topics: groups.length,
      noise,
      readMs: Math.round(readMs),
      knnMs: Math.round(knnMs),
      hdbscanMs: Math.round(result.ms),
      topicsMs: Math.round(t3 - t2),
      writeMs: Math.round(performance.now() - t3),
      llmCalls: calls.used,
      llmFailed,
      ...w,
    };
  }

  // ---- profile -----------------------------------------------------------------------------

  async profile(ctx: JobContext): Promise<Counts> {
    const calls = this.llmBudget();
    const { store, metadata, o } = this.d;
    const t0 = performance.now();
    const records = await readAll(store, ctx.userId, { withVectors: false, signal: ctx.signal, pace: ctx.pace });
    const readMs = Math.round(performance.now() - t0);
    if (records.length === 0) return { memories: 0, ...(await this.write(ctx, [], [KIND_PROFILE])) };
    const now = Date.now();
    const value = (r: MemoryRecord) => (r.pinned ? 1 : 0) + r.importance * Math.pow(0.5, Math.max(0, now - r.createdAtMs) / o.recencyHalfLifeMs);
    // One pass, keeping only the best few (a full sort of 100k memories held the event loop ~0.5 s).
    const topAll = new TopK<MemoryRecord>(o.profileTop);
    const topPreferences = new TopK<MemoryRecord>(o.profileTop);
    const entityIds = new Map<string, { name: string; count: number; ids: string[] }>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (i % 1024 === 0) await ctx.pace();
      const v = value(r);
      topAll.offer(r, v);
      if (r.kind === 'preference') topPreferences.offer(r, v);
      for (const e of r.entities) {
        const key = e.toLowerCase();
        let s = entityIds.get(key);
        if (!s) entityIds.set(key, (s = { name: e, count: 0, ids: [] }));
        s.count++;
        if (s.ids.length < 200) s.ids.push(r.id);
      }
    }
    const top = topAll.best();
    const preferences = topPreferences.best();
    const recent = records.slice(-o.profileTop).reverse();
    const entities: EntityStat[] = [...entityIds.values()].sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)).slice(0, o.profileTop);
    // Active topics: most members from the last week, then size.
    await ctx.pace();
    const topicRows = await metadata.listPrecomputed(ctx.userId, KIND_TOPIC, true);
    // Records come oldest first: the last week's are a tail.
    const weekAgo = now - 7 * 86_400_000;
    const lastWeek = new Set<string>();
    for (let i = records.length - 1; i >= 0 && records[i]!.createdAtMs >= weekAgo; i--) lastWeek.add(records[i]!.id);
    const scoredTopics: { id: string; label: string; size: number; recent: number }[] = [];
    for (const t of topicRows) {
      await ctx.pace();
      let recentMembers = 0;
      if (lastWeek.size > 0) for (const id of t.sources) if (lastWeek.has(id)) recentMembers++;
      scoredTopics.push({ id: t.key, label: (t.body as TopicBody).label, size: t.sources.length, recent: recentMembers });
    }
    const topics = scoredTopics
      .sort((a, b) => b.recent - a.recent || b.size - a.size)
      .slice(0, 5)
      .map(({ id, label, size }) => ({ id, label, size }));

    // Context summary: preferences, then the most valuable facts, then what is new; one segment a memory.
    const segments: Segment[] = [];
    const used = new Set<string>();
    let left = o.profileTokenBudget;
    const take = (list: MemoryRecord[], share: number) => {
      let quota = Math.floor(o.profileTokenBudget * share);
      for (const r of list) {
        if (used.has(r.id) || left <= 4 || quota <= 4) continue;
        const room = Math.min(quota, left, 60);
        const text = leadWithin(r.content, room);
        // A first sentence that does not fit the room left is skipped, not cut (unless it is long anyway).
        if (text.endsWith('…') && room < 60) continue;
        const cost = estimateTokens(asSentence(text)) + 1;
        if (cost > left) break;
        segments.push({ id: r.id, text });
        used.add(r.id);
        left -= cost;
        quota -= cost;
      }
    };
    take(preferences, 0.3);
    take(top, 0.5);
    take(recent, 1);
    let llm: LlmText | undefined;
    let llmFailed = 0;
    if (this.d.llm && records.length > 0 && calls.take()) {
      const seen = new Set<string>();
      const items: SummaryInput[] = [];
      for (const r of [...preferences, ...top, ...recent]) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        items.push(asInput(r));
      }
      try {
        const r = await this.d.llm.summarize(items, { tokenBudget: o.profileTokenBudget, subject: 'memories about the user (preferences, key facts, recent events)', signal: ctx.signal });
        llm = { text: r.text, model: this.d.llm.model, sources: r.sources };
      } catch (err) {
        throwIfAborted(ctx.signal);
        llmFailed = 1;
        this.d.log.warn({ err }, 'LLM profile summary failed; keeping the extractive one');
      }
    }
    const body: ProfileBody = {
      compiledAtMs: now,
      memoryCount: records.length,
      top: top.map((r) => r.id),
      recent: recent.map((r) => r.id),
      preferences: preferences.map((r) => r.id),
      entities,
      topics,
      segments,
      ...(llm ? { llm } : {}),
    };
    const sources = [...new Set([...body.top, ...body.recent, ...body.preferences, ...entities.flatMap((e) => e.ids), ...textSources(body)])];
    const w = await this.write(ctx, [{ kind: KIND_PROFILE, key: '', body, sources }]);
    return { memories: records.length, topics: topics.length, entities: entities.length, readMs, llmFailed, ...w };
  }

  // ---- summaries ---------------------------------------------------------------------------

  /** One temporal or entity summary (also used on demand for keys no run has made). */
  async summaryRow(userId: string, kind: PeriodKind | 'entity', key: string, signal: AbortSignal, calls: LlmBudget, pace?: Slice): Promise<Omit<PrecomputedRow, 'generatedAtMs'> | undefined> {
    let filter: MemoryFilter;
    if (kind === 'entity') filter = { entitiesAny: [key] };
    else {
      const [from, to] = periodRange(kind, key);
      filter = { createdAfterMs: from, createdBeforeMs: to };
    }
    // The newest 2,000 are plenty for a summary of a few sentences.
    const records = await readAll(this.d.store, userId, { withVectors: true, filter, signal, newestFirst: true, limit: 2000, ...(pace ? { pace } : {}) });
    if (records.length === 0) return undefined;
    const subject = kind === 'entity' ? `memories mentioning ${key}` : `memories from the ${kind} ${key}`;
    const text = await this.summarize(records.map(asInput), this.d.o.summaryTokenBudget, subject, signal, calls);
    const body: SummaryBody = { kind, key, memoryCount: records.length, segments: text.segments, ...(text.llm ? { llm: text.llm } : {}) };
    return { kind: KIND_SUMMARY, key: `${kind}:${key}`, body, sources: textSources(body) };
  }

  async summaries(ctx: JobContext): Promise<Counts> {
    const calls = this.llmBudget();
    const { store, o } = this.d;
    const now = Date.now();
    const keys: { kind: PeriodKind | 'entity'; key: string }[] = [];
    const seen = new Set<string>();
    const add = (kind: PeriodKind | 'entity', key: string) => {
      if (seen.has(`${kind}:${key}`)) return;
      seen.add(`${kind}:${key}`);
      keys.push({ kind, key });
    };
    for (let d = 0; d < o.temporalDays; d++) add('day', periodKey('day', now - d * 86_400_000));
    for (const w of [0, 7]) add('week', periodKey('week', now - w * 86_400_000));
    add('month', periodKey('month', now));
    add('month', periodKey('month', Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 0)));
    if (o.summaryEntities > 0) {
      const counts = new Map<string, { name: string; n: number }>();
      for (const r of await readAll(store, ctx.userId, { withVectors: false, signal: ctx.signal, pace: ctx.pace })) {
        for (const e of r.entities) {
          const s = counts.get(e.toLowerCase()) ?? { name: e, n: 0 };
          s.n++;
          counts.set(e.toLowerCase(), s);
        }
      }
      for (const e of [...counts.values()].sort((a, b) => b.n - a.n).slice(0, o.summaryEntities)) add('entity', e.name);
    }
    const rows: Omit<PrecomputedRow, 'generatedAtMs'>[] = [];
    for (const k of keys) {
      throwIfAborted(ctx.signal);
      await ctx.pace();
      const row = await this.summaryRow(ctx.userId, k.kind, k.key, ctx.signal, calls, ctx.pace);
      if (row) rows.push(row);
    }
    const w = await this.write(ctx, rows);
    return { summaries: rows.length, llmCalls: calls.used, ...w };
  }

  // ---- similarity --------------------------------------------------------------------------

  private async neighborsOf(userId: string, records: MemoryRecord[], k: number, signal: AbortSignal, pace: Slice): Promise<Map<string, { id: string; similarity: number }[]>> {
    const out = new Map<string, { id: string; similarity: number }[]>();
    for (let i = 0; i < records.length; i += 64) {
      throwIfAborted(signal);
      await pace();
      const chunk = records.slice(i, i + 64);
      const hits = await this.d.store.searchBatch(
        userId,
        chunk.map((r) => ({ vector: Float32Array.from(r.embedding), k: k + 1, ef: 128, exact: false, withVectors: false })),
        { signal },
      );
      chunk.forEach((r, x) =>
        out.set(
          r.id,
          hits[x]!.filter((h) => h.record.id !== r.id)
            .slice(0, k)
            .map((h) => ({ id: h.record.id, similarity: h.similarity })),
        ),
      );
    }
    return out;
  }

  private similarRow(id: string, neighbors: { id: string; similarity: number }[]): Omit<PrecomputedRow, 'generatedAtMs'> {
    const body: SimilarBody = { neighbors };
    return { kind: KIND_SIMILAR, key: id, body, sources: [id, ...neighbors.map((n) => n.id)] };
  }

  private isKeyMemory(r: MemoryRecord): boolean {
    return r.pinned || r.importance >= this.d.o.similarityMinImportance;
  }

  /** All high-importance memories' neighbour lists, rebuilt. */
  async similarityFull(ctx: JobContext): Promise<Counts> {
    const { store, o } = this.d;
    const important = await readAll(store, ctx.userId, { withVectors: true, filter: { minImportance: o.similarityMinImportance }, signal: ctx.signal, pace: ctx.pace });
    const pinned = await readAll(store, ctx.userId, { withVectors: true, filter: { pinned: true }, signal: ctx.signal, pace: ctx.pace });
    const all = new Map([...important, ...pinned].map((r) => [r.id, r]));
    const lists = await this.neighborsOf(ctx.userId, [...all.values()], o.similarityTopK, ctx.signal, ctx.pace);
    const rows = [...lists].map(([id, n]) => this.similarRow(id, n));
    const w = await this.write(ctx, rows, [KIND_SIMILAR]);
    return { memories: all.size, mode: 0, ...w };
  }

  /**
   * Brings neighbour lists up to date with memories added since: each new memory gets its own
   * list when it is important, and enters the list of every listed memory among its 2K nearest
   * that it is closer to than that list's last entry.
   */
  async similarityIncremental(ctx: JobContext, newIds: string[]): Promise<Counts> {
    const { store, metadata, o } = this.d;
    const k = o.similarityTopK;
    const fresh = await store.get(ctx.userId, newIds, { signal: ctx.signal });
    if (fresh.length === 0) return { memories: 0, mode: 1, written: 0 };
    const near = await this.neighborsOf(ctx.userId, fresh, 2 * k, ctx.signal, ctx.pace);
    const candidates = new Set<string>();
    for (const list of near.values()) for (const n of list) candidates.add(n.id);
    const existing = new Map((await metadata.listPrecomputed(ctx.userId, KIND_SIMILAR, false, [...candidates])).map((r) => [r.key, (r.body as SimilarBody).neighbors]));
    const changed = new Map<string, { id: string; similarity: number }[]>();
    for (const r of fresh) {
      const list = near.get(r.id) ?? [];
      if (this.isKeyMemory(r)) changed.set(r.id, list.slice(0, k));
      for (const n of list) {
        const theirs = changed.get(n.id) ?? existing.get(n.id);
        if (!theirs) continue;
        if (theirs.some((x) => x.id === r.id)) continue;
        if (theirs.length >= k && theirs[theirs.length - 1]!.similarity >= n.similarity) continue;
        changed.set(n.id, [...theirs, { id: r.id, similarity: n.similarity }].sort((a, b) => b.similarity - a.similarity).slice(0, k));
      }
    }
    const rows = [...changed].map(([id, n]) => this.similarRow(id, n));
    const w = await this.write(ctx, rows);
    return { memories: fresh.length, mode: 1, updated: rows.length, ...w };
  }
}
