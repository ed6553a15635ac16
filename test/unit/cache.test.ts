/**
 * TieredCache and CacheCoherence on L1 alone (the Redis side runs in test/e2e/redis-cache):
 * fill order, single flight, validity, and what each kind of invalidation drops.
 */
import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/engine/cache/codecs.js';
import { CacheCoherence } from '../../src/engine/cache/coherence.js';
import { cacheKeys } from '../../src/engine/cache/keys.js';
import { L1Cache } from '../../src/engine/cache/l1-cache.js';
import { SimilarQueries } from '../../src/engine/cache/similar-queries.js';
import { TieredCache } from '../../src/engine/cache/tiered-cache.js';
import { Metrics } from '../../src/observability/metrics.js';

const ttl = { memory: 60_000, search: 60_000, embedding: 60_000, profile: 60_000, precomputed: 60_000 };
const codec: Codec<{ v: number }> = { kind: 'precomputed', encode: (x) => Buffer.from(JSON.stringify(x)), decode: (b) => JSON.parse(b.toString()) as { v: number }, bytes: () => 64 };

function setup() {
  const metrics = new Metrics();
  const l1 = new L1Cache({ maxBytes: 1 << 20, metrics, purgeEveryMs: 0 });
  return { l1, cache: new TieredCache(l1, undefined, metrics, { l1: ttl, l2: ttl }), coherence: new CacheCoherence(l1, undefined) };
}

describe('TieredCache', () => {
  it('loads once, then answers from L1; concurrent misses share one load', async () => {
    const { cache } = setup();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return { v: 7 };
    };
    const first = await Promise.all(Array.from({ length: 5 }, () => cache.get('k', codec, load)));
    expect(loads).toBe(1);
    expect(first.every((x) => x?.value.v === 7 && x.tier === 'L3')).toBe(true);
    expect(await cache.get('k', codec, load)).toEqual({ value: { v: 7 }, tier: 'L1' });
    expect(loads).toBe(1);
  });

  it('reloads an entry that is no longer valid, and caches no miss', async () => {
    const { cache } = setup();
    let n = 0;
    await cache.get('k', codec, async () => ({ v: ++n }));
    expect((await cache.get('k', codec, async () => ({ v: ++n }), { valid: (x) => x.v > 1 }))?.value.v).toBe(2);
    expect(await cache.get('none', codec, async () => undefined)).toBeUndefined();
    expect((await cache.get('none', codec, async () => ({ v: 9 })))?.tier).toBe('L3');
  });
});

describe('TieredCache racing an invalidation', () => {
  it('does not cache what a load read before a delete that finished while it ran', async () => {
    const { cache, coherence } = setup();
    const key = cacheKeys.memory('u', 'm1');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The load has read the memory; then the memory is deleted (invalidation), then the load returns.
    const read = cache.get(key, codec, async () => {
      await gate;
      return { v: 1 };
    });
    await coherence.invalidate('u', ['m1']);
    release();
    expect((await read)?.value).toEqual({ v: 1 }); // the read began before the delete: it may see it
    let reloaded = 0;
    const next = await cache.get(key, codec, async () => (reloaded++, undefined));
    expect(next).toBeUndefined(); // nothing stale was cached: the next read goes to the store
    expect(reloaded).toBe(1);
  });
});

describe('CacheCoherence without Redis', () => {
  it('moves the cache generation on invalidation and the artifact generation after a run', async () => {
    const { coherence } = setup();
    expect(await coherence.generation('u')).toEqual({ gen: 0, artifacts: 0, l2: false });
    await coherence.invalidate('u', ['a']);
    await coherence.artifactsChanged('u');
    await coherence.artifactsChanged('u');
    expect(await coherence.generation('u')).toEqual({ gen: 1, artifacts: 2, l2: false });
    expect(await coherence.generation('other')).toEqual({ gen: 0, artifacts: 0, l2: false });
  });

  it('drops the named memories, and on erasure every keyspace of that user only', async () => {
    const { l1, coherence } = setup();
    const g = { gen: 0, artifacts: 0 };
    const put = (key: string) => l1.set(key, { x: 1 }, 60_000, 10);
    for (const u of ['u1', 'u10']) {
      put(cacheKeys.memory(u, 'a'));
      put(cacheKeys.memory(u, 'b'));
      put(cacheKeys.search(u, 0, 'fp'));
      put(cacheKeys.profile(u, g));
      put(cacheKeys.topics(u, g));
      put(cacheKeys.summary(u, g, 'day', '2026-12-01'));
      put(cacheKeys.related(u, g, 'a'));
    }
    expect(await coherence.invalidate('u1', ['a'])).toBe(1);
    expect(l1.get(cacheKeys.memory('u1', 'a'), 'memory')).toBeUndefined();
    expect(l1.get(cacheKeys.memory('u1', 'b'), 'memory')).toBeDefined();
    // Erasure: the six keys left of u1 go; u10 (whose id starts with u1) keeps all seven.
    expect(await coherence.invalidate('u1', [], true)).toBe(6);
    expect(l1.get(cacheKeys.profile('u10', g), 'profile')).toBeDefined();
    expect(l1.get(cacheKeys.memory('u10', 'a'), 'memory')).toBeDefined();
  });
});

describe('SimilarQueries (the semantic cache index)', () => {
  const v = (...xs: number[]) => Float32Array.from(xs);
  const make = (perUser = 3) => {
    const { l1, coherence } = setup();
    return { l1, coherence, index: new SimilarQueries({ l1, minCosine: 0.9, perUser, ttlMs: 60_000 }) };
  };

  it('finds the closest recent query at or above the threshold, scale-free', () => {
    const { index } = make();
    index.add('u', 0, 'opts', v(1, 0, 0), 'x');
    index.add('u', 0, 'opts', v(0.95, 0.31, 0), 'y');
    expect(index.find('u', 0, 'opts', v(10, 2, 0))).toEqual({ fingerprint: 'y', cosine: expect.closeTo(0.995, 2) });
    expect(index.find('u', 0, 'opts', v(1, 0.05, 0))?.fingerprint).toBe('x');
    expect(index.find('u', 0, 'opts', v(0, 0, 1))).toBeUndefined();
    expect(index.find('u', 0, 'opts', v(0.8, -0.6, 0))).toBeUndefined(); // cosine 0.8 to x, 0.57 to y
  });

  it('is per user, generation and options; ignores zero vectors and other dimensions', () => {
    const { index } = make();
    index.add('u', 0, 'opts', v(1, 0, 0), 'x');
    index.add('u', 0, 'opts', v(0, 0, 0), 'zero');
    expect(index.find('u1', 0, 'opts', v(1, 0, 0))).toBeUndefined();
    expect(index.find('u', 1, 'opts', v(1, 0, 0))).toBeUndefined();
    expect(index.find('u', 0, 'other', v(1, 0, 0))).toBeUndefined();
    expect(index.find('u', 0, 'opts', v(0, 0, 0))).toBeUndefined();
    expect(index.find('u', 0, 'opts', v(1, 0, 0, 0))).toBeUndefined();
  });

  it('keeps the most recent queries: the oldest is replaced, a repeated fingerprint is updated in place', () => {
    const { index } = make(2);
    index.add('u', 0, 'o', v(1, 0, 0), 'a');
    index.add('u', 0, 'o', v(0, 1, 0), 'b');
    index.add('u', 0, 'o', v(0, 1, 0), 'b');
    expect(index.find('u', 0, 'o', v(1, 0, 0))?.fingerprint).toBe('a');
    index.add('u', 0, 'o', v(0, 0, 1), 'c');
    expect(index.find('u', 0, 'o', v(1, 0, 0))).toBeUndefined();
    expect(index.find('u', 0, 'o', v(0, 1, 0))?.fingerprint).toBe('b');
    expect(index.find('u', 0, 'o', v(0, 0, 1))?.fingerprint).toBe('c');
  });

  it("is erased with the user's other keyspaces", async () => {
    const { index, coherence } = make();
    index.add('u', 0, 'o', v(1, 0, 0), 'a');
    index.add('u2', 0, 'o', v(1, 0, 0), 'a');
    await coherence.invalidate('u', [], true);
    expect(index.find('u', 0, 'o', v(1, 0, 0))).toBeUndefined();
    expect(index.find('u2', 0, 'o', v(1, 0, 0))).toBeDefined();
  });
});

describe('L1Cache expiry', () => {
  const expiredByTtl = async (metrics: Metrics) => (await metrics.registry.getSingleMetric('memory_cache_evictions_total')!.get()).values.find((v) => v.labels.reason === 'ttl')?.value ?? 0;

  it('a sweep drops expired entries nobody reads again, and keeps the live ones', async () => {
    const metrics = new Metrics();
    const l1 = new L1Cache({ maxBytes: 1 << 20, metrics, purgeEveryMs: 3_600_000 }); // swept by hand here
    try {
      for (let i = 0; i < 50; i++) l1.set(`search:${i}`, { i }, 20, 100);
      l1.set('memory:kept', { i: -1 }, 60_000, 100);
      l1.set('search:invalidated', { i: -2 }, 20, 100);
      l1.delete('search:invalidated');
      expect(l1.purgeExpired()).toBe(0);
      await new Promise((r) => setTimeout(r, 15));
      l1.set('search:7', { i: 7 }, 20, 100); // set again: expires later than its first queue entry
      await new Promise((r) => setTimeout(r, 15));
      expect(l1.purgeExpired(10)).toBe(9); // a bounded sweep (the first 10 keys, search:7 among them), then the rest
      expect(l1.purgeExpired()).toBe(40);
      expect(await expiredByTtl(metrics)).toBe(49);
      expect(l1.get<{ i: number }>('search:7', 'search')?.i).toBe(7);
      expect(l1.get<{ i: number }>('memory:kept', 'memory')?.i).toBe(-1);
      await new Promise((r) => setTimeout(r, 30));
      expect(l1.purgeExpired()).toBe(1);
      expect(l1.purgeExpired()).toBe(0);
    } finally {
      l1.close();
    }
  });

  it('sweeps on its own every purgeEveryMs until closed', async () => {
    const metrics = new Metrics();
    const l1 = new L1Cache({ maxBytes: 1 << 20, metrics, purgeEveryMs: 15 });
    try {
      for (let i = 0; i < 10; i++) l1.set(`search:${i}`, { i }, 10, 100);
      const deadline = Date.now() + 2_000;
      while ((await expiredByTtl(metrics)) < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await expiredByTtl(metrics)).toBe(10);
    } finally {
      l1.close();
    }
    l1.set('search:late', { i: 0 }, 10, 100);
    await new Promise((r) => setTimeout(r, 60));
    expect(await expiredByTtl(metrics)).toBe(10); // closed: no sweep took it
  });
});
