/**
 * profile: top memories by importance × recency, recent ones, preferences, entities, active
 * topics, and a context summary within a token budget.
 */
import { throwIfAborted } from '../../errors.js';
import type { MemoryRecord } from '../../engine/types.js';
import { recency } from '../../engine/recency.js';
import { scrollAll } from '../../engine/vector/scroll-all.js';
import { KIND_PROFILE, KIND_TOPIC, textSources, type EntityStat, type LlmText, type ProfileBody, type TopicBody } from '../artifacts.js';
import type { Segment, SummaryInput } from '../summarizer.js';
import { asSentence, estimateTokens, leadWithin } from '../text.js';
import type { Counts, JobDeps, RunContext } from './context.js';
import { asInput, writeArtifacts } from './shared.js';

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

export async function profileJob(d: JobDeps, ctx: RunContext): Promise<Counts> {
  const { store, metadata, o } = d;
  const t0 = performance.now();
  const records = await scrollAll(store, ctx.userId, { withVectors: false, signal: ctx.signal, pace: ctx.pace });
  const readMs = Math.round(performance.now() - t0);
  if (records.length === 0) return { memories: 0, ...(await writeArtifacts(d, ctx, [], [KIND_PROFILE])) };
  const now = Date.now();
  const value = (r: MemoryRecord) => (r.pinned ? 1 : 0) + r.importance * recency(r.createdAtMs, now, o.recencyHalfLifeMs);
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
  if (d.llm && records.length > 0 && ctx.llm.take()) {
    const seen = new Set<string>();
    const items: SummaryInput[] = [];
    for (const r of [...preferences, ...top, ...recent]) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      items.push(asInput(r));
    }
    try {
      const r = await d.llm.summarize(items, { tokenBudget: o.profileTokenBudget, subject: 'memories about the user (preferences, key facts, recent events)', signal: ctx.signal });
      llm = { text: r.text, model: d.llm.model, sources: r.sources };
    } catch (err) {
      throwIfAborted(ctx.signal);
      llmFailed = 1;
      d.log.warn({ err }, 'LLM profile summary failed; keeping the extractive one');
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
  const w = await writeArtifacts(d, ctx, [{ kind: KIND_PROFILE, key: '', body, sources }]);
  return { memories: records.length, topics: topics.length, entities: entities.length, readMs, llmFailed, ...w };
}
