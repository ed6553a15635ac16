/**
 * Qdrant benchmark (issue 3): memory-engine's gRPC API against a direct Qdrant client call on the
 * same data, in the same run.
 *   - one large user (default 100,000 memories; promoted to a dedicated collection on the way in,
 *     the promotion time is reported) and 1,000 small users (50 memories each, shared collection)
 *   - per query class: search p50/p95/p99 through the service (uncached: every query distinct) and
 *     the same query straight to Qdrant (same collection, tenant filter, hnsw_ef, limit, payload),
 *     interleaved query by query; ratio service/direct (target ≤ 1.3)
 *   - recall@10 per query class against Qdrant's exact search (target ≥ 0.97 at PRIMARY)
 *   - searches/s at 16 concurrent, service and direct
 *
 *   npm run build && QDRANT_URL=http://127.0.0.1:6333 npx tsx bench/qdrant.ts [--memories 100000]
 * Needs a running Qdrant (see README "Running the Qdrant suite"); collections get a fresh prefix
 * and are deleted at the end.
 */
import { QdrantClient } from '@qdrant/js-client-rest';
import { Agent } from 'undici';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, clusteredVectors, Latency, metric, newClient, queriesNear, root, rssMb, runConcurrent, startServer } from './lib.js';

const URL_ = (process.env.QDRANT_URL ?? arg('qdrant-url', '')).replace(/\/$/, '');
const N = Number(arg('memories', '100000'));
const SMALL_USERS = Number(arg('small-users', '1000'));
const SMALL_EACH = Number(arg('small-each', '50'));
const DIMS = Number(arg('dims', '384'));
const QUERIES = Number(arg('queries', '300'));
const PROMOTE_AT = Number(arg('promote-at', '20000'));
const KEEPALIVE = arg('keepalive', 'true') !== 'false';
const COMPRESSION = arg('compression', 'false') === 'true';
const BIG = 'big-user';
const CLASSES = ['SUGGESTION', 'PREFETCH', 'PRIMARY', 'VERIFICATION'] as const;
const EF: Record<(typeof CLASSES)[number], number> = { SUGGESTION: 32, PREFETCH: 64, PRIMARY: 128, VERIFICATION: 256 };

interface Hit {
  memory: { id: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!URL_) throw new Error('set QDRANT_URL (a running Qdrant; see README "Running the Qdrant suite")');
  const prefix = `bench${randomUUID().slice(0, 6)}_`;
  const dir = await mkdtemp(join(tmpdir(), 'me-bench-q-'));
  // The direct client uses the service's transport policy (keep-alive, compression), so both pay the same.
  const qc = new QdrantClient({ url: URL_, checkCompatibility: false, timeout: 60_000, headers: COMPRESSION ? {} : { 'accept-encoding': 'identity' } });
  const version = ((await (await fetch(URL_)).json()) as { version: string }).version;
  console.log(
    `qdrant bench: Qdrant ${version}; ${N} memories for one user + ${SMALL_USERS} users × ${SMALL_EACH}, ${DIMS}-d, ${QUERIES} queries per class; HTTP keep-alive ${KEEPALIVE}, compressed responses ${COMPRESSION}`,
  );
  const env = {
    DATA_DIR: dir,
    QDRANT_URL: URL_,
    QDRANT_COLLECTION_PREFIX: prefix,
    QDRANT_PROMOTE_AT: String(PROMOTE_AT),
    QDRANT_PROMOTION_GRACE_MS: '2000',
    EMBEDDER: 'none',
    EMBEDDING_DIMENSIONS: String(DIMS),
    RANK_IMPORTANCE_WEIGHT: '0',
    RANK_RECENCY_WEIGHT: '0',
    LOG_LEVEL: 'info',
    QDRANT_KEEPALIVE: String(KEEPALIVE),
    QDRANT_RESPONSE_COMPRESSION: String(COMPRESSION),
    PRECOMPUTE: 'false',
  };
  const server = await startServer(env);
  const client = newClient(server.grpcPort);
  try {
    // ---- ingest: the large user (promoted on the way), then the small users
    const big = clusteredVectors(N, DIMS, Math.max(10, Math.round(N / 500)), 42);
    const t0 = performance.now();
    await runConcurrent(Math.ceil(N / 500), 4, async (b) => {
      const items = [];
      for (let i = b * 500; i < Math.min(N, (b + 1) * 500); i++) items.push({ content: `memory ${i}`, embedding: Array.from(big.subarray(i * DIMS, (i + 1) * DIMS)) });
      await call(client, 'RememberBatch', { userId: BIG, items });
    });
    const ingestBigMs = performance.now() - t0;
    const small = clusteredVectors(SMALL_USERS * SMALL_EACH, DIMS, 200, 43);
    const t1 = performance.now();
    await runConcurrent(SMALL_USERS, 8, async (u) => {
      const items = [];
      for (let i = 0; i < SMALL_EACH; i++) {
        const j = u * SMALL_EACH + i;
        items.push({ content: `small ${u} ${i}`, embedding: Array.from(small.subarray(j * DIMS, (j + 1) * DIMS)) });
      }
      await call(client, 'RememberBatch', { userId: `small-${u}`, items });
    });
    const ingestSmallMs = performance.now() - t1;
    const ingestRate = Math.round((N + SMALL_USERS * SMALL_EACH) / ((ingestBigMs + ingestSmallMs) / 1000));
    console.log(`ingest: large user ${(ingestBigMs / 1000).toFixed(1)} s, small users ${(ingestSmallMs / 1000).toFixed(1)} s → ${ingestRate} memories/s (acknowledged = wait:true)`);

    // ---- wait for the promotion and for Qdrant's optimizers (indexes built)
    const tP = performance.now();
    const collections = async () => (await qc.getCollections()).collections.map((c) => c.name).filter((n) => n.startsWith(prefix));
    let dedicated = '';
    for (let i = 0; i < 1200 && !dedicated; i++) {
      if ((await metric(server.httpPort, 'memory_qdrant_promotions_total')) > 0) dedicated = (await collections()).find((n) => n.includes('_u_')) ?? '';
      else await sleep(500);
    }
    if (!dedicated) throw new Error('the large user was not promoted');
    const promotedAfterMs = performance.now() - t0;
    const aliases = await qc.getAliases();
    const shared = aliases.aliases.find((a) => a.alias_name.startsWith(prefix))!.alias_name;
    const tIdx = performance.now();
    for (const c of [dedicated, shared]) {
      for (let i = 0; i < 2400; i++) {
        const info = await qc.getCollection(c);
        if (info.status === 'green' && (info.indexed_vectors_count ?? 0) >= 0.9 * (info.points_count ?? 0)) break;
        await sleep(500);
      }
    }
    const bigCount = (await qc.count(dedicated, { exact: true })).count;
    console.log(
      `promotion finished ${(promotedAfterMs / 1000).toFixed(1)} s after ingest start (${((performance.now() - tP) / 1000).toFixed(1)} s after ingest end); dedicated collection holds ${bigCount}; indexes ready after ${((performance.now() - tIdx) / 1000).toFixed(1)} s more`,
    );

    const filterOf = (userId: string) => ({
      must: [
        { key: 'user_id', match: { value: userId } },
        { key: 'exp', range: { gt: Date.now() } },
      ],
    });
    const api = qc.api();
    const init = KEEPALIVE ? {} : { dispatcher: new Agent({ pipelining: 0 }) };
    const direct = async (collection: string, userId: string, vector: number[], ef: number, exact = false) =>
      (
        (await api.queryPoints(
          { collection_name: collection, query: vector, filter: filterOf(userId), limit: 10, params: { hnsw_ef: ef, exact }, with_payload: true, with_vector: false } as never,
          init as never,
        )) as unknown as {
          data: { result: { points: { payload: unknown }[] } };
        }
      ).data.result;

    const results: Record<string, unknown> = {};
    for (const [label, userOf, collection, data, seed] of [
      ['large user (dedicated collection)', () => BIG, dedicated, big, 7],
      ['small users (shared collection)', (i: number) => `small-${i % SMALL_USERS}`, shared, small, 8],
    ] as const) {
      const perClass: Record<string, unknown> = {};
      for (const [ci, cls] of CLASSES.entries()) {
        const qs = queriesNear(data, DIMS, QUERIES, seed * 100 + ci);
        // for small users, query the user who owns the neighbourhood: pick by nearest stored index
        const owners = qs.map((_, i) => (label.startsWith('small') ? `small-${Math.floor(nearestRow(data, DIMS, qs[i]!) / SMALL_EACH)}` : (userOf as (i: number) => string)(i)));
        const svc = new Latency();
        const svcServer = new Latency();
        const dir_ = new Latency();
        let agree = 0;
        let tiersOk = 0;
        for (let i = 0; i < qs.length; i++) {
          const userId = owners[i]!;
          const s0 = performance.now();
          const r = await call<{ hits: Hit[]; tier: string; tookMs: number }>(client, 'Search', { userId, queryVector: qs[i], topK: 10, queryClass: cls });
          svc.record(performance.now() - s0);
          svcServer.record(r.tookMs);
          if (r.tier === 'TIER_L3') tiersOk++;
          const d0 = performance.now();
          await direct(collection, userId, qs[i]!, EF[cls]);
          dir_.record(performance.now() - d0);
          const truth = await direct(collection, userId, qs[i]!, 0, true);
          const truthIds = new Set(truth.points.map((p) => (p.payload as { memory_id: string }).memory_id));
          agree += r.hits.filter((h) => truthIds.has(h.memory.id)).length / Math.max(1, Math.min(10, truthIds.size));
        }
        const s = svc.summary();
        const d = dir_.summary();
        const ratio = { p50: +(s.p50 / d.p50).toFixed(2), p95: +(s.p95 / d.p95).toFixed(2), p99: +(s.p99 / d.p99).toFixed(2) };
        const recall = +(agree / qs.length).toFixed(4);
        perClass[cls] = { ef: EF[cls], serviceMs: s, serviceServerSideMs: svcServer.summary(), directMs: d, ratio, recallAt10VsExact: recall, uncachedShare: tiersOk / qs.length };
        console.log(
          `${label} ${cls.padEnd(12)} ef=${String(EF[cls]).padEnd(3)} service p50/p95/p99 ${s.p50}/${s.p95}/${s.p99} ms | direct ${d.p50}/${d.p95}/${d.p99} ms | ratio ${ratio.p50}/${ratio.p95}/${ratio.p99} | recall@10 ${recall}`,
        );
      }
      // throughput at 16 concurrent, PRIMARY
      const qs = queriesNear(data, DIMS, 2000, seed * 1000);
      const owners = label.startsWith('small') ? qs.map((q) => `small-${Math.floor(nearestRow(data, DIMS, q) / SMALL_EACH)}`) : qs.map(() => BIG);
      const wallS = await runConcurrent(qs.length, 16, async (i) => {
        await call(client, 'Search', { userId: owners[i], queryVector: qs[i], topK: 10, queryClass: 'PRIMARY' });
      });
      const qs2 = queriesNear(data, DIMS, 2000, seed * 1000 + 1);
      const owners2 = label.startsWith('small') ? qs2.map((q) => `small-${Math.floor(nearestRow(data, DIMS, q) / SMALL_EACH)}`) : qs2.map(() => BIG);
      const wallD = await runConcurrent(qs2.length, 16, async (i) => {
        await direct(collection, owners2[i]!, qs2[i]!, EF.PRIMARY);
      });
      const qps = { service: Math.round(qs.length / (wallS / 1000)), direct: Math.round(qs2.length / (wallD / 1000)) };
      console.log(`${label}: PRIMARY searches/s at 16 concurrent: service ${qps.service}, direct ${qps.direct}`);
      results[label.startsWith('large') ? 'large' : 'small'] = { collection: label, perClass, qpsAt16: qps };
    }
    const rss = await rssMb(server.child.pid!);
    const out = {
      qdrantVersion: version,
      keepAlive: KEEPALIVE,
      compression: COMPRESSION,
      memories: { large: N, smallUsers: SMALL_USERS, smallEach: SMALL_EACH, dims: DIMS },
      ingest: { memoriesPerSecond: ingestRate, largeUserSeconds: +(ingestBigMs / 1000).toFixed(1), smallUsersSeconds: +(ingestSmallMs / 1000).toFixed(1) },
      promotion: { promotedAfterIngestStartSeconds: +(promotedAfterMs / 1000).toFixed(1), dedicatedPoints: bigCount },
      ...results,
      serverRssMb: rss,
    };
    await mkdir(join(root, 'bench', 'results'), { recursive: true });
    await writeFile(join(root, 'bench', 'results', `qdrant-${N}${KEEPALIVE ? '' : '-no-keepalive'}${COMPRESSION ? '-gzip' : ''}.json`), JSON.stringify(out, null, 2));
    console.log(JSON.stringify(out));
  } finally {
    client.close();
    await server.stop('SIGTERM');
    for (const a of (await qc.getAliases()).aliases) if (a.alias_name.startsWith(prefix)) await qc.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: a.alias_name } }] });
    for (const c of (await qc.getCollections()).collections) if (c.name.startsWith(prefix)) await qc.deleteCollection(c.name);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Row of the stored vector nearest to q (exact; used to pick the user a query belongs to). */
function nearestRow(data: Float32Array, dims: number, q: number[]): number {
  let best = -Infinity;
  let row = 0;
  for (let i = 0, n = data.length / dims; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += data[i * dims + d]! * q[d]!;
    if (s > best) {
      best = s;
      row = i;
    }
  }
  return row;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
