/**
 * The three-tier cache against a real redis-server: two service instances (A and B) over one
 * vector store, one metadata store and one Redis, each with its own L1, called over gRPC.
 */
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { EmbeddedVectorStore } from '../../src/engine/vector/embedded/index.js';
import type { MemoryServiceClient } from '../../src/generated/memory/v1/MemoryService.js';
import { SqlMetadataStore } from '../../src/metadata/sql-metadata-store.js';
import { createLogger } from '../../src/observability/logger.js';
import { call, newClient, tempDir } from '../helpers.js';
import { openSharedStores } from '../support/shared-stores.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

interface Res {
  hits: { memory: { id: string; content: string } }[];
  tier: string;
}
interface Instance {
  app: App;
  client: MemoryServiceClient;
}

let redis: TestRedis | undefined;
let dir = '';
let store: EmbeddedVectorStore;
let metadata: SqlMetadataStore;
const instances: Instance[] = [];

async function instance(over: Partial<Config> = {}): Promise<Instance> {
  const config = loadConfig({}, { grpcAddress: '127.0.0.1:0', httpAddress: '127.0.0.1:0', dataDir: dir, logLevel: 'silent', redisUrl: redis!.url, redisBreakerOpenMs: 200, ...over });
  const app = await new App(config, createLogger('silent'), { store, metadata }).start();
  const i = { app, client: newClient(app.grpcPort) };
  instances.push(i);
  return i;
}

const counter = (app: App, name: 'cacheHits' | 'cacheMisses', tier: string, kind: string) =>
  app.metrics[name].get().then((m) => m.values.find((v) => v.labels.tier === tier && v.labels.kind === kind)?.value ?? 0);
const received = (app: App) => app.metrics.invalidationsReceived.get().then((m) => m.values[0]?.value ?? 0);
const search = (i: Instance, userId: string, query: string) => call<Res>(i.client, 'Search', { userId, query, topK: 5 });

let A: Instance;
let B: Instance;

/** Waits until Redis holds a key matching `pattern` (L2 fills are not awaited by the call that makes them). */
async function untilInRedis(pattern: string): Promise<void> {
  const r = new Redis(redis!.url);
  r.on('error', () => undefined);
  try {
    const end = Date.now() + 5000;
    while ((await r.scan('0', 'MATCH', pattern, 'COUNT', 10_000))[1].length === 0) {
      if (Date.now() > end) throw new Error(`no key matching ${pattern} reached Redis`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  redis = await startTestRedis();
  if (!redis) return;
  dir = await tempDir('me-l2-');
  ({ store, metadata } = await openSharedStores(dir));
  A = await instance();
  B = await instance();
});

afterAll(async () => {
  for (const i of instances) {
    i.client.close();
    await i.app.close();
  }
  await store?.close();
  await metadata?.close();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('L2 shared by two instances', () => {
  it('serves B from L2 what A computed, then from its own L1', async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    await call(A.client, 'Remember', { userId: u, memory: { content: 'the cat is called Miso' } });
    expect((await search(A, u, 'name of the cat')).tier).toBe('TIER_L3');
    await untilInRedis(`*s:${u}*`); // A fills L2 after it answers, without waiting for it
    const b1 = await search(B, u, 'name of the cat');
    expect(b1.tier).toBe('TIER_L2');
    expect(b1.hits[0]!.memory.content).toBe('the cat is called Miso');
    expect((await search(B, u, 'name of the cat')).tier).toBe('TIER_L1');
  });

  it('never returns a memory forgotten on A from B once B got the invalidation, and measures the delay', async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    const { id } = await call<{ id: string }>(A.client, 'Remember', { userId: u, memory: { content: 'the door code is 4711' } });
    await call(A.client, 'Remember', { userId: u, memory: { content: 'the garage door is blue' } });
    for (const i of [A, B]) {
      await search(i, u, 'door code');
      expect((await search(i, u, 'door code')).hits.map((h) => h.memory.id)).toContain(id);
      await call(i.client, 'Get', { userId: u, id });
    }
    const before = await received(B.app);
    const t0 = performance.now();
    await call(A.client, 'Forget', { userId: u, ids: [id] });
    // A itself: strong before the call returned.
    expect((await search(A, u, 'door code')).hits.map((h) => h.memory.id)).not.toContain(id);
    while ((await received(B.app)) === before) {
      if (performance.now() - t0 > 5000) throw new Error('B never received the invalidation');
      await new Promise((r) => setImmediate(r));
    }
    const propagationMs = performance.now() - t0;
    const afterB = await search(B, u, 'door code');
    expect(afterB.hits.map((h) => h.memory.id)).not.toContain(id);
    await expect(call(B.client, 'Get', { userId: u, id })).rejects.toMatchObject({ code: 5 });
    console.log(`invalidation A → B observed after ${propagationMs.toFixed(2)} ms (Forget round trip included)`);
    expect(propagationMs).toBeLessThan(5000);
  });

  it('hides a memory superseded on A from B once B got the invalidation, and still reads it by id on both', async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    const { id: old } = await call<{ id: string }>(A.client, 'Remember', { userId: u, memory: { content: 'the office is in Berlin' } });
    for (const i of [A, B]) {
      await search(i, u, 'where is the office');
      expect((await search(i, u, 'where is the office')).hits.map((h) => h.memory.id)).toContain(old); // cached on both
    }
    const before = await received(B.app);
    const { id: newer } = await call<{ id: string }>(A.client, 'Remember', { userId: u, memory: { content: 'the office moved to Lisbon', supersedes: [old] } });
    expect((await search(A, u, 'where is the office')).hits.map((h) => h.memory.id)).toEqual([newer]);
    const t0 = performance.now();
    while ((await received(B.app)) === before) {
      if (performance.now() - t0 > 5000) throw new Error('B never received the invalidation');
      await new Promise((r) => setImmediate(r));
    }
    expect((await search(B, u, 'where is the office')).hits.map((h) => h.memory.id)).toEqual([newer]);
    for (const i of [A, B]) expect((await call<{ supersededBy: string }>(i.client, 'Get', { userId: u, id: old })).supersededBy).toBe(newer);
    const history = await call<Res>(B.client, 'Search', { userId: u, query: 'where is the office', topK: 5, filter: { includeSuperseded: true } });
    expect(history.hits.map((h) => h.memory.id).sort()).toEqual([old, newer].sort());
  });

  it('shows new memories in L2-cached searches once the lag bound passed', async (ctx) => {
    if (!redis) return ctx.skip();
    const C = await instance({ searchMaxLagMs: 150, cacheSearchTtlMs: 100 });
    const D = await instance({ searchMaxLagMs: 150, cacheSearchTtlMs: 100 });
    const u = `u-${randomUUID()}`;
    await call(C.client, 'Remember', { userId: u, memory: { content: 'plays the violin' } });
    await search(C, u, 'which instrument does she play');
    const { id } = await call<{ id: string }>(C.client, 'Remember', { userId: u, memory: { content: 'started playing the cello instrument too' } });
    await new Promise((r) => setTimeout(r, 200));
    const seen = await search(D, u, 'which instrument does she play');
    expect(seen.tier).toBe('TIER_L3');
    expect(seen.hits.map((h) => h.memory.id)).toContain(id);
  });

  it("semantic cache: borrows a similar query's L2 result, never once the user's generation moved on another instance, nor past the lag bound", async (ctx) => {
    if (!redis) return ctx.skip();
    // No L1 for searches: the borrowed results come from L2.
    const E = await instance({ cacheSimilarMinCosine: 0.8, cacheSearchTtlMs: 0, searchMaxLagMs: 150 });
    const u = `u-${randomUUID()}`;
    const { id } = await call<{ id: string }>(A.client, 'Remember', { userId: u, memory: { content: 'the door code is 4711' } });
    await call(A.client, 'Remember', { userId: u, memory: { content: 'the garage door is blue' } });
    expect((await search(E, u, 'What is the door code?')).tier).toBe('TIER_L3');
    await untilInRedis(`*s:${u}*`);
    const borrowed = await call<Res & { similarQueryCosine: number }>(E.client, 'Search', { userId: u, query: 'what is the door code', topK: 5 });
    expect(borrowed.tier).toBe('TIER_L2');
    expect(borrowed.similarQueryCosine).toBeGreaterThan(0.8);
    expect(borrowed.hits.map((h) => h.memory.id)).toContain(id);
    const before = await received(E.app);
    await call(A.client, 'Forget', { userId: u, ids: [id] });
    const t0 = performance.now();
    while ((await received(E.app)) === before) {
      if (performance.now() - t0 > 5000) throw new Error('E never received the invalidation');
      await new Promise((r) => setImmediate(r));
    }
    const after = await call<Res & { similarQueryCosine: number }>(E.client, 'Search', { userId: u, query: 'the door code, what is it?', topK: 5 });
    expect(after.tier).toBe('TIER_L3');
    expect(after.hits.map((h) => h.memory.id)).not.toContain(id);
    // A new memory on A: once the lag bound passed, E no longer borrows the older result.
    const { id: added } = await call<{ id: string }>(A.client, 'Remember', { userId: u, memory: { content: 'the new door code is 9000' } });
    await new Promise((r) => setTimeout(r, 200));
    const lagged = await call<Res & { similarQueryCosine: number }>(E.client, 'Search', { userId: u, query: 'What was the door code?', topK: 5 });
    expect(lagged.similarQueryCosine).toBe(0);
    expect(lagged.hits.map((h) => h.memory.id)).toContain(added);
  });

  it('counts hits and misses per tier exactly', async (ctx) => {
    if (!redis) return ctx.skip();
    const E = await instance();
    const F = await instance();
    const u = `u-${randomUUID()}`;
    await call(E.client, 'Remember', { userId: u, memory: { content: 'allergic to shellfish' } });
    const snap = async (app: App) => ({
      l1h: await counter(app, 'cacheHits', 'l1', 'search'),
      l1m: await counter(app, 'cacheMisses', 'l1', 'search'),
      l2h: await counter(app, 'cacheHits', 'l2', 'search'),
      l2m: await counter(app, 'cacheMisses', 'l2', 'search'),
    });
    const e0 = await snap(E.app);
    const f0 = await snap(F.app);
    await search(E, u, 'allergies'); // E: L1 miss, L2 miss → L3
    await search(E, u, 'allergies'); // E: L1 hit
    await search(F, u, 'allergies'); // F: L1 miss, L2 hit
    await search(F, u, 'allergies'); // F: L1 hit
    await search(F, u, 'allergies'); // F: L1 hit
    const e1 = await snap(E.app);
    const f1 = await snap(F.app);
    expect({ l1h: e1.l1h - e0.l1h, l1m: e1.l1m - e0.l1m, l2h: e1.l2h - e0.l2h, l2m: e1.l2m - e0.l2m }).toEqual({ l1h: 1, l1m: 1, l2h: 0, l2m: 1 });
    expect({ l1h: f1.l1h - f0.l1h, l1m: f1.l1m - f0.l1m, l2h: f1.l2h - f0.l2h, l2m: f1.l2m - f0.l2m }).toEqual({ l1h: 2, l1m: 1, l2h: 1, l2m: 0 });
    const text = await (await fetch(`http://127.0.0.1:${F.app.httpPort}/metrics`)).text();
    // Redis's own figures are server-wide and named so (no per-instance tier="l2" series that every instance would repeat).
    expect(Number(/^memory_redis_server_keys (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(Number(/^memory_redis_server_used_memory_bytes (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).not.toMatch(/^memory_cache_(entries|size_bytes)\{tier="l2"\}/m);
  });

  it('warms a session: memories land in L1 and L2', async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    const { results } = await call<{ results: { id: string }[] }>(A.client, 'RememberBatch', {
      userId: u,
      items: Array.from({ length: 30 }, (_, i) => ({ content: `fact number ${i}`, importance: i / 30 })),
    });
    const warm = await call<{ memoriesLoaded: number }>(B.client, 'WarmSession', { userId: u, sessionId: 's1' });
    expect(warm.memoriesLoaded).toBe(30);
    const hits0 = await counter(B.app, 'cacheHits', 'l1', 'memory');
    await call(B.client, 'Get', { userId: u, id: results[29]!.id });
    expect(await counter(B.app, 'cacheHits', 'l1', 'memory')).toBe(hits0 + 1);
    const l2hits0 = await counter(A.app, 'cacheHits', 'l2', 'memory');
    await call(A.client, 'Get', { userId: u, id: results[3]!.id });
    expect(await counter(A.app, 'cacheHits', 'l2', 'memory')).toBe(l2hits0 + 1);
  });
});

describe('context sessions across instances', () => {
  it("shows in A's context a turn B just remembered in the same session (no stale session pool)", async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    const assemble = (i: Instance) =>
      call<{ sections: { name: string; tier: string; memories: { content: string }[] }[] }>(i.client, 'AssembleContext', {
        userId: u,
        query: 'what did we say?',
        sessionId: 'chat',
        sections: [{ name: 'session' }],
      });
    await call(A.client, 'Remember', { userId: u, memory: { content: 'turn one, through A', sessionId: 'chat' } });
    await assemble(A);
    const again = await assemble(A);
    expect(again.sections[0]!.tier).toBe('TIER_L1');
    await call(B.client, 'Remember', { userId: u, memory: { content: 'turn two, through B', sessionId: 'chat' } });
    const after = await assemble(A);
    expect(after.sections[0]!.memories.map((m) => m.content)).toEqual(['turn two, through B', 'turn one, through A']);
  });
});

describe('ForgetUser with L2', () => {
  it('erases every keyspace of the user from Redis, whichever instance cached it, and counts it', async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    const { results } = await call<{ results: { id: string }[] }>(A.client, 'RememberBatch', {
      userId: u,
      items: Array.from({ length: 12 }, (_, i) => ({ content: `Ann and the garden, note ${i}`, importance: 0.9, entities: ['Ann'] })),
    });
    for (const job of ['profile', 'summaries', 'similarity', 'clusters']) {
      const queued = await call<{ id: string }>(A.client, 'TriggerPrecompute', { userId: u, job });
      await A.app.precompute!.waitForJob(queued.id);
    }
    // Every keyspace cached in Redis, the precomputed ones by A alone; B erases the user.
    await call(A.client, 'GetProfile', { userId: u });
    await call(A.client, 'ListTopics', { userId: u });
    await call(A.client, 'GetSummary', { userId: u, kind: 'entity', key: 'Ann' });
    await call(A.client, 'GetRelated', { userId: u, id: results[0]!.id });
    for (const i of [A, B]) {
      await call(i.client, 'Get', { userId: u, id: results[1]!.id });
      await search(i, u, 'garden');
    }
    await new Promise((resolve) => setTimeout(resolve, 400)); // hot-set updates are batched every 200 ms
    const r = new Redis(redis.url);
    r.on('error', () => undefined);
    const userKeys = async () => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await r.scan(cursor, 'MATCH', `*${u}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      // The generations stay (they only grow, so nothing cached under an older one comes back).
      return keys.filter((k) => !/(^|:)p?gen:/.test(k)).sort();
    };
    try {
      const before = await userKeys();
      const keyspaces = new Set(before.map((k) => k.replace(/^.*?(m|s|pf|tp|sm|rl|w|hot):u-.*$/, '$1')));
      expect([...keyspaces].sort()).toEqual(['hot', 'm', 'pf', 'rl', 's', 'sm', 'tp', 'w']);
      const receipt = await call<{ cacheEntriesDropped: number }>(B.client, 'ForgetUser', { userId: u });
      expect(await userKeys()).toEqual([]);
      expect(receipt.cacheEntriesDropped).toBeGreaterThanOrEqual(before.length);
    } finally {
      r.disconnect();
    }
  });
});

describe('Redis outage', () => {
  it('fails no request while Redis is killed under read load, and L2 comes back by itself', async (ctx) => {
    if (!redis) return ctx.skip();
    const u = `u-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await call<{ id: string }>(A.client, 'Remember', { userId: u, memory: { content: `outage memory ${i} about topic ${i % 4}` } })).id);
    let errors = 0;
    let calls = 0;
    let stop = false;
    const load = async (i: Instance, w: number) => {
      for (let n = 0; !stop && n < 100_000; n++) {
        try {
          if (n % 2 === 0) await search(i, u, `topic ${(n + w) % 7} memory ${n % 50}`);
          else await call(i.client, 'Get', { userId: u, id: ids[n % ids.length] });
          calls++;
        } catch {
          errors++;
        }
      }
    };
    const loops = [load(A, 0), load(A, 1), load(B, 2), load(B, 3)];
    await new Promise((r) => setTimeout(r, 500));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1500));
    // Strong invalidation still holds locally with Redis down.
    await call(A.client, 'Forget', { userId: u, ids: [ids[0]] });
    await redis.start();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(loops);
    expect(errors).toBe(0);
    expect(calls).toBeGreaterThan(100);
    // L2 is back: a search computed on A is an L2 hit on B.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const q = `back again ${randomUUID()}`;
      await search(A, u, q);
      if ((await search(B, u, q)).tier === 'TIER_L2') break;
      if (Date.now() > deadline) throw new Error('L2 did not come back');
      await new Promise((r) => setTimeout(r, 100));
    }
    await expect(A.app.metrics.breakerState.get()).resolves.toMatchObject({ values: [{ value: 0 }] });
  });
});
