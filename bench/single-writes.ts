/**
 * Single-memory writes, as agents make them: one Remember per memory, from 1 and from 16
 * concurrent callers, each acknowledged only after its WAL entry and its audit row are durable
 * (embedded defaults: embedded store, PGlite, precompute on).
 *
 * - Payloads: client vectors (384-d, no embedding call) and text (the lexical embedder).
 * - Generators: ghz (Go) pinned to core 0 with the service pinned to core 1 (bench/ghz.ts's
 *   protocol: the server's own cost), and grpc-js from this process, unpinned (what a Node agent
 *   sees on this 2-core machine).
 * - Server side: a sequential run with the service's per-call debug lines, whose `ms` runs from
 *   the handler's start to its answer (decode and HTTP/2 excluded).
 * - `--backend qdrant`: the service on a real Qdrant (QDRANT_BIN: the bench starts it; or
 *   QDRANT_URL), a fresh collection prefix per run. Qdrant needs a core of its own, so nothing
 *   is pinned: ghz, the service and Qdrant share both cores.
 * - `--against DIR`: another built checkout (e.g. `git worktree add /tmp/before <commit> && cd
 *   /tmp/before && npm ci && npm run build`) measured in the same run; the two alternate round by
 *   round and each figure is the median of `--rounds`.
 *
 *   npm run build && bash scripts/ghz.sh && npx tsx bench/single-writes.ts [--seconds 8] [--rounds 3] [--against DIR] [--only vectors.ghz] [--backend qdrant]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestQdrant, type TestQdrant } from '../test/support/qdrant.js';
import { runGhz } from './ghz-runner.js';
import { arg, call, callersFor, interleaved, Latency, median, newClient, root, startServer } from './lib.js';

const SECONDS = Number(arg('seconds', '8'));
const ROUNDS = Number(arg('rounds', '3'));
const AGAINST = arg('against', '');
const ONLY = arg('only', ''); // e.g. 'vectors.ghz': only the cells whose names contain it
const BACKEND = arg('backend', 'embedded');
const DIMS = 384;
/** The Qdrant server of --backend qdrant (started in main). */
let qdrant: TestQdrant | undefined;
let runs = 0;
/** ghz's and the service's cores: split (the server's own cost), or shared when Qdrant needs one. */
const CORES = () => (qdrant ? { ghz: '0,1', service: undefined } : { ghz: '0', service: '1' });

/** A fixed unit vector: the store's cost does not depend on the values. */
const VECTOR = (() => {
  const v = Array.from({ length: DIMS }, (_, i) => Math.sin(i + 1));
  const n = Math.hypot(...v);
  return v.map((x) => Math.round((x / n) * 1e6) / 1e6);
})();

interface Payload {
  name: 'vectors' | 'text';
  ghz: string;
  node: (n: number, caller: number) => object;
}
const PAYLOADS: Payload[] = [
  {
    name: 'vectors',
    ghz: `{"user_id":"w-{{.WorkerID}}","memory":{"content":"note {{.RequestNumber}} about the garden","embedding":[${VECTOR.join(',')}]}}`,
    node: (n, caller) => ({ userId: `n-${caller}`, memory: { content: `note ${n} about the garden`, embedding: VECTOR } }),
  },
  {
    name: 'text',
    ghz: '{"user_id":"w-{{.WorkerID}}","memory":{"content":"note {{.RequestNumber}}: the user mentioned plans for a trip and a favourite dish"}}',
    node: (n, caller) => ({ userId: `n-${caller}`, memory: { content: `note ${n}: the user mentioned plans for a trip and a favourite dish` } }),
  },
];

interface Figures {
  perSecond: number;
  ms: { p50: number; p99: number };
}

/** One service on a fresh data directory, pinned to core 1 (the debug run is not pinned: it measures latency, not the ceiling). */
async function withService<T>(checkout: string, o: { cpus?: string; debug?: boolean; onLog?: (m: Record<string, unknown>) => void }, fn: (port: number) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'me-writes-'));
  const backend: Record<string, string> = qdrant ? { QDRANT_URL: qdrant.url, QDRANT_COLLECTION_PREFIX: `${qdrant.prefix}${runs++}_` } : {};
  const server = await startServer(
    { DATA_DIR: dir, ...backend, ...(o.debug ? { LOG_LEVEL: 'debug' } : {}) },
    { checkout, ...(o.cpus ? { cpus: o.cpus } : {}), ...(o.onLog ? { onLog: o.onLog } : {}) },
  );
  try {
    return await fn(server.grpcPort);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function ghzRun(checkout: string, p: Payload, concurrency: number): Promise<Figures> {
  const cores = CORES();
  return withService(checkout, cores.service ? { cpus: cores.service } : {}, async (port) => {
    const r = await runGhz({ address: `127.0.0.1:${port}`, method: 'Remember', data: p.ghz, concurrency, seconds: SECONDS, cpus: cores.ghz });
    if (r.errors > 0) throw new Error(`${r.errors} Remember calls failed under ghz`);
    return { perSecond: Math.round(r.rps), ms: { p50: r.p50, p99: r.p99 } };
  });
}

async function nodeRun(checkout: string, p: Payload, concurrency: number): Promise<Figures> {
  return withService(checkout, {}, async (port) => {
    const client = newClient(port);
    const { latency, errors } = await callersFor(SECONDS, concurrency, (n, caller) => call(client, 'Remember', p.node(n, caller)));
    client.close();
    if (errors > 0) throw new Error(`${errors} Remember calls failed under grpc-js`);
    return { perSecond: Math.round(latency.count / SECONDS), ms: { p50: latency.p(50), p99: latency.p(99) } };
  });
}

/** Sequential Remembers with the service's own per-call timing (debug log lines). */
async function serverSide(checkout: string, p: Payload): Promise<Figures> {
  const inService = new Latency();
  const onLog = (m: Record<string, unknown>) => {
    if (m.msg === 'call' && m.method === 'Remember' && m.code === 'OK') inService.record(Number(m.ms));
  };
  return withService(checkout, { debug: true, onLog }, async (port) => {
    const client = newClient(port);
    const end = performance.now() + SECONDS * 1000;
    for (let n = 0; performance.now() < end; n++) await call(client, 'Remember', p.node(n, 0));
    client.close();
    await new Promise((r) => setTimeout(r, 200)); // the last log lines
    return { perSecond: Math.round(inService.count / SECONDS), ms: { p50: inService.p(50), p99: inService.p(99) } };
  });
}

const medianOf = (runs: Figures[]): Figures => ({ perSecond: median(runs.map((r) => r.perSecond)), ms: { p50: median(runs.map((r) => r.ms.p50)), p99: median(runs.map((r) => r.ms.p99)) } });

interface Cell {
  name: string;
  measure: (checkout: string) => Promise<Figures>;
}
const ALL_CELLS: Cell[] = PAYLOADS.flatMap((p) => [
  { name: `${p.name}.inService.c1`, measure: (c: string) => serverSide(c, p) },
  { name: `${p.name}.ghz.c1`, measure: (c: string) => ghzRun(c, p, 1) },
  { name: `${p.name}.ghz.c16`, measure: (c: string) => ghzRun(c, p, 16) },
  { name: `${p.name}.grpcjs.c1`, measure: (c: string) => nodeRun(c, p, 1) },
  { name: `${p.name}.grpcjs.c16`, measure: (c: string) => nodeRun(c, p, 16) },
]);
const CELLS = ALL_CELLS.filter((c) => c.name.includes(ONLY));

async function main(): Promise<void> {
  if (BACKEND === 'qdrant') {
    qdrant = await startTestQdrant();
    if (!qdrant) throw new Error('--backend qdrant needs QDRANT_BIN or QDRANT_URL');
  }
  try {
    await measure();
  } finally {
    await qdrant?.stop();
  }
}

async function measure(): Promise<void> {
  const byName = new Map(CELLS.map((c) => [c.name, c]));
  const runs = await interleaved({ rounds: ROUNDS, cells: [...byName.keys()], against: AGAINST, measure: (name, checkout) => byName.get(name)!.measure(checkout) });
  const result: Record<string, unknown> = { bench: 'single-writes', at: new Date().toISOString(), backend: BACKEND, seconds: SECONDS, rounds: ROUNDS, against: AGAINST || undefined };
  const f2 = (x: number) => x.toFixed(2);
  const where = qdrant ? 'on Qdrant; nothing pinned' : 'ghz on core 0, service on core 1; grpc-js unpinned';
  console.log(`\n## Single Remembers, ${BACKEND} (medians of ${ROUNDS} rounds of ${SECONDS} s; ${where})\n`);
  console.log(AGAINST ? '| workload | this: req/s | p50 ms | p99 ms | against: req/s | p50 ms | p99 ms | ratio req/s |' : '| workload | req/s | p50 ms | p99 ms |');
  console.log(AGAINST ? '| --- | --- | --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- |');
  for (const cell of CELLS) {
    const mine = medianOf(runs.get(`this.${cell.name}`)!);
    result[cell.name] = mine;
    const row = `| ${cell.name} | ${mine.perSecond} | ${f2(mine.ms.p50)} | ${f2(mine.ms.p99)} |`;
    if (!AGAINST) {
      console.log(row);
      continue;
    }
    const other = medianOf(runs.get(`against.${cell.name}`)!);
    result[`against.${cell.name}`] = other;
    console.log(`${row} ${other.perSecond} | ${f2(other.ms.p50)} | ${f2(other.ms.p99)} | ×${(mine.perSecond / other.perSecond).toFixed(2)} |`);
  }
  // The names bench/run.ts summarizes (text over grpc-js, as before).
  result.concurrency1 = result['text.grpcjs.c1'];
  result.concurrency16 = result['text.grpcjs.c16'];
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', BACKEND === 'qdrant' ? 'single-writes-qdrant.json' : 'single-writes.json'), JSON.stringify(result, null, 2));
}

await main();
