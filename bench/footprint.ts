/**
 * Memory footprint on embedded defaults: the service's resident memory (VmRSS of its process,
 * every thread included) on a fresh data directory at start, and after N memories (384-d
 * clustered client vectors, one user, RememberBatch of 1,000), 300 searches and 8 s for the
 * background jobs that follow. Also the peak RSS during the load (VmHWM, reset after start), the
 * load's memories/s, the main thread's V8 heap, the bytes each stored memory adds
 * ((after − start) / N), and the RSS once a first AssembleContext has loaded the tokenizer.
 *
 * `--settle`: also the RSS once the service has settled: no background run queued or in
 * progress and no graph build behind for 30 s (the jobs and the graph of 100k memories take
 * minutes), so that V8's memory reducer has had its turn. Bounded at 10 minutes.
 *
 * `--against DIR`: another built checkout measured in the same run (they alternate).
 * `--postgres`: metadata in a Postgres server the bench starts (a fresh database per
 * measurement, DATABASE_URL) instead of the embedded PGlite.
 *
 *   npm run build && npx tsx bench/footprint.ts [--sizes 10000,100000] [--rounds 2] [--settle] [--against DIR]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres.js';
import { arg, call, clusteredVectors, ingestClientVectors, interleaved, median, newClient, root, rssMb, startServer } from './lib.js';

const SIZES = arg('sizes', '10000').split(',').map(Number);
const ROUNDS = Number(arg('rounds', '2'));
const AGAINST = arg('against', '');
const SETTLE = process.argv.includes('--settle');
const POSTGRES = process.argv.includes('--postgres');
const QUIET_MS = 30_000;
const SETTLE_MAX_MS = 600_000;
const DIMS = 384;

interface Footprint {
  startMb: number;
  afterMb: number;
  heapUsedMb: number;
  bytesPerMemory: number;
  withContextMb: number;
  /** The peak RSS from just after start to "after" (VmHWM, reset once started). */
  peakMb: number;
  /** Memories/s of the load (RememberBatch of 1,000, one at a time). */
  ingestPerS: number;
  /** With --settle: RSS once no background run was queued or running for QUIET_MS, and how long that took. */
  settledMb?: number;
  settleS?: number;
}

async function gauge(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/**
 * Waits until no precompute run has been queued or running and no graph build has been behind
 * for QUIET_MS (at most SETTLE_MAX_MS); returns the seconds waited, or undefined for a build
 * without the running-runs gauge.
 */
async function settle(httpPort: number): Promise<number | undefined> {
  if (Number.isNaN(await gauge(httpPort, 'memory_precompute_running'))) return undefined;
  const t0 = Date.now();
  let quietSince = Date.now();
  while (Date.now() - t0 < SETTLE_MAX_MS) {
    // Graph builds too: at 100k the index worker is still inserting minutes after the last write.
    const busy = (await gauge(httpPort, 'memory_precompute_queue_depth')) + (await gauge(httpPort, 'memory_precompute_running')) + (await gauge(httpPort, 'memory_index_build_oldest_seconds'));
    if (busy > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= QUIET_MS) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return Math.round((Date.now() - t0) / 1000);
}

let databases = 0;

async function measure(checkout: string, n: number, postgres: TestPostgres | undefined): Promise<Footprint> {
  const dir = await mkdtemp(join(tmpdir(), 'me-footprint-'));
  const env: Record<string, string> = { DATA_DIR: dir };
  if (postgres) {
    const name = `footprint_${++databases}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    env.AUTH = 'off'; // on loopback; AUTH=auto would ask for API keys with DATABASE_URL
  }
  // Each checkout with its own `npm start`'s allocator settings (startServer reads them).
  const server = await startServer(env, { checkout });
  const client = newClient(server.grpcPort);
  try {
    const pid = server.child.pid!;
    await new Promise((r) => setTimeout(r, 2000)); // start-up work settles
    const startMb = await rssMb(pid);
    // The peak from here on: start-up (initdb on a fresh directory) has its own, larger one.
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    const vectors = clusteredVectors(n, DIMS, 50, 1);
    const t0 = performance.now();
    await ingestClientVectors(client, 'footprint', vectors, DIMS, n);
    const ingestPerS = Math.round(n / ((performance.now() - t0) / 1000));
    for (let i = 0; i < 300; i++) await call(client, 'Search', { userId: 'footprint', query: `question ${i} about the garden`, topK: 10 });
    await new Promise((r) => setTimeout(r, 8000));
    const afterMb = await rssMb(pid);
    const peakMb = await rssMb(pid, 'VmHWM');
    const heapUsedMb = Math.round((await gauge(server.httpPort, 'nodejs_heap_size_used_bytes')) / 1048576);
    await call(client, 'AssembleContext', { userId: 'footprint', query: 'what about the garden', tokenBudget: 500 });
    await new Promise((r) => setTimeout(r, 1000));
    const withContextMb = await rssMb(pid);
    const settleS = SETTLE ? await settle(server.httpPort) : undefined;
    const settled = settleS !== undefined ? { settleS, settledMb: await rssMb(pid) } : {};
    return { startMb, afterMb, peakMb, ingestPerS, heapUsedMb, bytesPerMemory: Math.round(((afterMb - startMb) * 1048576) / n), withContextMb, ...settled };
  } finally {
    client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const postgres = POSTGRES ? await startTestPostgres() : undefined;
  if (POSTGRES && !postgres) throw new Error('--postgres: no Postgres server binaries here');
  let runs;
  try {
    runs = await interleaved({ rounds: ROUNDS, cells: SIZES.map(String), against: AGAINST, measure: (n, checkout) => measure(checkout, Number(n), postgres) });
  } finally {
    await postgres?.stop();
  }
  const result: Record<string, unknown> = { bench: 'footprint', at: new Date().toISOString(), rounds: ROUNDS, against: AGAINST || undefined, metadata: POSTGRES ? 'postgres' : 'pglite' };
  console.log(`\n## Resident memory, ${POSTGRES ? 'metadata in Postgres (DATABASE_URL), the rest' : ''} embedded defaults (medians of ${ROUNDS}; MB)\n`);
  console.log(
    `| build | memories | RSS at start | RSS after | peak RSS during the load | main V8 heap used | bytes per memory | RSS after a first AssembleContext | ingest memories/s |${SETTLE ? ' RSS settled (s to settle) |' : ''}`,
  );
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |${SETTLE ? ' --- |' : ''}`);
  for (const [key, fs] of runs) {
    const m: Footprint = {
      startMb: median(fs.map((f) => f.startMb)),
      afterMb: median(fs.map((f) => f.afterMb)),
      peakMb: median(fs.map((f) => f.peakMb)),
      ingestPerS: median(fs.map((f) => f.ingestPerS)),
      heapUsedMb: median(fs.map((f) => f.heapUsedMb)),
      bytesPerMemory: median(fs.map((f) => f.bytesPerMemory)),
      withContextMb: median(fs.map((f) => f.withContextMb)),
      ...(fs.every((f) => f.settledMb !== undefined) ? { settledMb: median(fs.map((f) => f.settledMb!)), settleS: median(fs.map((f) => f.settleS!)) } : {}),
    };
    result[key] = m;
    const [build, n] = key.split('.');
    console.log(
      `| ${build} | ${n} | ${m.startMb} | ${m.afterMb} | ${m.peakMb} | ${m.heapUsedMb} | ${m.bytesPerMemory} | ${m.withContextMb} | ${m.ingestPerS} |${SETTLE ? (m.settledMb !== undefined ? ` ${m.settledMb} (${m.settleS}) |` : ' – |') : ''}`,
    );
  }
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', POSTGRES ? 'footprint-postgres.json' : 'footprint.json'), JSON.stringify(result, null, 2));
}

await main();
