/**
 * A partition's keyword vectors as one column: every memory's term ids and BM25 weights in two
 * shared pools, and per slot where its run starts and how long it is. One typed array pair per
 * memory cost ~300 bytes of objects around a few bytes of terms (an ArrayBuffer, two views and a
 * wrapper each: ~30 MB of the heap at 100k memories, and as many objects for every full
 * collection to trace); here a memory costs its terms and 8 bytes.
 *
 * Pool entries are written once: a replaced vector's run becomes garbage, and when garbage
 * outgrows live entries the live runs move to new pools. Old pools are never written again, so a
 * snapshot's capture (`view`) stays valid while the partition changes.
 */
import { valueInRun, type SparseVector } from '../../sparse-vector.js';

/** Read-only keyword vectors by slot: the column itself, or a capture of it. */
export interface KeywordVectors {
  get(slot: number): SparseVector | undefined;
}

export class KeywordColumn implements KeywordVectors {
  private terms = new Uint32Array(1024);
  private weights = new Float32Array(1024);
  /** Pool entries written (the next run starts here). */
  private used = 0;
  /** Pool entries of replaced or removed vectors. */
  private garbage = 0;
  private starts: Int32Array;
  /** Terms + 1 per slot; 0 = no keyword vector. */
  private lengths: Int32Array;

  constructor(slots = 64) {
    this.starts = new Int32Array(slots);
    this.lengths = new Int32Array(slots);
  }

  has(slot: number): boolean {
    return slot < this.lengths.length && this.lengths[slot]! > 0;
  }

  get(slot: number): SparseVector | undefined {
    return runAt(this.terms, this.weights, this.starts, this.lengths, slot);
  }

  /** The weight of term `t` in slot's vector (0 when absent), without building the vector. */
  weight(slot: number, t: number): number {
    if (!this.has(slot)) return 0;
    const from = this.starts[slot]!;
    return valueInRun(this.terms, this.weights, from, from + this.lengths[slot]! - 1, t);
  }

  set(slot: number, v: SparseVector | undefined): void {
    this.ensureSlots(slot + 1);
    if (this.lengths[slot]! > 0) this.garbage += this.lengths[slot]! - 1;
    if (!v) {
      this.lengths[slot] = 0;
    } else {
      const n = v.indices.length;
      this.ensurePool(n);
      this.terms.set(v.indices, this.used);
      this.weights.set(v.values, this.used);
      this.starts[slot] = this.used;
      this.lengths[slot] = n + 1;
      this.used += n;
    }
    if (this.garbage > 4096 && this.garbage > this.used - this.garbage) this.repack();
  }

  /** A read-only capture of slots [0, size): later changes do not show in it. */
  view(size: number): KeywordVectors {
    const terms = this.terms;
    const weights = this.weights;
    const starts = this.starts.slice(0, size);
    const lengths = this.lengths.slice(0, size);
    return { get: (slot) => runAt(terms, weights, starts, lengths, slot) };
  }

  /** A new column whose slot i holds this one's slot `oldOf[i]`. */
  renumbered(oldOf: ArrayLike<number>, slots: number): KeywordColumn {
    const c = new KeywordColumn(Math.max(64, slots));
    for (let i = 0; i < oldOf.length; i++) c.set(i, this.get(oldOf[i]!));
    return c;
  }

  private ensureSlots(n: number): void {
    if (n <= this.starts.length) return;
    const cap = Math.max(n, Math.ceil(this.starts.length * 1.5));
    const s = new Int32Array(cap);
    s.set(this.starts);
    this.starts = s;
    const l = new Int32Array(cap);
    l.set(this.lengths);
    this.lengths = l;
  }

  /** Room for n more entries; always in new pools, never by writing over old entries. */
  private ensurePool(n: number): void {
    if (this.used + n <= this.terms.length) return;
    const cap = Math.max(this.used + n, Math.ceil(this.terms.length * 1.5));
    const t = new Uint32Array(cap);
    t.set(this.terms.subarray(0, this.used));
    const w = new Float32Array(cap);
    w.set(this.weights.subarray(0, this.used));
    this.terms = t;
    this.weights = w;
  }

  /** Moves the live runs to new pools of their size (and some room). */
  private repack(): void {
    const live = this.used - this.garbage;
    const cap = Math.max(1024, Math.ceil(live * 1.25));
    const t = new Uint32Array(cap);
    const w = new Float32Array(cap);
    let at = 0;
    for (let slot = 0; slot < this.lengths.length; slot++) {
      const n = this.lengths[slot]! - 1;
      if (n < 0) continue;
      const s = this.starts[slot]!;
      t.set(this.terms.subarray(s, s + n), at);
      w.set(this.weights.subarray(s, s + n), at);
      this.starts[slot] = at;
      at += n;
    }
    this.terms = t;
    this.weights = w;
    this.used = at;
    this.garbage = 0;
  }
}

function runAt(terms: Uint32Array, weights: Float32Array, starts: Int32Array, lengths: Int32Array, slot: number): SparseVector | undefined {
  const n = slot < lengths.length ? lengths[slot]! - 1 : -1;
  if (n < 0) return undefined;
  const s = starts[slot]!;
  return { indices: terms.subarray(s, s + n), values: weights.subarray(s, s + n) };
}
