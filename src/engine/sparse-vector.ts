/**
 * Sparse vectors of the keyword index and the one IDF formula both stores apply to them.
 *
 * A memory's keyword vector holds, per term, its BM25 term weight; a query's holds 1 per term.
 * The store multiplies each matching term by the term's inverse document frequency among the
 * user's memories, so the dot product is the memory's BM25 score. The formula is Qdrant's
 * `modifier: idf`, so the embedded store and Qdrant rank alike.
 */
export interface SparseVector {
  /** Term ids, ascending, unique. */
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/** BM25's inverse document frequency of a term in `df` of `n` documents. */
export function idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Room for n terms: both arrays are views of one buffer (half the per-vector overhead of two). */
function allocate(n: number): SparseVector {
  const buf = new ArrayBuffer(n * 8);
  return { indices: new Uint32Array(buf, 0, n), values: new Float32Array(buf, n * 4, n) };
}

/** Builds a sparse vector from term weights, sorted by term id. */
export function sparseFrom(weights: Map<number, number>): SparseVector {
  const v = allocate(weights.size);
  v.indices.set(Uint32Array.from(weights.keys()).sort());
  v.indices.forEach((t, i) => (v.values[i] = weights.get(t)!));
  return v;
}

/** The value of term `t` in `v` (0 when absent); indices are sorted, so a binary search. */
export function valueOf(v: SparseVector, t: number): number {
  return valueInRun(v.indices, v.values, 0, v.indices.length, t);
}

/** valueOf for the vector held in entries [from, to) of `indices` and `values` (a packed column's run). */
export function valueInRun(indices: Uint32Array, values: Float32Array, from: number, to: number, t: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = indices[mid]!;
    if (x === t) return values[mid]!;
    if (x < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Plain arrays for JSON (WAL, snapshots, caches). */
export function sparseToJson(v: SparseVector): { i: number[]; v: number[] } {
  return { i: Array.from(v.indices), v: Array.from(v.values) };
}

export function sparseFromJson(j: { i: number[]; v: number[] }): SparseVector {
  const v = allocate(j.i.length);
  v.indices.set(j.i);
  v.values.set(j.v);
  return v;
}
