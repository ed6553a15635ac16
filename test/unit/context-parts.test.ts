/** The pure parts of context assembly: time references, entity mentions, and the packer. */
import { describe, expect, it } from 'vitest';
import { namedEntities } from '../../src/context/entity-match.js';
import { memoryLine, pack, type Candidate, type SectionDraft } from '../../src/context/packer.js';
import type { SectionName } from '../../src/context/sections.js';
import { findTimeWindow } from '../../src/context/time-reference.js';
import { TokenCounter } from '../../src/context/tokenizer.js';
import type { MemoryRecord } from '../../src/engine/types.js';
import { makeRecord } from '../contract/vector-store-contract.js';

const NOW = Date.UTC(2023, 4, 17, 15, 30); // Wednesday 17 May 2023, 15:30 UTC
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const range = (text: string) => {
  const w = findTimeWindow(text, NOW);
  return w ? [new Date(w.fromMs).toISOString().slice(0, 10), new Date(w.toMs - 1).toISOString().slice(0, 10)] : undefined;
};

describe('time references', () => {
  it('turns the usual phrases into windows (UTC, relative to the reference time)', () => {
    expect(range('what did I eat yesterday?')).toEqual(['2023-05-16', '2023-05-16']);
    expect(range('anything today')).toEqual(['2023-05-17', '2023-05-17']);
    expect(range('two days ago at the gym')).toEqual(['2023-05-15', '2023-05-15']);
    expect(range('3 days ago')).toEqual(['2023-05-14', '2023-05-14']);
    expect(range('last week')).toEqual(['2023-05-08', '2023-05-14']);
    expect(range('this week')).toEqual(['2023-05-15', '2023-05-17']);
    expect(range('last month')).toEqual(['2023-04-01', '2023-04-30']);
    expect(range('in the last 3 days')).toEqual(['2023-05-15', '2023-05-17']);
    expect(range('what happened in May?')).toEqual(['2023-05-01', '2023-05-31']);
    expect(range('back in June')).toEqual(['2022-06-01', '2022-06-30']);
    expect(range('in March 2021')).toEqual(['2021-03-01', '2021-03-31']);
    expect(range('on 7 May 2023')).toEqual(['2023-05-07', '2023-05-07']);
    expect(range('May 7th')).toEqual(['2023-05-07', '2023-05-07']);
    expect(range('since 2023-02-28')).toEqual(['2023-02-28', '2023-02-28']);
    expect(range('last Friday')).toEqual(['2023-05-12', '2023-05-12']);
    expect(range('on Wednesday')).toEqual(['2023-05-10', '2023-05-10']);
    expect(range('last weekend')).toEqual(['2023-05-13', '2023-05-14']);
    expect(range('a month ago')).toEqual(['2023-04-01', '2023-04-30']);
    expect(range('in 2019')).toEqual(['2019-01-01', '2019-12-31']);
  });

  it('finds no time where there is none ("may" the verb, bad dates)', () => {
    expect(findTimeWindow('You may want to call Mary', NOW)).toBeUndefined();
    expect(findTimeWindow('what is my favourite colour', NOW)).toBeUndefined();
    expect(findTimeWindow('on 2023-02-30', NOW)).toBeUndefined();
    expect(findTimeWindow('march forward', NOW)).toBeUndefined();
  });

  it('is deterministic and ends windows exclusively', () => {
    const w = findTimeWindow('yesterday', NOW)!;
    expect(w).toEqual(findTimeWindow('yesterday', NOW));
    expect([w.fromMs, w.toMs]).toEqual([day(2023, 5, 16), day(2023, 5, 17)]);
    expect(w.label).toBe('2023-05-16');
  });
});

describe('entity mentions', () => {
  it('matches whole words, case-insensitively, query first, then the newest turns', () => {
    const known = ['Ann', 'Bob', 'New York', 'Zoë'];
    expect(namedEntities(known, 'did ann call?', ['Bob was here', 'we flew to new york'], 5)).toEqual(['Ann', 'New York', 'Bob']);
    expect(namedEntities(known, 'Annabel and Bobby', [], 5)).toEqual([]);
    expect(namedEntities(known, 'zoë!', [], 5)).toEqual(['Zoë']);
    expect(namedEntities(known, 'Ann Bob Zoë', [], 2)).toEqual(['Ann', 'Bob']);
  });
});

describe('packing', () => {
  const counter = new TokenCounter('o200k_base');
  const record = (content: string, o: Partial<MemoryRecord> = {}): MemoryRecord => makeRecord('u', [], { content, createdAtMs: NOW, updatedAtMs: NOW, embedding: new Float32Array(0), ...o });
  const cand = (section: SectionName, memory: MemoryRecord, score: number, immediate = false): Candidate => ({
    section,
    memory,
    text: memoryLine(memory),
    key: `m:${memory.id}:1`,
    score,
    stage: 2,
    immediate,
  });
  const draft = (name: SectionName, candidates: Candidate[]): SectionDraft => ({ name, title: name, detail: '', tier: 'L1', candidates, order: 'score' });

  it('keeps each memory once, in the section that scores it highest', async () => {
    await counter.ready();
    const a = record('alpha');
    const b = record('beta');
    const out = pack({ drafts: [draft('semantic', [cand('semantic', a, 0.9), cand('semantic', b, 0.5)]), draft('entities', [cand('entities', b, 0.7)])], budget: 1000, counter });
    expect(out.sections.map((s) => [s.name, s.items.map((c) => c.memory!.content)])).toEqual([
      ['semantic', ['alpha']],
      ['entities', ['beta']],
    ]);
  });

  it('never exceeds the budget as the whole text counts, in any script', async () => {
    await counter.ready();
    const texts = ['我喜欢在山里徒步旅行 🏔️🥾', '東京の桜 🌸🌸🌸', '👨‍👩‍👧‍👦🎉🎂🥳', 'Ünïcödé façade', '서울에서 커피를 ☕📚', 'plain english words here'];
    const drafts = [
      draft(
        'semantic',
        texts.map((t, i) => cand('semantic', record(t), 1 - i / 10)),
      ),
      draft(
        'session',
        texts.map((t, i) => cand('session', record(`${t} again`), 0.95 - i / 10)),
      ),
    ];
    for (let budget = 5; budget <= 120; budget += 5) {
      const out = pack({ drafts, budget, counter });
      expect(out.tokens).toBeLessThanOrEqual(budget);
      expect(counter.tokens(out.text)).toBe(out.tokens);
    }
  });

  it('keeps "load immediately" memories first when the budget is tight, and honours caps', async () => {
    await counter.ready();
    const pinned = record('pinned fact that must stay', { pinned: true });
    const best = record('the best match by score');
    const drafts = [draft('profile', [cand('profile', pinned, 0.1, true)]), draft('semantic', [cand('semantic', best, 0.99)])];
    const tight = pack({ drafts, budget: 20, counter });
    expect(tight.sections.flatMap((s) => s.items.map((c) => c.memory!.content))).toEqual(['pinned fact that must stay']);
    const capped = pack({ drafts, budget: 1000, caps: { profile: 3 }, counter });
    expect(capped.sections.map((s) => s.name)).toEqual(['semantic']);
  });

  it('skips what a stream already sent, and marks continued sections', async () => {
    await counter.ready();
    const a = record('sent before');
    const b = record('not yet sent');
    const out = pack({ drafts: [draft('semantic', [cand('semantic', a, 0.9), cand('semantic', b, 0.5)])], budget: 100, sent: new Set([a.id]), continued: new Set(['semantic']), counter });
    expect(out.text).toBe('## semantic (continued)\n- [2023-05-17] not yet sent\n');
  });
});
