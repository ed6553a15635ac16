/**
 * Synthetic datasets: clustered unit vectors (seeded, any size and dimension) and users with a
 * realistic size skew — many small users, a few large ones (sizes drawn from a Zipf-like law).
 */
import { clusteredVectors, rng } from './lib.js';

export interface SkewedUsers {
  /** Memories per user, largest first. */
  sizes: number[];
  total: number;
}

/**
 * Splits `total` memories over `users` users with sizes ∝ 1/rank^s (s = `skew`), at least
 * `min` each. With s ≈ 1.1 and 1,000 users, the largest user holds ~10–15% of everything.
 */
export function skewedUsers(total: number, users: number, skew = 1.1, min = 5): SkewedUsers {
  const weights = Array.from({ length: users }, (_, i) => 1 / Math.pow(i + 1, skew));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = Math.max(0, total - users * min);
  const sizes = weights.map((w) => min + Math.floor((w / sum) * spare));
  let left = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % users, left--) sizes[i]!++;
  return { sizes, total };
}

/** One clustered vector set per user (users differ: each has its own seed and centres). */
export function userVectors(size: number, dims: number, seed: number): Float32Array {
  return clusteredVectors(size, dims, Math.max(2, Math.round(Math.sqrt(size) / 4)), seed);
}

export function bucketOf(size: number): 'small (<1k)' | 'medium (1k–10k)' | 'large (≥10k)' {
  return size < 1000 ? 'small (<1k)' : size < 10_000 ? 'medium (1k–10k)' : 'large (≥10k)';
}

/** Deterministic pick of an index with probability ∝ weights (for choosing a user per request). */
export function weightedPicker(weights: number[], seed: number): () => number {
  const r = rng(seed);
  const cum: number[] = [];
  let s = 0;
  for (const w of weights) cum.push((s += w));
  return () => {
    const x = r() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
