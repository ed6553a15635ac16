/**
 * Small users: below INDEX_MIN_MEMORIES (5,000) a user's search is an exact scan, and most users
 * of an agent platform are small. Users of 100, 1,000 and 4,999 memories (384-d clustered client
 * vectors), searched one at a time with new queries (no cache hits): by vector (dense) and by
 * text (lexical embedder, hybrid). Reports the service's own time (SearchResponse.took_ms), its
 * search steps (memory_search_step_duration_seconds), and the end-to-end latency.
 * Precompute is off so that no background job shares the cores with the measurement.
 *
 * `--against DIR`: another built checkout measured in the same run (they alternate per size).
 *
 *   npm run build && npx tsx bench/small-users.ts [--queries 500] [--against DIR]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, clusteredVectors, ingestClientVectors, Latency, newClient, queriesNear, root, startServer } from './lib.js';

const QUERIES = Number(arg('queries', '500'));
const AGAINST = arg('against', '');
const SIZES = arg('sizes', '100,1000,4999').split(',').map(Number);
const DIMS = 384;
const WARMUP = 50;

interface Cell {
  tookMs: { p50: number; p99: number };
  endToEndMs: { p50: number; p99: number };
  /** Mean ms per search step. */
  steps: Record<string, number>;
}

async function stepTotals(httpPort: number): Promise<Record<string, [number, number]>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out: Record<string, [number, number]> = {};
  for (const line of text.split('\n')) {
    const m = /^memory_search_step_duration_seconds_(sum|count)\{step="(\w+)"\} (\S+)/.exec(line);
    if (!m) continue;
    const t = (out[m[2]!] ??= [0, 0]);
    t[m[1] === 'sum' ? 0 : 1] = Number(m[3]);
  }
  return out;
}

async function measure(checkout: string, size: number): Promise<Record<'vector' | 'text', Cell>> {
  const dir = await mkdtemp(join(tmpdir(), 'me-small-'));
  const server = await startServer({ DATA_DIR: dir, PRECOMPUTE: 'false' }, { checkout });
  const client = newClient(server.grpcPort);
  try {
    const user = `small-${size}`;
    const data = clusteredVectors(size, DIMS, 20, size);
    await ingestClientVectors(client, user, data, DIMS, size);
    const queries = queriesNear(data, DIMS, QUERIES + WARMUP, 7);
    const out = {} as Record<'vector' | 'text', Cell>;
    for (const mode of ['vector', 'text'] as const) {
      const took = new Latency();
      const e2e = new Latency();
      let before = await stepTotals(server.httpPort);
      for (let i = 0; i < queries.length; i++) {
        if (i === WARMUP) before = await stepTotals(server.httpPort);
        const req = mode === 'vector' ? { userId: user, queryVector: queries[i], topK: 10 } : { userId: user, query: `question ${i} about memory ${(i * 7) % size} and its topic`, topK: 10 };
        const t = performance.now();
        const r = await call<{ tookMs: number }>(client, 'Search', req);
        if (i < WARMUP) continue;
        e2e.record(performance.now() - t);
        took.record(r.tookMs);
      }
      const after = await stepTotals(server.httpPort);
      const steps: Record<string, number> = {};
      for (const [k, [sum, count]] of Object.entries(after)) {
        const n = count - (before[k]?.[1] ?? 0);
        if (n > 0) steps[k] = Math.round(((sum - (before[k]?.[0] ?? 0)) / n) * 1e6) / 1e3;
      }
      out[mode] = { tookMs: { p50: took.p(50), p99: took.p(99) }, endToEndMs: { p50: e2e.p(50), p99: e2e.p(99) }, steps };
    }
    return out;
  } finally {
    client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const result: Record<string, unknown> = { bench: 'small-users', at: new Date().toISOString(), queries: QUERIES, against: AGAINST || undefined };
  const f = (x: number) => x.toFixed(3);
  console.log(`\n## Small users: uncached search, one at a time (${QUERIES} queries each; ms)\n`);
  console.log(
    AGAINST
      ? '| memories | query | this: took p50 / p99 | store_query | against: took p50 / p99 | store_query | end to end p50 (this / against) |'
      : '| memories | query | took p50 / p99 | store_query | rank | end to end p50 / p99 |',
  );
  console.log(AGAINST ? '| --- | --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- | --- | --- |');
  for (const size of SIZES) {
    const mine = await measure(root, size);
    const other = AGAINST ? await measure(AGAINST, size) : undefined;
    result[String(size)] = mine;
    if (other) result[`against.${size}`] = other;
    for (const mode of ['vector', 'text'] as const) {
      const a = mine[mode];
      if (!other) {
        console.log(`| ${size} | ${mode} | ${f(a.tookMs.p50)} / ${f(a.tookMs.p99)} | ${f(a.steps.store_query ?? NaN)} | ${f(a.steps.rank ?? NaN)} | ${f(a.endToEndMs.p50)} / ${f(a.endToEndMs.p99)} |`);
        continue;
      }
      const b = other[mode];
      console.log(
        `| ${size} | ${mode} | ${f(a.tookMs.p50)} / ${f(a.tookMs.p99)} | ${f(a.steps.store_query ?? NaN)} | ${f(b.tookMs.p50)} / ${f(b.tookMs.p99)} | ${f(b.steps.store_query ?? NaN)} | ${f(a.endToEndMs.p50)} / ${f(b.endToEndMs.p50)} |`,
      );
    }
  }
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'small-users.json'), JSON.stringify(result, null, 2));
}

await main();
