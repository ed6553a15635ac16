/** buildTopics: centroids, TF-IDF label terms, and topic ids that survive a re-clustering. */
import { describe, expect, it } from 'vitest';
import { buildTopics, type TopicInput } from '../../src/clusters/topics.js';

/** Points on three axes of a 3-d space, with words per cluster and one word shared by all. */
function input(over: Partial<TopicInput> = {}): TopicInput {
  const words = [
    ['hiking', 'trail'],
    ['espresso', 'beans'],
    ['piano', 'chopin'],
  ];
  const ids: string[] = [];
  const labels: number[] = [];
  const terms: string[][] = [];
  const vectors: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 4; i++) {
      ids.push(`c${c}-m${i}`);
      labels.push(c);
      terms.push([...words[c]!, 'weekend']);
      const v = [0.1, 0.1, 0.1];
      v[c] = 1;
      vectors.push(...v);
    }
  }
  ids.push('noise');
  labels.push(-1);
  terms.push(['weekend']);
  vectors.push(0.5, 0.5, 0.5);
  let n = 0;
  return { ids, vectors: Float32Array.from(vectors), dims: 3, labels, clusterCount: 3, terms, previous: [], newId: () => `new-${n++}`, ...over };
}

describe('buildTopics', () => {
  it('labels each topic by its own words, never by a word every topic shares', async () => {
    const topics = await buildTopics(input());
    expect(topics.map((t) => t.label)).toEqual(['hiking, trail', 'beans, espresso', 'chopin, piano']);
    for (const t of topics) expect(t.terms).not.toContain('weekend');
    expect(topics.flatMap((t) => t.members)).not.toContain(12); // the noise point
  });

  it('gives unit-length centroids that point at their cluster', async () => {
    const topics = await buildTopics(input());
    topics.forEach((t, c) => {
      expect(Math.hypot(...t.centroid)).toBeCloseTo(1, 6);
      expect(t.centroid.indexOf(Math.max(...t.centroid))).toBe(c);
    });
  });

  it('keeps a previous id for a topic that keeps most of its members, once', async () => {
    const previous = [
      { id: 'hiking-topic', members: ['c0-m0', 'c0-m1', 'c0-m2', 'old-1'] }, // 3 of 5 in the union: kept
      { id: 'coffee-topic', members: ['c1-m0', 'x', 'y', 'z', 'w'] }, // 1 of 8: a new id
      { id: 'piano-topic', members: ['c2-m0', 'c2-m1', 'c2-m2', 'c2-m3'] },
    ];
    const topics = await buildTopics(input({ previous }));
    expect(topics.map((t) => t.id)).toEqual(['hiking-topic', 'new-0', 'piano-topic']);
  });

  it('labels a single topic by its most frequent words', async () => {
    const one = input({ labels: [0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1], clusterCount: 1 });
    const [t] = await buildTopics(one);
    expect(t!.terms.slice(0, 3).sort()).toEqual(['hiking', 'trail', 'weekend']);
  });
});
