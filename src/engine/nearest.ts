/**
 * nearest(): the k nearest memories of each vector, searched like a query of a class (its ef,
 * lowered when the deadline is close). Precompute's neighbour lists and related-memory lookups
 * search through it, so they follow the same query-class table as Search.
 */
import { efFor } from './query-class.js';
import type { QueryClass, VectorHit } from './types.js';
import type { VectorStore } from './vector/vector-store.js';

export type Nearest = (userId: string, vectors: readonly Float32Array[], k: number, o: { queryClass: QueryClass; signal?: AbortSignal; deadlineMs?: number }) => Promise<VectorHit[][]>;

export function nearestIn(store: VectorStore): Nearest {
  return async (userId, vectors, k, o) => {
    const ef = efFor(o.queryClass, o.deadlineMs);
    const opts = o.signal ? { signal: o.signal } : {};
    if (vectors.length === 1) return [await store.search(userId, { vector: vectors[0]!, k, ef, exact: false, withVectors: false }, opts)];
    return store.searchBatch(
      userId,
      vectors.map((vector) => ({ vector, k, ef, exact: false, withVectors: false })),
      opts,
    );
  };
}
