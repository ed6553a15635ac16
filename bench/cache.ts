/**
 * Cache benchmark (needs redis-server): two server processes over one Redis.
 *   X: default tiers (L1 + L2), holding the LoCoMo conversations (one user per conversation).
 *   Y: L1 search caching off (CACHE_SEARCH_TTL_MS=0), so its repeated searches are L2 hits.
 * Measures
 *   - a conversational replay on X: per conversation, questions in sessions of 6; a session
 *     starts with WarmSession; each turn searches the question, searches it again for the user's
 *     follow-up ("tell me more"), and re-searches the previous turn's question for context; the
 *     session ends by re-asking its first question. Hit rate = searches served by L1 or L2.
 *   - L1-hit and L2-hit search latency (sequential, end to end and server side)
 *   - cached searches/s at 32 concurrent on X
 *   - invalidation propagation X → Y (Y's histogram over 200 Forgets on X)
 *
 *   npm run build && npx tsx bench/cache.ts
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestRedis } from '../test/support/redis.js';
import { arg, call, Latency, newClient, root, runConcurrent, startServer } from './lib.js';

interface Turn {
  speaker: string;
  text: string;
  blip_caption?: string;
}
interface Sample {
  sample_id: string;
  conversation: Record<string, string | Turn[]>;
  qa: { question: string }[];
}
interface SearchRes {
  tier: string;
  tookMs: number;
}

const redis = await startTestRedis();
if (!redis) throw new Error('redis-server is required for this benchmark');
const samples = JSON.parse(await readFile(resolve(arg('data', join(root, '..', 'shared', 'data', 'locomo', 'locomo10.json'))), 'utf8')) as Sample[];
const dirX = await mkdtemp(join(tmpdir(), 'me-cache-x-'));
const dirY = await mkdtemp(join(tmpdir(), 'me-cache-y-'));
const X = await startServer({ DATA_DIR: dirX, REDIS_URL: redis.url });
const Y = await startServer({ DATA_DIR: dirY, REDIS_URL: redis.url, CACHE_SEARCH_TTL_MS: '0' });
const cx = newClient(X.grpcPort);
const cy = newClient(Y.grpcPort);

// Ingest
for (const s of samples) {
  const items: { content: string }[] = [];
  for (const [key, value] of Object.entries(s.conversation)) {
    if (!/^session_\d+$/.test(key) || !Array.isArray(value)) continue;
    const date = String(s.conversation[`${key}_date_time`] ?? '');
    for (const t of value) items.push({ content: `(${date}) ${t.speaker}: ${t.text}${t.blip_caption ? ` [shares an image: ${t.blip_caption}]` : ''}` });
  }
  for (let i = 0; i < items.length; i += 500) await call(cx, 'RememberBatch', { userId: `locomo-${s.sample_id}`, items: items.slice(i, i + 500) });
}

// Conversational replay
const tiers: Record<string, number> = { TIER_L1: 0, TIER_L2: 0, TIER_L3: 0 };
let warmed = 0;
const ask = async (user: string, q: string) => {
  const r = await call<SearchRes>(cx, 'Search', { userId: user, query: q, topK: 10 });
  tiers[r.tier] = (tiers[r.tier] ?? 0) + 1;
};
for (const s of samples) {
  const user = `locomo-${s.sample_id}`;
  const qs = s.qa.map((q) => q.question);
  for (let start = 0; start < qs.length; start += 6) {
    const session = qs.slice(start, start + 6);
    warmed += (await call<{ memoriesLoaded: number }>(cx, 'WarmSession', { userId: user, sessionId: `s${start}` })).memoriesLoaded;
    for (let t = 0; t < session.length; t++) {
      await ask(user, session[t]!);
      await ask(user, session[t]!);
      if (t > 0) await ask(user, session[t - 1]!);
    }
    await ask(user, session[0]!);
  }
}
const total = Object.values(tiers).reduce((a, b) => a + b, 0);
const hitRate = (tiers.TIER_L1! + tiers.TIER_L2!) / total;
console.log(`replay: ${total} searches, hit rate ${(hitRate * 100).toFixed(1)}% (L1 ${tiers.TIER_L1}, L2 ${tiers.TIER_L2}, L3 ${tiers.TIER_L3}); WarmSession loaded ${warmed} memories`);

// Latency of L1 hits (X) and L2 hits (Y), sequential
const queries = samples.flatMap((s) => s.qa.slice(0, 50).map((q) => ({ user: `locomo-${s.sample_id}`, q: q.question })));
for (const { user, q } of queries) await call(cx, 'Search', { userId: user, query: q, topK: 10 });
const measure = async (client: typeof cx, want: string) => {
  const e2e = new Latency();
  const server = new Latency();
  for (let round = 0; round < 3; round++)
    for (const { user, q } of queries) {
      const t = performance.now();
      const r = await call<SearchRes>(client, 'Search', { userId: user, query: q, topK: 10 });
      e2e.record(performance.now() - t);
      server.record(r.tookMs);
      if (r.tier !== want) throw new Error(`expected ${want}, got ${r.tier}`);
    }
  return { endToEndMs: e2e.summary(), serverSideMs: server.summary() };
};
const l1 = await measure(cx, 'TIER_L1');
await call(cy, 'Search', { userId: queries[0]!.user, query: queries[0]!.q, topK: 10 }); // Y learns the generation
const l2 = await measure(cy, 'TIER_L2');
console.log(`L1 hit ms ${JSON.stringify(l1)}\nL2 hit ms ${JSON.stringify(l2)}`);

// Cached throughput at 32 concurrent
const N = 20_000;
const conc = new Latency();
const wall = await runConcurrent(N, 32, async (i) => {
  const { user, q } = queries[i % queries.length]!;
  const t = performance.now();
  await call(cx, 'Search', { userId: user, query: q, topK: 10 });
  conc.record(performance.now() - t);
});
const qps = Math.round(N / (wall / 1000));
console.log(`cached searches/s at 32 concurrent: ${qps} (${JSON.stringify(conc.summary())} ms)`);

// Invalidation propagation X → Y
const scratch = 'propagation-user';
const { results } = await call<{ results: { id: string }[] }>(cx, 'RememberBatch', { userId: scratch, items: Array.from({ length: 200 }, (_, i) => ({ content: `scratch ${i}` })) });
for (const r of results) await call(cx, 'Forget', { userId: scratch, ids: [r.id] });
await new Promise((r) => setTimeout(r, 500));
const text = await (await fetch(`http://127.0.0.1:${Y.httpPort}/metrics`)).text();
const sum = Number(/^memory_cache_invalidation_propagation_seconds_sum (\S+)/m.exec(text)?.[1] ?? 0);
const count = Number(/^memory_cache_invalidation_propagation_seconds_count (\S+)/m.exec(text)?.[1] ?? 0);
const buckets = [...text.matchAll(/^memory_cache_invalidation_propagation_seconds_bucket\{le="([^"]+)"\} (\S+)/gm)].map((m) => ({ le: m[1]!, n: Number(m[2]) }));
const p99Bucket = buckets.find((b) => b.n >= count * 0.99)?.le ?? '+Inf';
console.log(`propagation X → Y over ${count} invalidations: mean ${((sum / Math.max(1, count)) * 1000).toFixed(2)} ms, p99 ≤ ${Number(p99Bucket) * 1000} ms`);

cx.close();
cy.close();
await X.stop();
await Y.stop();
await redis.stop();
await rm(dirX, { recursive: true, force: true });
await rm(dirY, { recursive: true, force: true });
const result = {
  bench: 'cache',
  at: new Date().toISOString(),
  replay: { searches: total, hitRate, byTier: tiers, warmSessionMemories: warmed },
  l1Hit: l1,
  l2Hit: l2,
  cachedQpsAt32: qps,
  cachedConcurrent32Ms: conc.summary(),
  propagation: { invalidations: count, meanMs: (sum / Math.max(1, count)) * 1000, p99AtMostMs: Number(p99Bucket) * 1000 },
};
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'cache.json'), JSON.stringify(result, null, 2));
