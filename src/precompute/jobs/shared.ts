/** What several jobs do the same way: summarize within a budget, and write artifacts. */
import { throwIfAborted } from '../../errors.js';
import type { MemoryRecord } from '../../engine/types.js';
import type { PrecomputedRow } from '../../metadata/metadata-store.js';
import { pruneArtifact, type LlmText } from '../artifacts.js';
import { extractSegments, rankForSummary, type Segment, type SummaryInput } from '../summarizer.js';
import type { Counts, JobDeps, LlmBudget, RunContext } from './context.js';

export type ArtifactRow = Omit<PrecomputedRow, 'generatedAtMs'>;

export const asInput = (r: MemoryRecord): SummaryInput => ({ id: r.id, content: r.content, embedding: r.embedding, importance: r.importance, createdAtMs: r.createdAtMs });

/** Extractive segments, plus LLM text when configured and `calls` has one left. */
export async function summarize(
  d: JobDeps,
  items: readonly SummaryInput[],
  tokenBudget: number,
  subject: string,
  signal: AbortSignal,
  calls: LlmBudget,
): Promise<{ segments: Segment[]; llm?: LlmText; llmFailed: boolean }> {
  const segments = extractSegments(items, tokenBudget);
  const llm = d.llm;
  if (!llm || items.length === 0 || !calls.take()) return { segments, llmFailed: false };
  try {
    const r = await llm.summarize(rankForSummary(items), { tokenBudget, subject, signal });
    return { segments, llm: { text: r.text, model: llm.model, sources: r.sources }, llmFailed: false };
  } catch (err) {
    throwIfAborted(signal);
    d.log.warn({ err, subject }, 'LLM summary failed; keeping the extractive one');
    return { segments, llmFailed: true };
  }
}

/** One metadata transaction that first prunes what was removed since the run started reading. */
export async function writeArtifacts(d: JobDeps, ctx: RunContext, rows: ArtifactRow[], replaceKinds?: string[]): Promise<Counts> {
  throwIfAborted(ctx.signal);
  const r = await d.metadata.putPrecomputed(ctx.userId, rows, { readSinceMs: ctx.startedAtMs, prune: pruneArtifact, ...(replaceKinds ? { replaceKinds } : {}) });
  if (r.pruned > 0) d.metrics.precomputeRemovals.inc(r.pruned);
  return { written: r.written, pruned: r.pruned, erased: r.erased ? 1 : 0 };
}
