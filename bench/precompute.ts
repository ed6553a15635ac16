/**
 * Precompute benchmark (issue 6), against the built server in its own process on embedded
 * defaults, one user per size (default 1k, 10k, 100k memories, 384-d clustered client vectors,
 * each cluster with its own words):
 *   - topics: the clusters job end to end (read, kNN graph from the index, HDBSCAN in its worker,
 *     labels and summaries, write) — time per stage, the server's peak RSS rise during the run,
 *     and the adjusted Rand index of the topics against the generating clusters
 *   - profile compile: 10 runs, p50/p95 of the job time
 *   - summaries and similarity jobs: one run each
 *   - GetProfile when warm: 2,000 sequential calls, p50/p95/p99 end to end, and the share of
 *     handler times under 0.5 / 1 ms (from the service's histogram)
 *   - topic-routed search: the same distinct SUGGESTION queries with routing off, then on (the
 *     server restarted on the same data with TOPIC_ROUTING_MIN_SIMILARITY), latency, recall@10
 *     against exact search, and how many were routed
 *
 *   npm run build && npx tsx bench/precompute.ts [--sizes 1000,10000,100000] [--route-min 0.6]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adjustedRandIndex } from '../src/clusters/knn.js';
import { arg, call, labelledClusters, Latency, metric, newClient, queriesNear, root, rssMb, runConcurrent, startServer, type Client, type ServerProcess } from './lib.js';

const SIZES = arg('sizes', '1000,10000,100000').split(',').map(Number);
const DIMS = Number(arg('dims', '384'));
const ROUTE_MIN = Number(arg('route-min', '0.6'));
const QUERIES = Number(arg('queries', '500'));
const USER = 'bench-user';

interface Job {
  id: string;
  status: string;
  startedAtMs: number;
  finishedAtMs: number;
  counts: Record<string, number>;
  error: string;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vi', 'zo', 'pe', 'su', 'do', 'fa'];
const wordOf = (c: number, j: number) => `${SYLLABLES[c % 12]}${SYLLABLES[Math.floor(c / 12) % 12]}${SYLLABLES[(c + j * 5) % 12]}${j}`;

/**
 * Runs one job to the end, polling GetJob every 50 ms. Besides the job's own timings it reports
 * what a foreground request feels while the job runs: the slowest GetJob poll and the service's
 * longest event-loop delay over the run (prom-client's histogram, reset by each scrape).
 */
async function runJob(client: Client, server: ServerProcess, job: string): Promise<{ job: Job; peakRssRiseMb: number; wallMs: number; maxPollMs: number; maxLoopDelayMs: number }> {
  const before = await rssMb(server.child.pid!);
  let peak = before;
  let maxPollMs = 0;
  await metric(server.httpPort, 'nodejs_eventloop_lag_max_seconds');
  const t0 = performance.now();
  const queued = await call<Job>(client, 'TriggerPrecompute', { userId: USER, job });
  for (;;) {
    const s = performance.now();
    const j = await call<Job>(client, 'GetJob', { userId: USER, jobId: queued.id });
    maxPollMs = Math.max(maxPollMs, performance.now() - s);
    peak = Math.max(peak, await rssMb(server.child.pid!));
    if (!['QUEUED', 'RUNNING'].includes(j.status)) {
      if (j.status !== 'SUCCEEDED') throw new Error(`${job} job ${j.status}: ${j.error}`);
      const maxLoopDelayMs = Math.round((await metric(server.httpPort, 'nodejs_eventloop_lag_max_seconds')) * 1000);
      return { job: j, peakRssRiseMb: peak - before, wallMs: performance.now() - t0, maxPollMs: Math.round(maxPollMs), maxLoopDelayMs };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Hit {
  memory: { id: string };
}

async function searches(client: Client, queries: number[][]): Promise<{ latency: ReturnType<Latency['summary']>; serverSide: ReturnType<Latency['summary']>; recall: number }> {
  const lat = new Latency();
  const srv = new Latency();
  let agree = 0;
  for (const q of queries) {
    const s = performance.now();
    const r = await call<{ hits: Hit[]; tookMs: number }>(client, 'Search', { userId: USER, queryVector: q, topK: 10, queryClass: 'QUERY_CLASS_SUGGESTION' });
    lat.record(performance.now() - s);
    srv.record(r.tookMs);
    const exact = await call<{ hits: Hit[] }>(client, 'Search', { userId: USER, queryVector: q, topK: 10, exact: true });
    const truth = new Set(exact.hits.map((h) => h.memory.id));
    agree += r.hits.filter((h) => truth.has(h.memory.id)).length / Math.max(1, truth.size);
  }
  return { latency: lat.summary(), serverSide: srv.summary(), recall: +(agree / queries.length).toFixed(4) };
}

async function histogramShare(httpPort: number, method: string, le: string[]): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const count = Number(new RegExp(`memory_grpc_request_duration_seconds_count\\{method="${method}"\\} (\\S+)`).exec(text)?.[1] ?? 0);
  const out: Record<string, number> = {};
  for (const b of le) {
    const v = Number(new RegExp(`memory_grpc_request_duration_seconds_bucket\\{le="${b}",method="${method}"\\} (\\S+)`).exec(text)?.[1] ?? 0);
    out[`≤${Number(b) * 1000}ms`] = count > 0 ? +(v / count).toFixed(4) : 0;
  }
  return out;
}

async function sizeRun(n: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'me-bench-pc-'));
  const env = {
    DATA_DIR: dir,
    EMBEDDER: 'none',
    EMBEDDING_DIMENSIONS: String(DIMS),
    RANK_IMPORTANCE_WEIGHT: '0',
    RANK_RECENCY_WEIGHT: '0',
    PRECOMPUTE_EVERY_N_MEMORIES: '10000000',
    PRECOMPUTE_TICK_MS: '0',
    HNSW_PROFILE: 'low_latency',
  };
  const clusters = Math.max(5, Math.round(n / 500));
  const { data, labels } = labelledClusters(n, DIMS, clusters, 1000 + n);
  let server = await startServer(env);
  let client = newClient(server.grpcPort);
  const ids: string[] = new Array(n);
  try {
    const t0 = performance.now();
    await runConcurrent(Math.ceil(n / 1000), 4, async (b) => {
      const items = [];
      for (let i = b * 1000; i < Math.min(n, (b + 1) * 1000); i++) {
        const c = labels[i]!;
        items.push({
          content: `Note ${i} about ${wordOf(c, 0)} and ${wordOf(c, 1)}, with ${wordOf(c, 2)}.`,
          embedding: Array.from(data.subarray(i * DIMS, (i + 1) * DIMS)),
          importance: (i % 10) / 10,
          kind: i % 11 === 0 ? 'preference' : 'fact',
          entities: i % 4 === 0 ? [`Entity${c % 50}`] : [],
        });
      }
      const res = await call<{ results: { id: string }[] }>(client, 'RememberBatch', { userId: USER, items });
      res.results.forEach((r, j) => (ids[b * 1000 + j] = r.id));
    });
    const ingestS = (performance.now() - t0) / 1000;
    while ((await metric(server.httpPort, 'memory_store_unindexed_slots')) > 0) await new Promise((r) => setTimeout(r, 200));
    console.log(`[${n}] ingested in ${ingestS.toFixed(1)} s, graph caught up after ${((performance.now() - t0) / 1000 - ingestS).toFixed(1)} s more`);

    const cl = await runJob(client, server, 'clusters');
    const topics = await call<{ topics: { id: string; memberIds: string[] }[] }>(client, 'ListTopics', { userId: USER, includeMembers: true });
    const pos = new Map(ids.map((id, i) => [id, i]));
    const found = new Int32Array(n).fill(-1);
    topics.topics.forEach((t, ti) => t.memberIds.forEach((id) => (found[pos.get(id)!] = ti)));
    const ari = adjustedRandIndex(found, labels);
    const jobMs = cl.job.finishedAtMs - cl.job.startedAtMs;
    console.log(
      `[${n}] clusters: ${jobMs} ms (read ${cl.job.counts.readMs}, kNN ${cl.job.counts.knnMs}, HDBSCAN ${cl.job.counts.hdbscanMs}, labels+summaries ${cl.job.counts.topicsMs}, write ${cl.job.counts.writeMs} ms), ${cl.job.counts.topics} topics of ${clusters} generated, noise ${cl.job.counts.noise}, ARI ${ari.toFixed(3)}, peak RSS +${cl.peakRssRiseMb} MB; while it ran: slowest GetJob ${cl.maxPollMs} ms, longest event-loop delay ${cl.maxLoopDelayMs} ms`,
    );

    const profileMs = new Latency();
    let profileReadMs = 0;
    let profileStall = { maxPollMs: 0, maxLoopDelayMs: 0 };
    for (let i = 0; i < 10; i++) {
      const p = await runJob(client, server, 'profile');
      profileStall = { maxPollMs: Math.max(profileStall.maxPollMs, p.maxPollMs), maxLoopDelayMs: Math.max(profileStall.maxLoopDelayMs, p.maxLoopDelayMs) };
      profileMs.record(p.job.finishedAtMs - p.job.startedAtMs);
      profileReadMs += (p.job.counts.readMs ?? 0) / 10;
    }
    const sm = await runJob(client, server, 'summaries');
    const si = await runJob(client, server, 'similarity');
    console.log(
      `[${n}] profile compile ${JSON.stringify(profileMs.summary())} ms (reading the memories: ${Math.round(profileReadMs)} ms on average); summaries ${sm.job.finishedAtMs - sm.job.startedAtMs} ms (${sm.job.counts.summaries}); similarity ${si.job.finishedAtMs - si.job.startedAtMs} ms (${si.job.counts.memories} lists); longest event-loop delay: profile ${profileStall.maxLoopDelayMs} ms, summaries ${sm.maxLoopDelayMs} ms, similarity ${si.maxLoopDelayMs} ms`,
    );

    await call(client, 'GetProfile', { userId: USER });
    const warm = new Latency();
    for (let i = 0; i < 2000; i++) {
      const s = performance.now();
      const p = await call<{ tier: string }>(client, 'GetProfile', { userId: USER });
      warm.record(performance.now() - s);
      if (p.tier !== 'TIER_L1') throw new Error(`GetProfile not from L1: ${p.tier}`);
    }
    const warmServer = await histogramShare(server.httpPort, 'GetProfile', ['0.00025', '0.0005', '0.001']);
    console.log(`[${n}] GetProfile warm ${JSON.stringify(warm.summary())} ms end to end; handler ${JSON.stringify(warmServer)}`);

    const queries = queriesNear(data, DIMS, QUERIES, 99);
    const off = await searches(client, queries);
    client.close();
    await server.stop('SIGTERM');
    server = await startServer({ ...env, TOPIC_ROUTING_MIN_SIMILARITY: String(ROUTE_MIN), TOPIC_ROUTING_CLASSES: 'SUGGESTION' });
    client = newClient(server.grpcPort);
    // One routable search loads the topic index into L1; then the measured set (fresh queries, no cache hits).
    await call(client, 'Search', { userId: USER, queryVector: queriesNear(data, DIMS, 1, 5)[0], topK: 10, queryClass: 'QUERY_CLASS_SUGGESTION' });
    await new Promise((r) => setTimeout(r, 500));
    const on = await searches(client, queries);
    const served = await metric(server.httpPort, 'memory_search_topic_routed_total{outcome="served"}');
    const fellBack = await metric(server.httpPort, 'memory_search_topic_routed_total{outcome="fallback"}');
    console.log(
      `[${n}] SUGGESTION search, routing off: ${JSON.stringify(off.latency)} ms (server ${JSON.stringify(off.serverSide)}), recall ${off.recall}; on (≥ ${ROUTE_MIN}): ${JSON.stringify(on.latency)} ms (server ${JSON.stringify(on.serverSide)}), recall ${on.recall}, routed ${served}/${QUERIES} (fallback ${fellBack})`,
    );
    const rss = await rssMb(server.child.pid!);
    return {
      memories: n,
      generatedClusters: clusters,
      ingestSeconds: +ingestS.toFixed(1),
      clusters: {
        jobMs,
        readMs: cl.job.counts.readMs,
        knnMs: cl.job.counts.knnMs,
        hdbscanMs: cl.job.counts.hdbscanMs,
        topicsMs: cl.job.counts.topicsMs,
        writeMs: cl.job.counts.writeMs,
        topics: cl.job.counts.topics,
        noise: cl.job.counts.noise,
        ariVsGenerated: +ari.toFixed(4),
        peakRssRiseMb: cl.peakRssRiseMb,
        maxPollMs: cl.maxPollMs,
        maxLoopDelayMs: cl.maxLoopDelayMs,
      },
      profileCompileMs: profileMs.summary(),
      profileReadMs: Math.round(profileReadMs),
      summariesMs: sm.job.finishedAtMs - sm.job.startedAtMs,
      similarityMs: si.job.finishedAtMs - si.job.startedAtMs,
      maxLoopDelayMs: { profile: profileStall.maxLoopDelayMs, summaries: sm.maxLoopDelayMs, similarity: si.maxLoopDelayMs },
      getProfileWarm: { endToEndMs: warm.summary(), handlerShare: warmServer },
      topicRouting: { minSimilarity: ROUTE_MIN, off, on, routed: served, fallback: fellBack },
      serverRssMb: rss,
    };
  } finally {
    client.close();
    await server.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results = [];
  for (const n of SIZES) results.push(await sizeRun(n));
  const out = { bench: 'precompute', at: new Date().toISOString(), machine: `${(await import('node:os')).cpus().length} cores, node ${process.version}`, dims: DIMS, results };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'precompute.json'), JSON.stringify(out, null, 2));
  console.log(JSON.stringify(out, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
