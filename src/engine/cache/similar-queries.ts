/**
 * SimilarQueries: the index of the semantic query cache. For one user, cache generation and set
 * of search options (everything but the query), it keeps the vectors of the most recent queries
 * that ran a real search, each with the fingerprint its result is cached under. A new query
 * within `minCosine` of one of them may be answered by that result; the engine reads it through
 * the cache like any other, so it must still be there and fresh (lag bound, expiry).
 *
 * The index lives in L1 under the user's `similarQueries` keyspace: a generation bump (a delete,
 * a correction) makes it unreachable at once, ForgetUser erases it with the rest, and the L1
 * byte bound covers it. It is not shared through L2: another instance learns its own queries.
 */
import { dot, normalizeInPlace } from '../embed/embedder.js';
import { cacheKeys } from './keys.js';
import type { L1Cache } from './l1-cache.js';

export interface SimilarQueriesOptions {
  l1: L1Cache;
  /** A cached query at least this cosine-similar to the new one answers it, in (0, 1]. */
  minCosine: number;
  /** Most recent queries kept per user and set of options (the oldest is replaced). */
  perUser: number;
  /** How long an index stays in L1 untouched: the longest any search result is cached. */
  ttlMs: number;
}

export interface SimilarQuery {
  fingerprint: string;
  cosine: number;
}

/** One user's recent queries of one set of options: unit vectors and their results' fingerprints. */
interface QueryRing {
  vectors: Float32Array[];
  fingerprints: string[];
  /** The slot the next query replaces once the ring is full. */
  next: number;
}

const KIND = 'similar-queries';

export class SimilarQueries {
  constructor(private readonly o: SimilarQueriesOptions) {
    if (!(o.minCosine > 0 && o.minCosine <= 1)) throw new RangeError(`minCosine must be in (0, 1], got ${o.minCosine}`);
  }

  /** The closest recent query at or above the threshold, if any. */
  find(userId: string, gen: number, optionsHash: string, vector: Float32Array): SimilarQuery | undefined {
    const ring = this.o.l1.get<QueryRing>(cacheKeys.similarQueries(userId, gen, optionsHash), KIND);
    if (!ring) return undefined;
    const query = unit(vector);
    if (!query) return undefined;
    let best: SimilarQuery | undefined;
    for (let i = 0; i < ring.vectors.length; i++) {
      const cached = ring.vectors[i]!;
      if (cached.length !== query.length) continue;
      const cosine = dot(query, cached);
      if (cosine >= this.o.minCosine && cosine > (best?.cosine ?? -Infinity)) best = { fingerprint: ring.fingerprints[i]!, cosine: Math.min(1, cosine) };
    }
    return best;
  }

  /** Records a query that ran a real search and whose result is cached under `fingerprint`. */
  add(userId: string, gen: number, optionsHash: string, vector: Float32Array, fingerprint: string): void {
    const query = unit(vector);
    if (!query) return;
    const key = cacheKeys.similarQueries(userId, gen, optionsHash);
    const ring = this.o.l1.get<QueryRing>(key, KIND) ?? { vectors: [], fingerprints: [], next: 0 };
    const known = ring.fingerprints.indexOf(fingerprint);
    if (known >= 0) ring.vectors[known] = query;
    else if (ring.vectors.length < this.o.perUser) {
      ring.vectors.push(query);
      ring.fingerprints.push(fingerprint);
    } else {
      ring.vectors[ring.next] = query;
      ring.fingerprints[ring.next] = fingerprint;
      ring.next = (ring.next + 1) % this.o.perUser;
    }
    // Set again each time: the L1 entry's size grows with the ring, and its TTL restarts.
    this.o.l1.set(key, ring, this.o.ttlMs, ring.vectors.length * (query.byteLength + 64) + 64);
  }
}

/** A unit-length copy (client vectors need not be normalised); undefined for a zero vector. */
function unit(v: Float32Array): Float32Array | undefined {
  const copy = Float32Array.from(v);
  return normalizeInPlace(copy) ? copy : undefined;
}
