/**
 * Hybrid search latency against dense-only search, same server, same user, same queries, one
 * run: one user with N memories (default 100k) of generated text (a Zipf-distributed vocabulary,
 * so common words have long posting lists, as in real text) and clustered client vectors; each
 * query sends its vector and its text, so neither mode embeds anything and the difference is the
 * keyword index and the fusion. Queries alternate modes in a seeded order; results are never
 * served from the search cache (each query is new).
 *
 *   npm run build && npx tsx bench/hybrid.ts [--n 100000] [--queries 2000] [--concurrency 1] [--skip 100]
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, clusteredVectors, Latency, newClient, rng, root, rssMb, runConcurrent, startServer } from './lib.js';

const DIMS = 384;
const VOCAB = 20_000;

/**
 * Words with Zipf(1) frequencies. The `skip` most frequent ranks are left out: in real text those
 * are the stop words the analyzer drops before indexing (the, and, to, …), so what is indexed
 * starts below them. `--skip 0` keeps them: every memory then shares a few near-universal words.
 */
function zipfWords(seed: number, skip: number): () => string {
  const r = rng(seed);
  // Inverse-CDF sampling over ranks skip..VOCAB by a precomputed cumulative table.
  const cdf = new Float64Array(VOCAB);
  let s = 0;
  for (let i = 0; i < VOCAB; i++) cdf[i] = s += i < skip ? 0 : 1 / (i + 1);
  return () => {
    const x = r() * s;
    let lo = 0;
    let hi = VOCAB - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return `w${lo.toString(36)}`;
  };
}

async function main(): Promise<void> {
  const n = Number(arg('n', '100000'));
  const queries = Number(arg('queries', '2000'));
  const concurrency = Number(arg('concurrency', '1'));
  const dir = await mkdtemp(join(tmpdir(), 'me-hybrid-'));
  const server = await startServer({ DATA_DIR: dir, EMBEDDER: 'none', WAL_SYNC: 'false' });
  const client = newClient(server.grpcPort);
  const user = 'hybrid-bench';
  const skip = Number(arg('skip', '100'));
  const word = zipfWords(7, skip);
  const r = rng(11);
  const data = clusteredVectors(n, DIMS, 200, 3);
  const texts: string[] = [];
  const t0 = performance.now();
  await runConcurrent(Math.ceil(n / 1000), 2, async (b) => {
    const items = [];
    for (let i = b * 1000; i < Math.min(n, (b + 1) * 1000); i++) {
      const len = 8 + Math.floor(r() * 16);
      const text = Array.from({ length: len }, word).join(' ');
      texts[i] = text;
      items.push({ content: text, embedding: Array.from(data.subarray(i * DIMS, (i + 1) * DIMS)) });
    }
    await call(client, 'RememberBatch', { userId: user, items }, { deadlineMs: 120_000 });
  });
  const ingestS = (performance.now() - t0) / 1000;
  // Let the graph catch up, so dense search runs on the index as in steady state.
  for (let i = 0; i < 600; i++) {
    const unindexed = await fetch(`http://127.0.0.1:${server.httpPort}/metrics`).then(async (res) => Number(/memory_store_unindexed_slots (\d+)/.exec(await res.text())?.[1] ?? 0));
    if (unindexed === 0) break;
    await new Promise((res) => setTimeout(res, 1000));
  }

  const qr = rng(5);
  const g = () => Math.floor(qr() * n);
  const lat = { DENSE: new Latency(), HYBRID: new Latency() };
  const plan = Array.from({ length: queries }, (_, i) => {
    // A query: a few words of one memory plus a common word, and that memory's vector nudged.
    const j = g();
    const ws = texts[j]!.split(' ');
    const text = [ws[Math.floor(qr() * ws.length)], ws[Math.floor(qr() * ws.length)], ws[Math.floor(qr() * ws.length)], word()].join(' ');
    const v = Array.from(data.subarray(j * DIMS, (j + 1) * DIMS), (x) => x + (qr() - 0.5) * 0.02);
    return { text, v, mode: (i + Math.floor(qr() * 2)) % 2 === 0 ? ('DENSE' as const) : ('HYBRID' as const) };
  });
  // Warm-up, then the measured run.
  for (const p of plan.slice(0, 50)) await call(client, 'Search', { userId: user, query: `${p.text} warm`, queryVector: p.v, topK: 10, mode: `SEARCH_MODE_${p.mode}` });
  const wall = await runConcurrent(plan.length, concurrency, async (i) => {
    const p = plan[i]!;
    const t = performance.now();
    await call(client, 'Search', { userId: user, query: p.text, queryVector: p.v, topK: 10, mode: `SEARCH_MODE_${p.mode}` });
    lat[p.mode].record(performance.now() - t);
  });
  const rss = await rssMb(server.child.pid!);
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });

  const d = lat.DENSE.summary();
  const h = lat.HYBRID.summary();
  const result = {
    bench: 'hybrid',
    at: new Date().toISOString(),
    memories: n,
    skippedTopRanks: skip,
    queries,
    concurrency,
    ingestSeconds: Math.round(ingestS),
    qps: Math.round((queries / wall) * 1000),
    serverRssMb: Math.round(rss),
    dense: d,
    hybrid: h,
    ratio: { p50: Math.round((h.p50 / d.p50) * 100) / 100, p95: Math.round((h.p95 / d.p95) * 100) / 100, p99: Math.round((h.p99 / d.p99) * 100) / 100 },
  };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', `hybrid${skip === 100 ? '' : `-skip${skip}`}.json`), JSON.stringify(result, null, 2));
  console.log(
    `hybrid vs dense search, one user with ${n} memories (Zipf words, top ${skip} ranks left out as stop words), ${queries} queries (concurrency ${concurrency}), server RSS ${Math.round(rss)} MB`,
  );
  console.log('| mode | p50 ms | p95 ms | p99 ms | n |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| DENSE | ${d.p50} | ${d.p95} | ${d.p99} | ${d.n} |`);
  console.log(`| HYBRID | ${h.p50} | ${h.p95} | ${h.p99} | ${h.n} |`);
  console.log(`| ratio | ${result.ratio.p50} | ${result.ratio.p95} | ${result.ratio.p99} | |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
