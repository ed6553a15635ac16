/** The keyword index's pure parts: analyzer, encoder, IDF, fusion and index-text templates. */
import { describe, expect, it } from 'vitest';
import { KeywordAnalyzer } from '../../src/engine/keywords/analyzer.js';
import { KeywordEncoder, termId } from '../../src/engine/keywords/encoder.js';
import { fuse } from '../../src/engine/keywords/fusion.js';
import { compileIndexText } from '../../src/engine/keywords/index-text.js';
import { idf, valueOf } from '../../src/engine/sparse-vector.js';
import { ConfigError } from '../../src/errors.js';
import { makeRecord } from '../contract/vector-store-contract.js';

const eng = new KeywordAnalyzer({ language: 'eng' });
const enc = new KeywordEncoder({ analyzer: eng, k1: 1.2, b: 0.75, avgTerms: 16 });

describe('KeywordAnalyzer', () => {
  it('drops stop words and lone letters, stems English, keeps numbers and folds case and width', () => {
    expect(eng.terms("Caroline's dogs were RUNNING to the park in 2023, ２０２４!")).toEqual(['carolin', 'dog', 'run', 'park', '2023', '2024']);
    expect(eng.terms('the and of a')).toEqual([]);
  });

  it('takes another language’s stop words (without stemming), or none', () => {
    expect(new KeywordAnalyzer({ language: 'deu' }).terms('Der Hund und die Katze')).toEqual(['hund', 'katze']);
    expect(new KeywordAnalyzer({ language: 'none' }).terms('the dog')).toEqual(['the', 'dog']);
    expect(() => new KeywordAnalyzer({ language: 'klingon' })).toThrow(ConfigError);
  });
});

describe('KeywordEncoder', () => {
  it('weighs repeated terms with saturation and short texts above long ones', () => {
    const once = enc.document('u', 'violin');
    const twice = enc.document('u', 'violin violin');
    const long = enc.document('u', `violin ${'concert '.repeat(40)}`);
    const t = termId('u', 'violin');
    expect(valueOf(twice, t)).toBeGreaterThan(valueOf(once, t));
    expect(valueOf(twice, t)).toBeLessThan(2 * valueOf(once, t));
    expect(valueOf(long, t)).toBeLessThan(valueOf(once, t));
    expect(Array.from(once.indices)).toEqual([t]);
  });

  it('gives each user their own term ids, sorted and unique', () => {
    expect(termId('alice', 'violin')).not.toBe(termId('bob', 'violin'));
    const q = enc.query('alice', 'violin concert violin');
    expect(q.indices.length).toBe(2);
    expect(Array.from(q.values)).toEqual([1, 1]);
    expect([...q.indices]).toEqual([...q.indices].sort((a, b) => a - b));
  });

  it('uses BM25’s IDF: rarer terms weigh more, never below zero', () => {
    expect(idf(100, 1)).toBeGreaterThan(idf(100, 50));
    expect(idf(100, 100)).toBeGreaterThan(0);
  });
});

describe('fuse', () => {
  const a = makeRecord('u', [1, 0]);
  const b = makeRecord('u', [0, 1]);
  const c = makeRecord('u', [1, 1]);
  const dense = [
    { record: a, similarity: 0.9 },
    { record: b, similarity: 0.5 },
  ];
  const keyword = [
    { record: c, score: 7 },
    { record: a, score: 3 },
  ];

  it('adds min-max scaled scores by weight and keeps who found what', () => {
    const f = new Map(fuse(dense, keyword, { method: 'score', denseWeight: 0.4, rrfK: 60 }).map((h) => [h.record.id, h]));
    // Scaled to [0, 1], weighted, then mapped onto the dense similarities' range [0.5, 0.9].
    expect(f.get(a.id)).toMatchObject({ similarity: 0.9, keywordScore: 3, retrievers: ['dense', 'keyword'] });
    expect(f.get(a.id)!.relevance).toBeCloseTo(0.5 + 0.4 * 0.4);
    expect(f.get(b.id)).toMatchObject({ relevance: 0.5, retrievers: ['dense'] });
    expect(f.get(c.id)!.relevance).toBeCloseTo(0.5 + 0.6 * 0.4);
    expect(f.get(c.id)!.retrievers).toEqual(['keyword']);
  });

  it('ranks by reciprocal rank with rrf, the best cosine for first in both', () => {
    const f = fuse([{ record: a, similarity: 0.9 }], [{ record: a, score: 1 }], { method: 'rrf', denseWeight: 0.5, rrfK: 60 });
    expect(f[0]!.relevance).toBeCloseTo(0.9);
    expect(fuse([], [{ record: a, score: 1 }], { method: 'rrf', denseWeight: 0, rrfK: 60 })[0]!.relevance).toBeCloseTo(1);
    const g = new Map(fuse(dense, keyword, { method: 'rrf', denseWeight: 0.5, rrfK: 60 }).map((h) => [h.record.id, h.relevance]));
    expect(g.get(a.id)!).toBeGreaterThan(g.get(c.id)!);
    expect(g.get(c.id)!).toBeGreaterThan(g.get(b.id)!);
  });
});

describe('compileIndexText', () => {
  it('renders fields around the content and leaves the content alone by default', () => {
    const m = makeRecord('u', [1], { content: 'adopted a kitten', metadata: { date: '7 May 2023', speaker: 'Mel' }, entities: ['Mel', 'kitten'], createdAtMs: Date.UTC(2023, 4, 7) });
    expect(compileIndexText('')(m)).toBe('adopted a kitten');
    expect(compileIndexText('({metadata.date}) {metadata.speaker}: {content}')(m)).toBe('(7 May 2023) Mel: adopted a kitten');
    expect(compileIndexText('{created_date} {content} [{entities}] {metadata.missing}')(m)).toBe('2023-05-07 adopted a kitten [Mel, kitten]');
  });

  it('refuses an unknown placeholder or a template without the content', () => {
    expect(() => compileIndexText('{colour} {content}')).toThrow(/INDEX_TEXT_TEMPLATE.*\{colour\}/);
    expect(() => compileIndexText('{kind}')).toThrow(/must contain \{content\}/);
  });
});

describe('KeywordIndex (embedded store)', () => {
  it('returns exactly the brute-force BM25 top k, with MaxScore pruning and filters', async () => {
    const { KeywordIndex } = await import('../../src/engine/vector/embedded/keyword-index.js');
    const { rng } = await import('../helpers.js');
    const r = rng(42);
    // A Zipf-like vocabulary: a few words in most memories, many rare ones.
    const word = () => `w${Math.floor(Math.pow(r(), 3) * 400)}`;
    const docs = Array.from({ length: 3000 }, () => enc.document('u', Array.from({ length: 5 + Math.floor(r() * 20) }, word).join(' ')));
    const index = new KeywordIndex();
    docs.forEach((d, slot) => index.add(slot, d));
    // Remove some, so posting lists have had swaps.
    const removed = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const slot = Math.floor(r() * docs.length);
      if (removed.has(slot)) continue;
      removed.add(slot);
      index.remove(slot, docs[slot]!);
    }
    const live = docs.length - removed.size;
    for (let q = 0; q < 200; q++) {
      const query = enc.query('u', Array.from({ length: 1 + Math.floor(r() * 5) }, word).join(' '));
      const k = 1 + Math.floor(r() * 30);
      const accept = (slot: number) => slot % 7 !== q % 7;
      const got = index.search(query, k, live, docs.length, accept, (slot, t) => valueOf(docs[slot]!, t));
      const dfs = new Map(Array.from(query.indices, (t) => [t, docs.filter((d, slot) => !removed.has(slot) && valueOf(d, t) !== 0).length]));
      const df = (t: number) => dfs.get(t)!;
      const brute = docs
        .map((d, slot) => {
          let score = 0;
          query.indices.forEach((t, i) => {
            const v = valueOf(d, t);
            if (v !== 0) score += idf(live, df(t)) * query.values[i]! * v;
          });
          return { slot, score };
        })
        .filter((x) => x.score > 0 && !removed.has(x.slot) && accept(x.slot))
        .sort((a, b) => b.score - a.score || a.slot - b.slot)
        .slice(0, k);
      expect(got.map((x) => x.score)).toEqual(brute.map((x) => expect.closeTo(x.score, 9)));
      // Slots may differ only between equal scores.
      got.forEach((x, i) => expect(x.slot === brute[i]!.slot || Math.abs(x.score - brute[i]!.score) < 1e-9).toBe(true));
    }
  });

  it('breaks ties at the k-th score by the lowest slots, when a word in every memory decides the last places', async () => {
    const { KeywordIndex } = await import('../../src/engine/vector/embedded/keyword-index.js');
    const docs = Array.from({ length: 2000 }, (_, i) => enc.document('u', `memory ${i}`));
    const index = new KeywordIndex();
    // Added out of slot order, as after removals and swaps.
    for (let slot = docs.length - 1; slot >= 0; slot--) index.add(slot, docs[slot]!);
    const query = enc.query('u', 'memory 1234 and memory 77');
    const accept = (slot: number) => slot !== 3;
    const got = index.search(query, 10, docs.length, docs.length, accept, (slot, t) => valueOf(docs[slot]!, t));
    expect(
      got
        .slice(0, 2)
        .map((x) => x.slot)
        .sort((a, b) => a - b),
    ).toEqual([77, 1234]);
    // The other eight share one score (only "memory"): the lowest accepted slots, in order.
    expect(got.slice(2).map((x) => x.slot)).toEqual([0, 1, 2, 4, 5, 6, 7, 8]);
    expect(new Set(got.slice(2).map((x) => x.score)).size).toBe(1);
    expect(got[1]!.score).toBeGreaterThan(got[2]!.score);
  });
});
