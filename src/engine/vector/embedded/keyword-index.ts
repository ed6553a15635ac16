/**
 * One user's inverted keyword index in the embedded store: term id → the slots holding it, with
 * each memory's stored BM25 term weight beside the slot, so a query never looks a weight up.
 *
 * Search is exact top-k BM25 with MaxScore pruning: query terms go from the highest possible
 * contribution (IDF × query weight × the term's largest stored weight) down; once the
 * contributions left cannot lift a memory that has not been seen yet above the k-th best score,
 * the remaining terms (the common words, whose posting lists are the long ones) only add to the
 * memories already scored, by looking their weight up in the memory's own vector. The result is
 * the same as scoring every posting; the long lists are simply not read.
 */
import { idf, type SparseVector } from '../../sparse-vector.js';

interface Posting {
  slots: number[];
  weights: number[];
  /** An upper bound of the weights (not lowered on removal: still a bound). */
  max: number;
}

export interface KeywordCandidate {
  slot: number;
  score: number;
}

export class KeywordIndex {
  private readonly postings = new Map<number, Posting>();
  /** Per-slot score accumulator, reused across queries (entries are reset after each one). */
  private scores = new Float64Array(0);
  /** Room for the selection of the k-th best score, reused likewise. */
  private selection = new Float64Array(0);

  private scratch(): Float64Array {
    if (this.selection.length < this.scores.length) this.selection = new Float64Array(this.scores.length);
    return this.selection;
  }

  add(slot: number, kw: SparseVector): void {
    for (let i = 0; i < kw.indices.length; i++) {
      const t = kw.indices[i]!;
      const w = kw.values[i]!;
      const p = this.postings.get(t);
      if (!p) this.postings.set(t, { slots: [slot], weights: [w], max: w });
      else {
        p.slots.push(slot);
        p.weights.push(w);
        if (w > p.max) p.max = w;
      }
    }
  }

  remove(slot: number, kw: SparseVector): void {
    for (const t of kw.indices) {
      const p = this.postings.get(t);
      if (!p) continue;
      const at = p.slots.indexOf(slot);
      if (at < 0) continue;
      // Order within a posting list does not matter: swap the last one in.
      const last = p.slots.length - 1;
      p.slots[at] = p.slots[last]!;
      p.weights[at] = p.weights[last]!;
      p.slots.pop();
      p.weights.pop();
      if (p.slots.length === 0) this.postings.delete(t);
    }
  }

  /**
   * The best `k` slots for `query` among `docs` indexed memories; `accept` filters slots,
   * `weightOf` gives a term's weight in a slot's keyword vector (for the pruned phase), `size`
   * bounds the slots.
   */
  search(query: SparseVector, k: number, docs: number, size: number, accept: (slot: number) => boolean, weightOf: (slot: number, term: number) => number): KeywordCandidate[] {
    const terms: { t: number; w: number; bound: number; p: Posting }[] = [];
    for (let i = 0; i < query.indices.length; i++) {
      const p = this.postings.get(query.indices[i]!);
      if (!p) continue;
      const w = idf(docs, p.slots.length) * query.values[i]!;
      terms.push({ t: query.indices[i]!, w, bound: w * p.max, p });
    }
    if (terms.length === 0 || k <= 0) return [];
    terms.sort((a, b) => b.bound - a.bound);
    const rest = new Float64Array(terms.length + 1); // rest[i]: the most terms i.. can add
    for (let i = terms.length - 1; i >= 0; i--) rest[i] = rest[i + 1]! + terms[i]!.bound;

    if (this.scores.length < size) this.scores = new Float64Array(Math.max(size, Math.ceil(this.scores.length * 1.5)));
    const s = this.scores;
    const touched: number[] = [];
    let threshold = -Infinity;
    let i = 0;
    for (; i < terms.length; i++) {
      if (touched.length >= k && rest[i]! <= threshold) break;
      const { w, p } = terms[i]!;
      const slots = p.slots;
      const weights = p.weights;
      for (let j = 0; j < slots.length; j++) {
        const slot = slots[j]!;
        if (s[slot] === 0) {
          touched.push(slot);
          if (!accept(slot)) {
            s[slot] = -Infinity; // filtered out: never counted, reset with the others
            continue;
          }
        }
        s[slot]! += w * weights[j]!;
      }
      // The bar a memory not seen yet would have to pass. Worth computing only when the terms
      // left could fall under it: no score so far exceeds what the terms done could add.
      if (i + 1 < terms.length && rest[i + 1]! <= rest[0]! - rest[i + 1]!) threshold = kthLargest(s, touched, k, this.scratch());
    }
    // Pruned phase: the remaining terms only add to memories already in reach of the top k.
    if (i < terms.length) {
      for (const slot of touched) {
        const base = s[slot]!;
        if (base === -Infinity || base + rest[i]! <= threshold) continue;
        let add = 0;
        for (let j = i; j < terms.length; j++) add += terms[j]!.w * weightOf(slot, terms[j]!.t);
        s[slot] = base + add;
      }
    }
    // Only what can be in the top k is sorted: a common word may have touched most memories,
    // and when it decides the last places they all tie at the k-th score. Fewer than k score
    // above it; the places left go to the lowest tied slots, picked without sorting the ties.
    const kth = kthLargest(s, touched, k, this.scratch());
    const out: KeywordCandidate[] = [];
    const tied = new LowestSlots(k);
    for (const slot of touched) {
      const score = s[slot]!;
      s[slot] = 0;
      if (!(score > 0)) continue;
      if (score > kth) out.push({ slot, score });
      else if (score === kth) tied.offer(slot);
    }
    for (const slot of tied.take(k - out.length)) out.push({ slot, score: kth });
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }
}

/** The `n` lowest slots offered, kept sorted; O(offers) when slots come mostly in ascending order. */
class LowestSlots {
  private readonly slots: number[] = [];

  constructor(private readonly n: number) {}

  offer(slot: number): void {
    const xs = this.slots;
    if (xs.length === this.n) {
      if (slot >= xs[xs.length - 1]!) return;
      xs.pop();
    }
    let i = xs.length;
    xs.push(slot);
    for (; i > 0 && xs[i - 1]! > slot; i--) xs[i] = xs[i - 1]!;
    xs[i] = slot;
  }

  /** The lowest `m` (at most n) of them. */
  take(m: number): number[] {
    return m >= this.slots.length ? this.slots : this.slots.slice(0, Math.max(0, m));
  }
}

/** The k-th largest accepted score among `slots` (-Infinity when fewer than k are accepted); `xs` is scratch room. */
function kthLargest(s: Float64Array, slots: readonly number[], k: number, xs: Float64Array): number {
  let n = 0;
  for (const slot of slots) if (s[slot]! > 0) xs[n++] = s[slot]!;
  if (n < k) return -Infinity;
  // Quickselect for the element of rank k-1 in descending order.
  let lo = 0;
  let hi = n - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let a = lo;
    let b = hi;
    while (a <= b) {
      while (xs[a]! > pivot) a++;
      while (xs[b]! < pivot) b--;
      if (a <= b) {
        const tmp = xs[a]!;
        xs[a] = xs[b]!;
        xs[b] = tmp;
        a++;
        b--;
      }
    }
    if (want <= b) hi = b;
    else if (want >= a) lo = a;
    else break;
  }
  return xs[want]!;
}
