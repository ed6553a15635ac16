/**
 * KeywordEncoder: texts into the sparse vectors of the keyword index.
 *
 * Term ids hash the user together with the term. Stores count document frequencies per term id,
 * so every user's statistics are their own even where tenants share a collection (a Qdrant
 * shared collection computes IDF over all its points): another user's texts never change how a
 * user's terms weigh. A 32-bit hash collides for about one in 10⁵ term pairs of one user, which
 * at worst merges two rare terms' counts.
 *
 * A memory's weight per term is BM25's saturated term frequency with length normalisation:
 *   tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen))
 * with a fixed average length, so a stored vector never has to change when others are added.
 */
import type { KeywordAnalyzer } from './analyzer.js';
import { sparseFrom, type SparseVector } from '../sparse-vector.js';

export interface KeywordEncoderOptions {
  analyzer: KeywordAnalyzer;
  /** BM25 term-frequency saturation. */
  k1: number;
  /** BM25 length normalisation (0: none, 1: full). */
  b: number;
  /** The memory length (in terms) that counts as average. */
  avgTerms: number;
}

export class KeywordEncoder {
  constructor(private readonly o: KeywordEncoderOptions) {}

  /** A memory text's vector; empty when it has no terms. */
  document(userId: string, text: string): SparseVector {
    const terms = this.o.analyzer.terms(text);
    const tf = new Map<number, number>();
    for (const t of terms) {
      const id = termId(userId, t);
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const { k1, b, avgTerms } = this.o;
    const norm = k1 * (1 - b + (b * terms.length) / avgTerms);
    for (const [id, f] of tf) tf.set(id, (f * (k1 + 1)) / (f + norm));
    return sparseFrom(tf);
  }

  /** A query's vector: each distinct term once, weight 1 (the store applies IDF). */
  query(userId: string, text: string): SparseVector {
    const ids = new Map<number, number>();
    for (const t of this.o.analyzer.terms(text)) ids.set(termId(userId, t), 1);
    return sparseFrom(ids);
  }
}

/** FNV-1a over the user id, a separator and the term, with a final avalanche. */
export function termId(userId: string, term: string): number {
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  };
  mix(userId);
  h ^= 0xff;
  h = Math.imul(h, 0x01000193);
  mix(term);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
