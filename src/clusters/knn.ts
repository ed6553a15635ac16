/**
 * Neighbour graphs for clustering: from the vector index's similarities, or exact (brute force,
 * for tests and small inputs).
 */
import type { NeighborGraph } from '../engine/vector/vector-store.js';
import type { KnnDistances } from './hdbscan.js';

/** Cosine similarity of unit vectors → euclidean distance: √(2 − 2s). */
export function toEuclidean(g: NeighborGraph, n: number): KnnDistances {
  const distances = new Float32Array(g.similarities.length);
  for (let i = 0; i < distances.length; i++) distances[i] = g.neighbors[i]! < 0 ? Infinity : Math.sqrt(Math.max(0, 2 - 2 * g.similarities[i]!));
  return { n, k: g.k, neighbors: g.neighbors, distances };
}

/** Exact k nearest other points by euclidean distance, O(n²·d): for tests and small n. */
export function exactKnn(vectors: Float32Array, n: number, dims: number, k: number): KnnDistances {
  const kk = Math.min(k, Math.max(0, n - 1));
  const neighbors = new Int32Array(n * k).fill(-1);
  const distances = new Float32Array(n * k).fill(Infinity);
  const row = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let x = 0; x < dims; x++) {
        const diff = vectors[i * dims + x]! - vectors[j * dims + x]!;
        s += diff * diff;
      }
      row[j] = j === i ? Infinity : Math.sqrt(s);
      order[j] = j;
    }
    const sorted = Array.from(order).sort((a, b) => row[a]! - row[b]! || a - b);
    for (let j = 0; j < kk; j++) {
      neighbors[i * k + j] = sorted[j]!;
      distances[i * k + j] = row[sorted[j]!]!;
    }
  }
  return { n, k, neighbors, distances };
}

/** Adjusted Rand index of two labelings (noise, −1, counts as one more label). 1 = identical. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError('labelings differ in length');
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}|${b[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  for (const v of cells.values()) index += pairs(v);
  let sa = 0;
  for (const v of rows.values()) sa += pairs(v);
  let sb = 0;
  for (const v of cols.values()) sb += pairs(v);
  const total = pairs(n);
  const expected = total > 0 ? (sa * sb) / total : 0;
  const max = (sa + sb) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
