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
import type { KeywordHit, MemoryRecord, VectorHit } from '../types.js';

export type FusionMethod = 'score' | 'rrf';
export type Retriever = 'dense' | 'keyword';

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
  const entry = (record: MemoryRecord): FusedHit => {
    let e = byId.get(record.id);
    if (!e) byId.set(record.id, (e = { record, relevance: 0, retrievers: [] }));
    return e;
  };
  const wd = o.denseWeight;
  const wk = 1 - o.denseWeight;
  if (o.method === 'rrf') {
    const top = (wd + wk) / (o.rrfK + 1);
    dense.forEach((h, i) => {
      const e = entry(h.record);
      e.similarity = h.similarity;
      e.retrievers.push('dense');
      e.relevance += wd / (o.rrfK + i + 1) / top;
    });
    keyword.forEach((h, i) => {
      const e = entry(h.record);
      e.keywordScore = h.score;
      e.retrievers.push('keyword');
      e.relevance += wk / (o.rrfK + i + 1) / top;
    });
  } else {
    const scaleD = scaler(dense.map((h) => h.similarity));
    const scaleK = scaler(keyword.map((h) => h.score));
    for (const h of dense) {
      const e = entry(h.record);
      e.similarity = h.similarity;
      e.retrievers.push('dense');
      e.relevance += wd * scaleD(h.similarity);
    }
    for (const h of keyword) {
      const e = entry(h.record);
      e.keywordScore = h.score;
      e.retrievers.push('keyword');
      e.relevance += wk * scaleK(h.score);
    }
  }
  // Back onto the dense candidates' similarity range: 1 → their best cosine, 0 → their worst.
  let lo = 0;
  let hi = 1;
  if (dense.length > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (const h of dense) {
      if (h.similarity < lo) lo = h.similarity;
      if (h.similarity > hi) hi = h.similarity;
    }
    if (hi <= lo) lo = Math.min(0, hi);
  }
  const out = [...byId.values()];
  for (const e of out) e.relevance = lo + e.relevance * (hi - lo);
  return out;
}

/** Min-max scaling of one list; a list of equal scores scales to 1 (each is the best there is). */
function scaler(xs: readonly number[]): (x: number) => number {
  if (xs.length === 0) return () => 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const span = hi - lo;
  return span > 0 ? (x) => (x - lo) / span : () => 1;
}
