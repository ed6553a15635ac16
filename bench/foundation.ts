/**
 * Foundation benchmark (issue 2): one user with N memories on embedded defaults, over loopback
 * gRPC against the built server in its own process.
 *   - ingest rate with client vectors (RememberBatch of 1,000; acknowledged = durable + searchable)
 *   - time for the HNSW graph to catch up
 *   - uncached search p50/p95/p99 (sequential), QPS at 16 concurrent, recall@10 vs exact search
 *   - L1-hit search p50/p95/p99 and QPS at 32 concurrent
 *   - cold start to serving: after a clean stop (checkpointed) and after SIGKILL (WAL replay)
 *
 *   npm run build && npx tsx bench/foundation.ts --memories 100000
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureGrpcFloor } from './grpc-floor.js';
import { arg, call, clusteredVectors, ingestClientVectors, Latency, metric, newClient, queriesNear, root, rssMb, runConcurrent, startServer } from './lib.js';

const N = Number(arg('memories', '10000'));
const DIMS = Number(arg('dims', '384'));
const QUERIES = Number(arg('queries', '1000'));
const BATCH = 1000;
const USER = 'bench-user';

interface Hit {
  memory: { id: string };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'me-bench-'));
  const env = { DATA_DIR: dir, EMBEDDER: 'none', EMBEDDING_DIMENSIONS: String(DIMS), RANK_IMPORTANCE_WEIGHT: '0', RANK_RECENCY_WEIGHT: '0' };
  console.log(`foundation bench: ${N} memories × ${DIMS}-d, ${QUERIES} queries, data in ${dir}`);
  const data = clusteredVectors(N, DIMS, Math.max(10, Math.round(N / 500)), 42);
  let server = await startServer(env);
  let client = newClient(server.grpcPort);

  // Ingest
  const t0 = performance.now();
  const ids = await ingestClientVectors(client, USER, data, DIMS, N);
  const ingestMs = performance.now() - t0;
  const ingestRate = Math.round(N / (ingestMs / 1000));
  console.log(`ingest: ${ingestRate} memories/s (${(ingestMs / 1000).toFixed(1)} s)`);

  // Searchable at once: the last acknowledged memory is found before the graph has it.
  const last = await call<{ hits: Hit[] }>(client, 'Search', { userId: USER, queryVector: Array.from(data.subarray((N - 1) * DIMS, N * DIMS)), topK: 1 });
  const searchableOnAck = last.hits[0]?.memory.id === ids[N - 1];

  const tIdx = performance.now();
  while ((await metric(server.httpPort, 'memory_store_unindexed_slots')) > 0) await new Promise((r) => setTimeout(r, 200));
  const indexCatchUpMs = performance.now() - tIdx;
  console.log(`graph caught up ${(indexCatchUpMs / 1000).toFixed(1)} s after the last ack`);

  const queries = queriesNear(data, DIMS, QUERIES, 7);
  // Recall@10 of the default class against exact search (both uncached: distinct requests)
  let agree = 0;
  const uncached = new Latency();
  const uncachedServer = new Latency();
  for (const q of queries) {
    const s = performance.now();
    const approx = await call<{ hits: Hit[]; tier: string; tookMs: number }>(client, 'Search', { userId: USER, queryVector: q, topK: 10 });
    uncached.record(performance.now() - s);
    uncachedServer.record(approx.tookMs);
    const exact = await call<{ hits: Hit[] }>(client, 'Search', { userId: USER, queryVector: q, topK: 10, exact: true });
    const truth = new Set(exact.hits.map((h) => h.memory.id));
    agree += approx.hits.filter((h) => truth.has(h.memory.id)).length;
  }
  const recall = agree / (QUERIES * 10);
  console.log(`uncached search (sequential): ${JSON.stringify(uncached.summary())} ms, server side ${JSON.stringify(uncachedServer.summary())}; recall@10 vs exact = ${recall.toFixed(4)}`);

  // Uncached throughput: fresh query vectors at 16 concurrent
  const fresh = queriesNear(data, DIMS, QUERIES, 11);
  const uncachedConc = new Latency();
  const wallU = await runConcurrent(fresh.length, 16, async (i) => {
    const s = performance.now();
    await call(client, 'Search', { userId: USER, queryVector: fresh[i], topK: 10 });
    uncachedConc.record(performance.now() - s);
  });
  const uncachedQps = Math.round(fresh.length / (wallU / 1000));

  // L1 hits: the first query set again
  const l1 = new Latency();
  const l1Server = new Latency();
  for (const q of queries) {
    const s = performance.now();
    const r = await call<{ tier: string; tookMs: number }>(client, 'Search', { userId: USER, queryVector: q, topK: 10 });
    l1.record(performance.now() - s);
    l1Server.record(r.tookMs);
    if (r.tier !== 'TIER_L1') throw new Error(`expected an L1 hit, got ${r.tier}`);
  }
  const l1Conc = new Latency();
  const hotTotal = QUERIES * 5;
  const wallL1 = await runConcurrent(hotTotal, 32, async (i) => {
    const s = performance.now();
    await call(client, 'Search', { userId: USER, queryVector: queries[i % QUERIES], topK: 10 });
    l1Conc.record(performance.now() - s);
  });
  const l1Qps = Math.round(hotTotal / (wallL1 / 1000));
  console.log(`L1-hit search (sequential): ${JSON.stringify(l1.summary())} ms, server side ${JSON.stringify(l1Server.summary())}; ${l1Qps} searches/s at 32 concurrent`);
  const rss = await rssMb(server.child.pid!);

  // Cold start after a clean stop (checkpoint written at shutdown)
  client.close();
  const tStop = performance.now();
  await server.stop('SIGTERM');
  const cleanStopMs = performance.now() - tStop;
  server = await startServer(env);
  const coldClean = server.startMs;
  client = newClient(server.grpcPort);
  const firstAfterClean = await call<{ hits: Hit[] }>(client, 'Search', { userId: USER, queryVector: queries[0], topK: 1 });
  // Cold start after SIGKILL with writes only in the WAL: ingest another 20% and kill.
  const extra = Math.round(N * 0.2);
  const extraData = clusteredVectors(extra, DIMS, 10, 4242);
  for (let b = 0; b < extra; b += BATCH) {
    const items = [];
    for (let i = b; i < Math.min(extra, b + BATCH); i++) items.push({ content: `extra ${i}`, embedding: Array.from(extraData.subarray(i * DIMS, (i + 1) * DIMS)) });
    await call(client, 'RememberBatch', { userId: USER, items });
  }
  client.close();
  await server.stop('SIGKILL');
  server = await startServer(env);
  const coldKill = server.startMs;
  client = newClient(server.grpcPort);
  const count = await call<{ memories: unknown[] }>(client, 'List', { userId: USER, pageSize: 1 });
  client.close();
  await server.stop('SIGTERM');
  console.log(`cold start: ${Math.round(coldClean)} ms after clean stop (${Math.round(cleanStopMs)} ms to stop), ${Math.round(coldKill)} ms after SIGKILL with ${extra} memories in the WAL`);

  const result = {
    bench: 'foundation',
    at: new Date().toISOString(),
    machine: `${(await import('node:os')).cpus().length} cores, node ${process.version}`,
    memories: N,
    dims: DIMS,
    ingest: { memoriesPerSecond: ingestRate, seconds: ingestMs / 1000, searchableOnAck, graphCatchUpSeconds: indexCatchUpMs / 1000 },
    grpcFloorMs: await measureGrpcFloor(),
    uncachedSearch: { sequentialMs: uncached.summary(), serverSideMs: uncachedServer.summary(), concurrent16Ms: uncachedConc.summary(), qpsAt16: uncachedQps, recallAt10VsExact: recall },
    l1Search: { sequentialMs: l1.summary(), serverSideMs: l1Server.summary(), concurrent32Ms: l1Conc.summary(), qpsAt32: l1Qps },
    coldStartMs: { afterCleanStop: Math.round(coldClean), afterSigkill: Math.round(coldKill), walMemoriesReplayed: extra },
    serverRssMb: rss,
    checks: { firstSearchAfterRestart: firstAfterClean.hits.length === 1, listAfterKill: count.memories.length === 1 },
  };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  const out = join(root, 'bench', 'results', `foundation-${N}.json`);
  await writeFile(out, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${out}`);
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
