/** How each kind of precomputed artifact forgets a removed memory (strong deletes). */
import { describe, expect, it } from 'vitest';
import { pruneArtifact, summaryText, type ProfileBody, type SimilarBody, type SummaryBody, type TopicBody } from '../../src/precompute/artifacts.js';

const row = (kind: string, key: string, body: unknown, sources: string[]) => ({ kind, key, body, sources, generatedAtMs: 1 });

describe('pruneArtifact', () => {
  it('drops a profile’s segments, list entries and rare entities of removed memories, and LLM text that read them', () => {
    const body: ProfileBody = {
      compiledAtMs: 1,
      memoryCount: 3,
      top: ['a', 'b'],
      recent: ['c', 'a'],
      preferences: ['b'],
      entities: [
        { name: 'Rare', count: 1, ids: ['a'] },
        { name: 'Common', count: 500, ids: ['a', 'b'] },
      ],
      topics: [{ id: 't', label: 'x', size: 3 }],
      segments: [
        { id: 'a', text: 'A said this' },
        { id: 'b', text: 'B said that' },
      ],
      llm: { text: 'model text', model: 'm', sources: ['a', 'c'] },
    };
    const out = pruneArtifact(row('profile', '', body, ['a', 'b', 'c']), new Set(['a']))!;
    const b = out.body as ProfileBody;
    expect(b.top).toEqual(['b']);
    expect(b.recent).toEqual(['c']);
    expect(b.entities).toEqual([{ name: 'Common', count: 499, ids: ['b'] }]);
    expect(b.llm).toBeUndefined();
    expect(summaryText(b)).toBe('B said that.');
    expect(out.sources).toEqual(['b', 'c']);
    // LLM text that did not read the removed memory stays.
    const kept = pruneArtifact(row('profile', '', body, ['a', 'b', 'c']), new Set(['b']))!;
    expect((kept.body as ProfileBody).llm?.text).toBe('model text');
  });

  it('shrinks topics and drops empty ones; drops summaries left without text; edits neighbour lists', () => {
    const topic: TopicBody = { label: 'l', terms: [], size: 2, centroid: [1], segments: [{ id: 'a', text: 'x' }] };
    expect((pruneArtifact(row('topic', 't', topic, ['a', 'b']), new Set(['a']))!.body as TopicBody).size).toBe(1);
    expect(pruneArtifact(row('topic', 't', topic, ['a']), new Set(['a']))).toBeUndefined();
    const summary: SummaryBody = { kind: 'day', key: '2026-11-30', memoryCount: 2, segments: [{ id: 'a', text: 'x' }] };
    expect(pruneArtifact(row('summary', 'day:2026-11-30', summary, ['a']), new Set(['a']))).toBeUndefined();
    const similar: SimilarBody = {
      neighbors: [
        { id: 'a', similarity: 0.9 },
        { id: 'b', similarity: 0.8 },
      ],
    };
    expect((pruneArtifact(row('similar', 'm', similar, ['m', 'a', 'b']), new Set(['a']))!.body as SimilarBody).neighbors).toEqual([{ id: 'b', similarity: 0.8 }]);
    expect(pruneArtifact(row('similar', 'm', similar, ['m', 'a', 'b']), new Set(['m']))).toBeUndefined();
  });
});
