import { describe, expect, it } from 'vitest';
import { KeywordColumn } from '../../src/engine/vector/embedded/keyword-column.js';
import { valueOf, type SparseVector } from '../../src/engine/sparse-vector.js';
import { rng } from '../helpers.js';

const sv = (terms: number[], weights: number[]): SparseVector => ({ indices: Uint32Array.from(terms), values: Float32Array.from(weights) });
const plain = (v: SparseVector | undefined) => (v ? { i: Array.from(v.indices), v: Array.from(v.values) } : undefined);

describe('KeywordColumn (embedded store)', () => {
  it('holds, replaces and removes each slot’s vector like an array of vectors would, through repacks', () => {
    const r = rng(7);
    const col = new KeywordColumn(4);
    const model: (SparseVector | undefined)[] = [];
    for (let step = 0; step < 20_000; step++) {
      const slot = Math.floor(r() * 300);
      if (r() < 0.2) {
        col.set(slot, undefined);
        model[slot] = undefined;
        continue;
      }
      const n = 1 + Math.floor(r() * 12);
      const terms = [...new Set(Array.from({ length: n }, () => Math.floor(r() * 1000)))].sort((a, b) => a - b);
      const v = sv(
        terms,
        terms.map(() => Math.fround(r())),
      );
      col.set(slot, v);
      model[slot] = v;
    }
    for (let slot = 0; slot < 320; slot++) {
      expect(plain(col.get(slot))).toEqual(plain(model[slot]));
      expect(col.has(slot)).toBe(model[slot] !== undefined);
      const v = model[slot];
      if (v) for (const t of [v.indices[0]!, v.indices[v.indices.length - 1]!, 1001]) expect(col.weight(slot, t)).toBe(valueOf(v, t));
      else expect(col.weight(slot, 5)).toBe(0);
    }
  });

  it('keeps a capture as it was while the column changes, grows and repacks', () => {
    const col = new KeywordColumn(2);
    for (let slot = 0; slot < 100; slot++) col.set(slot, sv([slot, slot + 1], [1, 2]));
    const view = col.view(100);
    // Replace everything many times over: enough garbage to repack, and pools that grow.
    for (let round = 0; round < 50; round++) for (let slot = 0; slot < 200; slot++) col.set(slot, sv([7, 8, 9], [round, round, round]));
    for (let slot = 0; slot < 100; slot++) expect(plain(view.get(slot))).toEqual({ i: [slot, slot + 1], v: [1, 2] });
    expect(view.get(100)).toBeUndefined();
    expect(plain(col.get(150))).toEqual({ i: [7, 8, 9], v: [49, 49, 49] });
  });

  it('renumbers slots for a compaction', () => {
    const col = new KeywordColumn();
    col.set(0, sv([1], [0.5]));
    col.set(2, sv([2, 3], [0.25, 0.75]));
    const moved = col.renumbered([2, 1, 0], 3);
    expect(plain(moved.get(0))).toEqual({ i: [2, 3], v: [0.25, 0.75] });
    expect(moved.get(1)).toBeUndefined();
    expect(plain(moved.get(2))).toEqual({ i: [1], v: [0.5] });
  });
});
