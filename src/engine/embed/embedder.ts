/**
 * Embedder: turns texts into unit-length vectors of a fixed dimension.
 *
 * Covers: one model per deployment, batch embedding, cancellation by signal.
 * Leaves out: caching and micro-batching (EmbeddingService wraps any Embedder with both),
 * dimension probing (the dimension is configured, never guessed from a provider call).
 */
export interface Embedder {
  /** Stable identity of the model; stored data records it and refuses another at start. */
  readonly modelId: string;
  readonly dimensions: number;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** Scales a vector to unit length in place; returns false when it is all zeros. */
export function normalizeInPlace(v: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s === 0 || !Number.isFinite(s)) return false;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return true;
}

/** The dot product: cosine similarity for unit vectors of one dimension. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
