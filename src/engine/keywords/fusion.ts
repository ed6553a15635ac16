/**
 * Fusion of a dense and a keyword candidate list into one relevance in [0, 1] per memory.
 *
 * - `score` (default): each list's scores scaled to [0, 1] by its own min and max (cosines and
 *   BM25 scores live on different scales), then `denseWeight·dense + (1 − denseWeight)·keyword`;
 *   a memory missing from a list gets 0 from it.
 * - `rrf`: reciprocal rank fusion, Σ weight / (k + rank), scaled so a memory first in both
 *   lists gets 1. Ignores the scores' sizes; robust when one retriever's scores are skewed.
 *
 * Both keep which retrievers found each memory, so a response can say so. The fused relevance is
 * then mapped onto the range of the dense candidates' cosine similarities (the best fused memory
 * gets their best cosine, as a dense search would rank it; [0, 1] without dense candidates): it
 * takes the similarity's place in the ranking, where importance and recency are weighed against
 * it, and context assembly compares it with other sections' cosine-based scores.
 */
import type { KeywordHit, MemoryRecord, Retriever, VectorHit } from '../types.js';

export type FusionMethod = 'score' | 'rrf';

export interface FusionOptions {
  method: FusionMethod;
  /** Share of the dense retriever in [0, 1]; the keyword retriever gets the rest. */
  denseWeight: number;
  /** RRF's rank offset (60 in the literature). */
  rrfK: number;
}

export interface FusedHit {
  record: MemoryRecord;
  /** The fused relevance, in the dense candidates' similarity range (in [0, 1] without them). */
  relevance: number;
  /** Cosine similarity, when the dense retriever found it. */
  similarity?: number;
  /** BM25 score, when the keyword retriever found it. */
  keywordScore?: number;
  retrievers: Retriever[];
}

export function fuse(dense: readonly VectorHit[], keyword: readonly KeywordHit[], o: FusionOptions): FusedHit[] {
  const byId = new Map<string, FusedHit>();
  const add = (record: MemoryRecord, retriever: Retriever, weighted: number): FusedHit => {
    let e = byId.get(record.id);
    if (!e) byId.set(record.id, (e = { record, relevance: 0, retrievers: [] }));
    e.retrievers.push(retriever);
    e.relevance += weighted;
    return e;
  };
  const similarities = dense.map((h) => h.similarity);
  const denseShares = shares(similarities, o);
  const keywordShares = shares(
    keyword.map((h) => h.score),
    o,
  );
  dense.forEach((h, i) => {
    add(h.record, 'dense', o.denseWeight * denseShares[i]!).similarity = h.similarity;
  });
  keyword.forEach((h, i) => {
    add(h.record, 'keyword', (1 - o.denseWeight) * keywordShares[i]!).keywordScore = h.score;
  });
  // Back onto the dense candidates' similarity range: 1 → their best cosine, 0 → their worst.
  const { lo: low, hi } = dense.length > 0 ? range(similarities) : { lo: 0, hi: 1 };
  const lo = hi > low ? low : Math.min(0, hi);
  const out = [...byId.values()];
  for (const e of out) e.relevance = lo + e.relevance * (hi - lo);
  return out;
}

/**
 * Each candidate's share in [0, 1] of one retriever's list, best first: by rank for RRF
 * ((k + 1) / (k + rank), so the first gets 1), else its score min-max scaled (a list of equal
 * scores scales to 1: each is the best there is).
 */
function shares(scores: readonly number[], o: FusionOptions): number[] {
  if (o.method === 'rrf') return scores.map((_, i) => (o.rrfK + 1) / (o.rrfK + i + 1));
  const { lo, hi } = range(scores);
  const span = hi - lo;
  return scores.map((x) => (span > 0 ? (x - lo) / span : 1));
}

function range(xs: readonly number[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return { lo, hi };
}
