/**
 * The service on Qdrant, over gRPC: the API end to end, deadlines while Qdrant hangs, and an
 * outage (Qdrant killed) → UNAVAILABLE, unready, nothing half-written, then recovery by itself
 * after Qdrant restarts. Needs QDRANT_BIN (the harness must kill and restart the server);
 * skipped loudly otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, failure, startApp, status, type TestApp } from '../helpers.js';
import { qdrantMissing, startTestQdrant, type TestQdrant } from '../support/qdrant.js';

const controllable = Boolean(process.env.QDRANT_BIN);
if (!controllable) qdrantMissing();
const suite = controllable ? describe : describe.skip;

let q: TestQdrant | undefined;
let t: TestApp;

interface Hits {
  hits: { memory: { id: string; content: string } }[];
}

suite('service on Qdrant', () => {
  beforeAll(async () => {
    q = await startTestQdrant();
    t = await startApp({ qdrantUrl: q!.url, qdrantCollectionPrefix: q!.prefix, qdrantTimeoutMs: 1000, qdrantRetries: 2, cacheSearchTtlMs: 0 });
  });
  afterAll(async () => {
    q?.resume();
    await t?.stop();
    await q?.stop();
  });

  const ready = async () => (await fetch(`http://127.0.0.1:${t.app.httpPort}/readyz`)).status;

  it('serves the API end to end', async () => {
    const u = 'alice';
    const a = await call<{ id: string }>(t.client, 'Remember', { userId: u, memory: { content: 'Alice prefers window seats on long flights', importance: 0.9 } });
    await call(t.client, 'RememberBatch', { userId: u, items: [{ content: 'Alice is allergic to peanuts' }, { content: 'Alice works in Lisbon' }] });
    await call(t.client, 'Remember', { userId: 'bob', memory: { content: 'Bob prefers aisle seats on flights' } });
    const res = await call<Hits>(t.client, 'Search', { userId: u, query: 'which seat does she like on flights', topK: 3 });
    expect(res.hits[0]!.memory.content).toContain('window seats');
    expect(res.hits.every((h) => !h.memory.content.startsWith('Bob'))).toBe(true);
    const got = await call<{ content: string }>(t.client, 'Get', { userId: u, id: a.id });
    expect(got.content).toContain('window');
    const list = await call<{ memories: unknown[] }>(t.client, 'List', { userId: u, pageSize: 10 });
    expect(list.memories).toHaveLength(3);
    await call(t.client, 'Forget', { userId: u, ids: [a.id] });
    expect((await failure(call(t.client, 'Get', { userId: u, id: a.id }))).code).toBe(status.NOT_FOUND);
    expect(await ready()).toBe(200);
    // The embedded store's gauges mean nothing here: absent, never a false 0.
    const metrics = await (await fetch(`http://127.0.0.1:${t.app.httpPort}/metrics`)).text();
    expect(metrics).not.toMatch(/^memory_store_(memories|unindexed_slots|partitions|disk_bytes)/m);
    expect(metrics).toMatch(/^memory_search_duration_seconds_count\{tier="l3"\} [1-9]/m);
  });

  it('searches by keywords and hybrid on Qdrant, per user, following updates', async () => {
    const u = 'carol';
    const order = await call<{ id: string }>(t.client, 'Remember', { userId: u, memory: { content: 'Order Z4412 of the espresso grinder shipped Monday' } });
    await call(t.client, 'RememberBatch', { userId: u, items: [{ content: 'Carol drinks oat milk' }, { content: 'Carol grinds her own coffee beans' }] });
    await call(t.client, 'Remember', { userId: 'dave', memory: { content: 'Dave tracks order Z4412 too' } });
    type KwHits = { hits: { memory: { id: string; userId: string }; retrievers: string[]; keywordScore: number }[] };
    const kw = await call<KwHits>(t.client, 'Search', { userId: u, query: 'order Z4412', mode: 'SEARCH_MODE_KEYWORD' });
    expect(kw.hits.map((h) => h.memory.id)).toEqual([order.id]);
    expect(kw.hits[0]!.keywordScore).toBeGreaterThan(0);
    const hybrid = await call<KwHits>(t.client, 'Search', { userId: u, query: 'where is order Z4412', topK: 3 });
    expect(hybrid.hits[0]!.memory.id).toBe(order.id);
    expect(hybrid.hits[0]!.retrievers.sort()).toEqual(['dense', 'keyword']);
    expect(hybrid.hits.every((h) => h.memory.userId === u)).toBe(true);
    await call(t.client, 'Update', { userId: u, id: order.id, content: 'Order Q9 of the espresso grinder shipped Monday' });
    expect((await call<KwHits>(t.client, 'Search', { userId: u, query: 'Z4412', mode: 'SEARCH_MODE_KEYWORD' })).hits).toEqual([]);
  });

  it('precomputes topics and a profile on Qdrant, and a forgotten memory leaves them', async () => {
    const u = 'topics-user';
    const themes = ['hiking mountains trail boots', 'espresso coffee beans grinder', 'piano music lessons chopin'];
    const items = Array.from({ length: 90 }, (_, i) => ({ content: `Note ${i}: ${themes[i % 3]} and ${themes[i % 3]!.split(' ')[i % 4]}`, importance: i % 10 === 0 ? 0.9 : 0.4 }));
    const ids = (await call<{ results: { id: string }[] }>(t.client, 'RememberBatch', { userId: u, items })).results.map((r) => r.id);
    for (const job of ['clusters', 'profile']) {
      const j = await call<{ id: string }>(t.client, 'TriggerPrecompute', { userId: u, job });
      expect((await t.app.precompute!.waitForJob(j.id)).status).toBe('SUCCEEDED');
    }
    const topics = await call<{ topics: { label: string; memberIds: string[] }[] }>(t.client, 'ListTopics', { userId: u, includeMembers: true });
    expect(topics.topics.length).toBeGreaterThanOrEqual(2);
    const p = await call<{ topMemories: { id: string }[] }>(t.client, 'GetProfile', { userId: u });
    const victim = p.topMemories[0]!.id;
    expect(ids).toContain(victim);
    await call(t.client, 'Forget', { userId: u, ids: [victim] });
    expect((await call<{ topMemories: { id: string }[] }>(t.client, 'GetProfile', { userId: u })).topMemories.some((m) => m.id === victim)).toBe(false);
    const after = await call<{ topics: { memberIds: string[] }[] }>(t.client, 'ListTopics', { userId: u, includeMembers: true });
    expect(after.topics.some((x) => x.memberIds.includes(victim))).toBe(false);
  });

  it('assembles and streams a context on Qdrant, one user only', async () => {
    const u = 'topics-user';
    await call(t.client, 'RememberBatch', { userId: u, items: [{ content: 'We planned a hike up the mountain trail', sessionId: 'chat-1', entities: ['Ana'] }] });
    await call(t.client, 'Remember', { userId: 'bob', memory: { content: 'Bob hikes the mountain trail too', sessionId: 'chat-1' } });
    const res = await call<{ sections: { name: string; memories: { userId: string }[] }[]; tokens: number; missing: { name: string; reason: string }[] }>(t.client, 'AssembleContext', {
      userId: u,
      query: 'hiking on the mountain trail',
      tokenBudget: 1000,
      sessionId: 'chat-1',
    });
    const names = res.sections.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['profile', 'session', 'semantic']));
    expect(res.missing.filter((m) => ['error', 'unavailable', 'deadline'].includes(m.reason))).toEqual([]);
    expect(res.tokens).toBeLessThanOrEqual(1000);
    for (const m of res.sections.flatMap((s) => s.memories)) expect(m.userId).toBe(u);
  });

  it('stops at the caller deadline while Qdrant hangs, and goes on when it answers again', async () => {
    await call(t.client, 'Remember', { userId: 'dl', memory: { content: 'before the hang' } });
    q!.pause();
    try {
      const t0 = Date.now();
      const s = await failure(call(t.client, 'Search', { userId: 'dl', query: 'anything at all', topK: 3 }, { deadlineMs: 300 }));
      expect(s.code).toBe(status.DEADLINE_EXCEEDED);
      const w = await failure(call(t.client, 'Remember', { userId: 'dl', memory: { content: 'during the hang' } }, { deadlineMs: 300 }));
      expect(w.code).toBe(status.DEADLINE_EXCEEDED);
      expect(Date.now() - t0).toBeLessThan(1500);
      // Without a deadline the attempt timeout (QDRANT_TIMEOUT_MS) answers UNAVAILABLE.
      const n = await failure(call(t.client, 'Search', { userId: 'dl', query: 'still hanging', topK: 3 }));
      expect(n.code).toBe(status.UNAVAILABLE);
    } finally {
      q!.resume();
    }
    const after = await call<Hits>(t.client, 'Search', { userId: 'dl', query: 'before the hang', topK: 3 });
    expect(after.hits[0]!.memory.content).toBe('before the hang');
  });

  it('answers UNAVAILABLE while Qdrant is down, writes nothing, and recovers by itself', async () => {
    const u = 'outage';
    await call(t.client, 'Remember', { userId: u, memory: { content: 'acknowledged before the outage' } });
    await q!.kill();
    const t0 = Date.now();
    const w = await failure(call(t.client, 'Remember', { userId: u, memory: { content: 'refused during the outage' } }, { deadlineMs: 2000 }));
    expect(w.code).toBe(status.UNAVAILABLE);
    expect(w.details).toMatch(/qdrant/i);
    const s = await failure(call(t.client, 'Search', { userId: u, query: 'a query never cached', topK: 3 }, { deadlineMs: 2000 }));
    expect(s.code).toBe(status.UNAVAILABLE);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await ready()).toBe(503);
    await q!.start();
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      try {
        await call(t.client, 'Search', { userId: u, query: 'acknowledged', topK: 3 }, { deadlineMs: 2000 });
        ok = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(ok).toBe(true);
    expect(await ready()).toBe(200);
    const list = await call<{ memories: { content: string }[] }>(t.client, 'List', { userId: u });
    expect(list.memories.map((m) => m.content)).toEqual(['acknowledged before the outage']);
    await call(t.client, 'Remember', { userId: u, memory: { content: 'written after recovery' } });
    const res = await call<Hits>(t.client, 'Search', { userId: u, query: 'written after recovery', topK: 1 });
    expect(res.hits[0]!.memory.content).toBe('written after recovery');
  });

  it('starts while Qdrant is down (unready, UNAVAILABLE) and becomes ready when it comes up', async () => {
    await q!.kill();
    const t2 = await startApp({ qdrantUrl: q!.url, qdrantCollectionPrefix: q!.prefix });
    try {
      expect((await fetch(`http://127.0.0.1:${t2.app.httpPort}/readyz`)).status).toBe(503);
      const e = await failure(call(t2.client, 'Remember', { userId: 'late', memory: { content: 'too early' } }));
      expect(e.code).toBe(status.UNAVAILABLE);
      expect(e.details).toMatch(/qdrant is not reachable yet/);
      await q!.start();
      let code = 0;
      for (let i = 0; i < 100 && code !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        code = (await fetch(`http://127.0.0.1:${t2.app.httpPort}/readyz`)).status;
      }
      expect(code).toBe(200);
      await call(t2.client, 'Remember', { userId: 'late', memory: { content: 'once it is up' } });
      // The first instance sees it too: one Qdrant, no instance-local state for small users.
      const list = await call<{ memories: { content: string }[] }>(t.client, 'List', { userId: 'late' });
      expect(list.memories.map((m) => m.content)).toEqual(['once it is up']);
    } finally {
      await t2.stop();
    }
  });
});
