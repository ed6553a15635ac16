/**
 * Summarizer port and its two implementations.
 *
 * ExtractiveSummarizer (always available, offline): ranks the memories by centrality (cosine
 * to the group's centroid, weighted by importance), picks them by maximal marginal relevance
 * so near-duplicates are skipped, and takes each one's leading sentences until the token
 * budget is spent. Its output is a list of segments, each from one memory: removing a memory
 * removes exactly its segment (strong deletes need no recomputation).
 *
 * LlmSummarizer: any OpenAI-compatible chat endpoint writes the text from the most central
 * memories. Its text cannot be edited, so whoever stores it also stores an extractive summary
 * and falls back to it when a source memory is removed or the endpoint fails.
 */
import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { CancelledError, MemoryError, UnavailableError } from '../errors.js';
import { asSentence, estimateTokens, leadWithin } from './text.js';
import { dot } from '../engine/embed/embedder.js';

export interface SummaryInput {
  id: string;
  content: string;
  embedding: Float32Array;
  importance: number;
  createdAtMs: number;
}

export interface Segment {
  id: string;
  text: string;
}

export interface SummarizeOptions {
  tokenBudget: number;
  /** What the memories have in common, for the LLM's prompt (e.g. "memories from 2026-11-30"). */
  subject: string;
  signal?: AbortSignal;
}

/** Writes a summary text from memories given most important first. */
export interface Summarizer {
  /** `extractive` or `llm:<model>`. */
  readonly name: string;
  /** The model behind it, for records (`extractive` has none). */
  readonly model: string;
  summarize(items: readonly SummaryInput[], o: SummarizeOptions): Promise<{ text: string; sources: string[] }>;
}

export function renderSegments(segments: readonly Segment[]): string {
  return segments.map((s) => asSentence(s.text)).join(' ');
}

/**
 * Picks segments most central first; `lambda` trades relevance against novelty (MMR). Returns
 * the segments that fit `tokenBudget` and the whole candidate pool in pick order (for an LLM).
 */
export function extractSegments(items: readonly SummaryInput[], tokenBudget: number, lambda = 0.7): Segment[] {
  return extract(items, tokenBudget, lambda).segments;
}

/** The memories in the order the extractive summarizer would use them (at most 200). */
export function rankForSummary(items: readonly SummaryInput[]): SummaryInput[] {
  return extract(items, Number.MAX_SAFE_INTEGER, 0.7, 200).order;
}

function extract(items: readonly SummaryInput[], tokenBudget: number, lambda: number, maxPicks = Number.MAX_SAFE_INTEGER): { segments: Segment[]; order: SummaryInput[] } {
  if (items.length === 0 || tokenBudget <= 0) return { segments: [], order: [] };
  const dims = items[0]!.embedding.length;
  const sum = new Float64Array(dims);
  for (const it of items) {
    const e = it.embedding;
    for (let d = 0; d < dims; d++) sum[d]! += e[d]!;
  }
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += sum[d]! * sum[d]!;
  norm = Math.sqrt(norm) || 1;
  const centroid = new Float32Array(dims);
  for (let d = 0; d < dims; d++) centroid[d] = sum[d]! / norm;
  const seenText = new Set<string>();
  const pool = items
    .filter((it) => {
      const key = it.content.trim().toLowerCase();
      if (!key || seenText.has(key)) return false;
      seenText.add(key);
      return true;
    })
    .map((it) => ({ it, score: dot(it.embedding, centroid) * (0.6 + 0.4 * it.importance) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 200);
  const chosen: typeof pool = [];
  const segments: Segment[] = [];
  // Highest similarity of each candidate to anything chosen so far (updated per pick: O(pool·d)).
  const redundancy = new Float64Array(pool.length).fill(-1);
  const taken = new Uint8Array(pool.length);
  let left = tokenBudget;
  let misses = 0;
  const budgeted = maxPicks === Number.MAX_SAFE_INTEGER;
  while (chosen.length < Math.min(maxPicks, pool.length)) {
    if (budgeted && left <= 4) break;
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      if (taken[i]) continue;
      const value = lambda * pool[i]!.score - (1 - lambda) * Math.max(0, redundancy[i]!);
      if (value > bestValue) [bestValue, best] = [value, i];
    }
    taken[best] = 1;
    const pick = pool[best]!;
    chosen.push(pick);
    for (let i = 0; i < pool.length; i++) if (!taken[i]) redundancy[i] = Math.max(redundancy[i]!, dot(pool[i]!.it.embedding, pick.it.embedding));
    if (left <= 4) continue;
    const room = Math.min(left, 60);
    const text = leadWithin(pick.it.content, room);
    // Near the end of the budget a first sentence that does not fit is skipped, not cut; a
    // few misses in a row end it (the rest of the pool would only be scored for nothing).
    if (text.endsWith('…') && room < 60 && segments.length > 0) {
      if (++misses >= 8) left = 0;
      continue;
    }
    misses = 0;
    const cost = estimateTokens(text) + 1;
    if (cost > left && segments.length > 0) {
      left = 0;
      continue;
    }
    segments.push({ id: pick.it.id, text });
    left -= cost;
  }
  return { segments, order: chosen.map((c) => c.it) };
}

export class ExtractiveSummarizer implements Summarizer {
  readonly name = 'extractive';
  readonly model = '';
  async summarize(items: readonly SummaryInput[], o: SummarizeOptions): Promise<{ text: string; sources: string[] }> {
    const segments = extractSegments(items, o.tokenBudget);
    return { text: renderSegments(segments), sources: segments.map((s) => s.id) };
  }
}

export interface LlmSummarizerOptions {
  baseURL?: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  /** Most memories put in one prompt (the most central ones). */
  maxInputs: number;
}

export class LlmSummarizer implements Summarizer {
  readonly name: string;
  readonly model: string;
  private readonly client: OpenAI;

  constructor(private readonly o: LlmSummarizerOptions) {
    this.name = `llm:${o.model}`;
    this.model = o.model;
    this.client = new OpenAI({ apiKey: o.apiKey === '' ? 'unused' : o.apiKey, ...(o.baseURL ? { baseURL: o.baseURL } : {}), timeout: o.timeoutMs, maxRetries: 1 });
  }

  async summarize(items: readonly SummaryInput[], o: SummarizeOptions): Promise<{ text: string; sources: string[] }> {
    if (items.length === 0) return { text: '', sources: [] };
    // The first (most important) memories, presented oldest first.
    const chosen = items.slice(0, this.o.maxInputs).sort((a, b) => a.createdAtMs - b.createdAtMs);
    const lines = chosen.map((it) => `- (${new Date(it.createdAtMs).toISOString().slice(0, 10)}) ${leadWithin(it.content, 80)}`);
    // The SDK hangs an abort listener on the signal it is given and may leave it there; a run's
    // signal serves many calls, so each call gets its own, linked by one listener removed after.
    const call = new AbortController();
    const abort = () => call.abort(o.signal?.reason);
    if (o.signal?.aborted) abort();
    o.signal?.addEventListener('abort', abort, { once: true });
    let res;
    try {
      res = await this.client.chat.completions.create(
        {
          model: this.o.model,
          temperature: 0.2,
          max_tokens: o.tokenBudget,
          messages: [
            {
              role: 'system',
              content: 'You write short factual summaries of what an assistant remembers about its user. Use only the memories given; do not invent anything. Plain prose, no lists, no preamble.',
            },
            { role: 'user', content: `Summarize these ${o.subject} in at most ${o.tokenBudget} tokens:\n${lines.join('\n')}` },
          ],
        },
        { signal: call.signal },
      );
    } catch (err) {
      throw translateChatError(err);
    } finally {
      o.signal?.removeEventListener('abort', abort);
    }
    const text = res.choices[0]?.message?.content?.trim() ?? '';
    if (!text) throw new UnavailableError('summary endpoint returned no text');
    return { text, sources: chosen.map((it) => it.id) };
  }
}

function translateChatError(err: unknown): MemoryError {
  if (err instanceof MemoryError) return err;
  if (err instanceof APIUserAbortError) return new CancelledError('summary cancelled');
  if (err instanceof APIConnectionError) return new UnavailableError('summary endpoint unreachable', { cause: err });
  if (err instanceof APIError) return new UnavailableError(`summary endpoint failed (HTTP ${String(err.status)})`, { cause: err });
  return new UnavailableError('summary failed', { cause: err });
}
