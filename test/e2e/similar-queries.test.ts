/**
 * The semantic query cache over gRPC on embedded defaults: a query close enough to a cached one
 * gets its result (and says so), and only within the consistency model: same user, same options,
 * same cache generation (a Forget hides the borrowed result at once), fresh results only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, randomUnitVector, rng, startApp, type TestApp } from '../helpers.js';

interface SearchRes {
  hits: { memory: { id: string; content: string } }[];
  tier: string;
  similarQueryCosine: number;
}

const DIMS = 384;
const random = rng(20);

/** A unit vector whose cosine with the unit vector `base` is exactly `cosine`. */
function rotated(base: number[], cosine: number): number[] {
  const w = randomUnitVector(DIMS, random);
  const along = w.reduce((s, x, i) => s + x * base[i]!, 0);
  const ortho = w.map((x, i) => x - along * base[i]!);
  const n = Math.hypot(...ortho);
  const sine = Math.sqrt(1 - cosine * cosine);
  return base.map((b, i) => cosine * b + (sine * ortho[i]!) / n);
}

let on: TestApp;
let off: TestApp;
const search = (t: TestApp, userId: string, req: object) => call<SearchRes>(t.client, 'Search', { userId, topK: 5, ...req });
const ids = (r: SearchRes) => r.hits.map((h) => h.memory.id);

async function userWithMemories(t: TestApp): Promise<{ userId: string; base: number[] }> {
  const userId = `u-${randomUUID()}`;
  const base = randomUnitVector(DIMS, random);
  const items = Array.from({ length: 30 }, (_, i) => ({ content: `memory ${i}`, embedding: rotated(base, 0.3 + (0.6 * i) / 30) }));
  await call(t.client, 'RememberBatch', { userId, items });
  return { userId, base };
}

beforeAll(async () => {
  on = await startApp({ cacheSimilarMinCosine: 0.9 });
  off = await startApp();
});
afterAll(async () => {
  await on?.stop();
  await off?.stop();
});

describe('semantic query cache', () => {
  it("answers a query within the threshold with a cached query's result, and says how close they were", async () => {
    const { userId, base } = await userWithMemories(on);
    const first = await search(on, userId, { queryVector: base });
    expect(first.tier).toBe('TIER_L3');
    expect(first.similarQueryCosine).toBe(0);
    const close = await search(on, userId, { queryVector: rotated(base, 0.95) });
    expect(close.tier).toBe('TIER_L1');
    expect(close.similarQueryCosine).toBeCloseTo(0.95, 3);
    expect(ids(close)).toEqual(ids(first));
    // The borrowed answer is cached under the new query too: its exact repeat is a plain L1 hit.
    const repeat = await search(on, userId, { queryVector: rotated(base, 0.95) });
    expect(repeat.tier).toBe('TIER_L1');
    const far = await search(on, userId, { queryVector: rotated(base, 0.85) });
    expect(far.tier).toBe('TIER_L3');
    expect(far.similarQueryCosine).toBe(0);
  });

  it('matches text queries by their embeddings (a rewording of the same question)', async () => {
    const userId = `u-${randomUUID()}`;
    for (const content of ['Melanie went camping in June with her kids', 'Caroline adopted a dog called Oscar', 'the pottery class is on Tuesdays'])
      await call(on.client, 'Remember', { userId, memory: { content } });
    expect((await search(on, userId, { query: 'When did Melanie go camping in June?' })).tier).toBe('TIER_L3');
    const reworded = await search(on, userId, { query: 'when did melanie go camping in june' });
    expect(reworded.tier).toBe('TIER_L1');
    expect(reworded.similarQueryCosine).toBeGreaterThan(0.9);
    expect(reworded.hits[0]!.memory.content).toContain('camping');
    expect((await search(on, userId, { query: 'what is the name of the dog Caroline adopted' })).tier).toBe('TIER_L3');
  });

  it('never lends a result across users, search options or filters', async () => {
    const a = await userWithMemories(on);
    const b = await userWithMemories(on);
    await search(on, a.userId, { queryVector: a.base });
    const other = await search(on, b.userId, { queryVector: rotated(a.base, 0.99) });
    expect(other.tier).toBe('TIER_L3');
    expect(other.similarQueryCosine).toBe(0);
    expect((await search(on, a.userId, { queryVector: rotated(a.base, 0.99), topK: 6 })).tier).toBe('TIER_L3');
    expect((await search(on, a.userId, { queryVector: rotated(a.base, 0.99), filter: { tagsAny: ['x'] } })).tier).toBe('TIER_L3');
    expect((await search(on, a.userId, { queryVector: rotated(a.base, 0.99), exact: true })).tier).toBe('TIER_L3');
  });

  it('does not lend a result after a Forget (strong invalidation): the next similar query searches again', async () => {
    const { userId, base } = await userWithMemories(on);
    const first = await search(on, userId, { queryVector: base });
    const gone = first.hits[0]!.memory.id;
    await call(on.client, 'Forget', { userId, ids: [gone] });
    const after = await search(on, userId, { queryVector: rotated(base, 0.97) });
    expect(after.tier).toBe('TIER_L3');
    expect(ids(after)).not.toContain(gone);
  });

  it('counts its outcomes in memory_search_similar_query_total', async () => {
    const { userId, base } = await userWithMemories(on);
    const count = async (outcome: string) => (await on.app.metrics.similarQueries.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    const [hits, none] = [await count('hit'), await count('none')];
    await search(on, userId, { queryVector: base });
    await search(on, userId, { queryVector: rotated(base, 0.93) });
    expect(await count('none')).toBe(none + 1);
    expect(await count('hit')).toBe(hits + 1);
  });

  it('is off by default: only exact repeats hit', async () => {
    const { userId, base } = await userWithMemories(off);
    await search(off, userId, { queryVector: base });
    const close = await search(off, userId, { queryVector: rotated(base, 0.999) });
    expect(close.tier).toBe('TIER_L3');
    expect((await search(off, userId, { queryVector: base })).tier).toBe('TIER_L1');
  });

  it('leaves KEYWORD searches to exact repeats (they have no vector)', async () => {
    const userId = `u-${randomUUID()}`;
    await call(on.client, 'Remember', { userId, memory: { content: 'Melanie went camping in June' } });
    expect((await search(on, userId, { query: 'Melanie camping June', mode: 'SEARCH_MODE_KEYWORD' })).tier).toBe('TIER_L3');
    expect((await search(on, userId, { query: 'melanie camping june', mode: 'SEARCH_MODE_KEYWORD' })).tier).toBe('TIER_L3');
  });
});
