/** summaries: temporal (day, week, month) and entity summaries; also made on demand by GetSummary. */
import { throwIfAborted } from '../../errors.js';
import type { MemoryFilter } from '../../engine/types.js';
import { scrollAll } from '../../engine/vector/scroll-all.js';
import { KIND_SUMMARY, textSources, type SummaryBody } from '../artifacts.js';
import { periodKey, periodRange, type PeriodKind } from '../periods.js';
import type { Counts, JobDeps, LlmBudget, RunContext } from './context.js';
import { asInput, summarize, writeArtifacts, type ArtifactRow } from './shared.js';

/** One temporal or entity summary (also made on demand for keys no run has made). */
export async function summaryRow(
  d: JobDeps,
  userId: string,
  kind: PeriodKind | 'entity',
  key: string,
  signal: AbortSignal,
  calls: LlmBudget,
  pace?: () => Promise<void>,
): Promise<ArtifactRow | undefined> {
  let filter: MemoryFilter;
  if (kind === 'entity') filter = { entitiesAny: [key] };
  else {
    const [from, to] = periodRange(kind, key);
    filter = { createdAfterMs: from, createdBeforeMs: to };
  }
  // The newest 2,000 are plenty for a summary of a few sentences.
  const records = await scrollAll(d.store, userId, { withVectors: true, filter, signal, newestFirst: true, limit: 2000, ...(pace ? { pace } : {}) });
  if (records.length === 0) return undefined;
  const subject = kind === 'entity' ? `memories mentioning ${key}` : `memories from the ${kind} ${key}`;
  const text = await summarize(d, records.map(asInput), d.o.summaryTokenBudget, subject, signal, calls);
  const body: SummaryBody = { kind, key, memoryCount: records.length, segments: text.segments, ...(text.llm ? { llm: text.llm } : {}) };
  return { kind: KIND_SUMMARY, key: `${kind}:${key}`, body, sources: textSources(body) };
}

/** summaries: day / week / month summaries of recent periods, and of the most-named entities. */
export async function summariesJob(d: JobDeps, ctx: RunContext): Promise<Counts> {
  const { store, o } = d;
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
    for (const r of await scrollAll(store, ctx.userId, { withVectors: false, signal: ctx.signal, pace: ctx.pace })) {
      for (const e of r.entities) {
        const s = counts.get(e.toLowerCase()) ?? { name: e, n: 0 };
        s.n++;
        counts.set(e.toLowerCase(), s);
      }
    }
    for (const e of [...counts.values()].sort((a, b) => b.n - a.n).slice(0, o.summaryEntities)) add('entity', e.name);
  }
  const rows: ArtifactRow[] = [];
  for (const k of keys) {
    throwIfAborted(ctx.signal);
    await ctx.pace();
    const row = await summaryRow(d, ctx.userId, k.kind, k.key, ctx.signal, ctx.llm, ctx.pace);
    if (row) rows.push(row);
  }
  const w = await writeArtifacts(d, ctx, rows);
  return { summaries: rows.length, llmCalls: ctx.llm.used, ...w };
}
