/**
 * gRPC load generator: four load patterns against a running service (or one it starts itself),
 * a mixed workload over users with a realistic size skew, and a report per phase.
 *
 *   npx tsx bench/load.ts [--pattern steady|burst|ramp|endurance|all] [--target 127.0.0.1:50051]
 *        [--metrics http://127.0.0.1:9464] [--users 200] [--memories 50000] [--dims 384]
 *        [--seconds 30] [--concurrency 50] [--burst-to 200] [--ramp-step 10] [--ramp-max 200]
 *        [--ramp-step-seconds 10] [--ramp-p99-ms 100] [--endurance-seconds 300]
 *
 * Workload (per request): 80% Search (query near a stored memory; PRIMARY, 10% repeats of a
 * recent query), 15% Get of a known id, 5% Update (importance). Users are picked in proportion
 * to their size. Patterns:
 *   steady     `concurrency` clients for `seconds`
 *   burst      10 clients for a third of the time, `burst-to` for 30 s, then 10 again (recovery)
 *   ramp       +`ramp-step` clients every `ramp-step-seconds` until errors, p99 over
 *              `ramp-p99-ms`, or `ramp-max`; reports the last step that held
 *   endurance  `concurrency` clients for `endurance-seconds`, sampling RSS and p99 every 10 s
 *              to show drift
 * Each phase reports p50/p95/p99/max per operation, QPS, errors by status code, the cache hit
 * rate per tier (from the service's /metrics, delta over the phase) and the server's RSS.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skewedUsers, userVectors, weightedPicker } from './datasets.js';
import { arg, call, Latency, newClient, rng, root, startServer, type Client, type ServerProcess } from './lib.js';

const opt = (name: string, dflt: number) => Number(arg(name, String(dflt)));
const DIMS = opt('dims', 384);
const USERS = opt('users', 200);
const MEMORIES = opt('memories', 50_000);
const SECONDS = opt('seconds', 30);

export interface PhaseReport {
  name: string;
  seconds: number;
  requests: number;
  qps: number;
  errorRate: number;
  errorsByCode: Record<string, number>;
  latencyMs: Record<string, ReturnType<Latency['summary']>>;
  cacheHitRate: Record<string, number>;
  serverRssMb: number;
  samples?: { t: number; rssMb: number; p99Ms: number; qps: number }[];
  concurrency: string;
}

// ---- metrics endpoint --------------------------------------------------------------------

async function scrape(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function hitRates(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const sum = (m: Map<string, number>, prefix: string, tier: string) => {
    let s = 0;
    for (const [k, v] of m) if (k.startsWith(prefix) && k.includes(`tier="${tier}"`) && k.includes('kind="search"')) s += v;
    return s;
  };
  const out: Record<string, number> = {};
  for (const tier of ['l1', 'l2']) {
    const h = sum(after, 'memory_cache_hits_total', tier) - sum(before, 'memory_cache_hits_total', tier);
    const m = sum(after, 'memory_cache_misses_total', tier) - sum(before, 'memory_cache_misses_total', tier);
    if (h + m > 0) out[`${tier} search`] = Math.round((h / (h + m)) * 1000) / 1000;
  }
  return out;
}

// ---- workload ----------------------------------------------------------------------------

interface Dataset {
  users: string[];
  vectors: Float32Array[];
  ids: string[][];
  pickUser: () => number;
}

async function ingest(client: Client, progress: (s: string) => void): Promise<Dataset> {
  const { sizes } = skewedUsers(MEMORIES, USERS);
  const users = sizes.map((_, i) => `load-user-${i}`);
  const vectors: Float32Array[] = [];
  const ids: string[][] = [];
  let done = 0;
  for (let u = 0; u < users.length; u++) {
    const v = userVectors(sizes[u]!, DIMS, 1000 + u);
    vectors.push(v);
    const got: string[] = [];
    for (let i = 0; i < sizes[u]!; i += 1000) {
      const items = [];
      for (let j = i; j < Math.min(sizes[u]!, i + 1000); j++) items.push({ content: `load memory ${u}/${j}`, embedding: Array.from(v.subarray(j * DIMS, (j + 1) * DIMS)) });
      const res = await call<{ results: { id: string }[] }>(client, 'RememberBatch', { userId: users[u], items });
      got.push(...res.results.map((r) => r.id));
      done += items.length;
      progress(`ingest ${done}/${MEMORIES}`);
    }
    ids.push(got);
  }
  return { users, vectors, ids, pickUser: weightedPicker(sizes, 77) };
}

type Op = 'search' | 'get' | 'update';

function makeRequest(d: Dataset, r: () => number, recent: { userId: string; q: number[] }[]): { op: Op; method: string; req: object } {
  const x = r();
  if (x < 0.8) {
    // A repeat asks a recent query again, for the same user (an agent re-retrieving context).
    if (recent.length > 0 && r() < 0.1) {
      const again = recent[Math.floor(r() * recent.length)]!;
      return { op: 'search', method: 'Search', req: { userId: again.userId, queryVector: again.q, topK: 10 } };
    }
    const u = d.pickUser();
    const v = d.vectors[u]!;
    const j = Math.floor(r() * (v.length / DIMS));
    const q = Array.from(v.subarray(j * DIMS, (j + 1) * DIMS), (c) => c + (r() - 0.5) * 0.02);
    recent.push({ userId: d.users[u]!, q });
    if (recent.length > 200) recent.shift();
    return { op: 'search', method: 'Search', req: { userId: d.users[u], queryVector: q, topK: 10 } };
  }
  const u = d.pickUser();
  const userId = d.users[u]!;
  const id = d.ids[u]![Math.floor(r() * d.ids[u]!.length)]!;
  if (x < 0.95) return { op: 'get', method: 'Get', req: { userId, id } };
  return { op: 'update', method: 'Update', req: { userId, id, importance: Math.round(r() * 100) / 100 } };
}

/**
 * Runs clients until `until()` is true; `concurrencyAt(elapsedS)` sets how many clients run
 * (clients beyond it park). Bounded: every loop also stops at the phase deadline.
 */
async function drive(
  client: Client,
  d: Dataset,
  seconds: number,
  concurrencyAt: (t: number) => number,
  progress: (s: string) => void,
  onSecond?: (t: number, window: { lat: Latency; n: number }, errorsSoFar: number) => boolean | void,
): Promise<{ lat: Record<Op, Latency>; errors: Record<string, number>; n: number; wall: number; stoppedAt?: number }> {
  const lat: Record<Op, Latency> = { search: new Latency(), get: new Latency(), update: new Latency() };
  const errors: Record<string, number> = {};
  let n = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let stop = false;
  let stoppedAt: number | undefined;
  let window = { lat: new Latency(), n: 0 };
  const max = Math.max(...Array.from({ length: Math.ceil(seconds) + 1 }, (_, i) => concurrencyAt(i)));
  const ticker = setInterval(() => {
    const t = (performance.now() - t0) / 1000;
    const w = window;
    window = { lat: new Latency(), n: 0 };
    if (
      onSecond?.(
        t,
        w,
        Object.values(errors).reduce((a, b) => a + b, 0),
      ) === true
    ) {
      stop = true;
      stoppedAt = t;
    }
    const bar = '#'.repeat(Math.min(30, Math.round((t / seconds) * 30))).padEnd(30, '.');
    progress(
      `[${bar}] ${t.toFixed(0)}/${seconds}s  clients ${concurrencyAt(t)}  ${w.n} req/s  p99 ${w.lat.count ? w.lat.p(99).toFixed(1) : '-'} ms  errors ${Object.values(errors).reduce((a, b) => a + b, 0)}`,
    );
  }, 1000);
  await Promise.all(
    Array.from({ length: max }, async (_, slot) => {
      const r = rng(9000 + slot);
      const recent: { userId: string; q: number[] }[] = [];
      while (!stop && performance.now() < deadline) {
        if (slot >= concurrencyAt((performance.now() - t0) / 1000)) {
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        const { op, method, req } = makeRequest(d, r, recent);
        const s = performance.now();
        try {
          await call(client, method, req, { deadlineMs: 10_000 });
          const ms = performance.now() - s;
          lat[op].record(ms);
          window.lat.record(ms);
        } catch (err) {
          const code = grpcStatus[(err as { code?: number }).code ?? grpcStatus.UNKNOWN] ?? 'UNKNOWN';
          errors[code] = (errors[code] ?? 0) + 1;
        }
        n++;
        window.n++;
      }
    }),
  );
  clearInterval(ticker);
  return { lat, errors, n, wall: (performance.now() - t0) / 1000, ...(stoppedAt !== undefined ? { stoppedAt } : {}) };
}

async function phase(name: string, concurrency: string, server: { metricsUrl: string }, run: () => Promise<Awaited<ReturnType<typeof drive>>>, extra: Partial<PhaseReport> = {}): Promise<PhaseReport> {
  const before = await scrape(server.metricsUrl);
  const res = await run();
  const after = await scrape(server.metricsUrl);
  const errors = Object.values(res.errors).reduce((a, b) => a + b, 0);
  const report: PhaseReport = {
    name,
    concurrency,
    seconds: Math.round(res.wall * 10) / 10,
    requests: res.n,
    qps: Math.round(res.n / res.wall),
    errorRate: res.n ? errors / res.n : 0,
    errorsByCode: res.errors,
    latencyMs: Object.fromEntries(
      Object.entries(res.lat)
        .filter(([, l]) => l.count > 0)
        .map(([k, l]) => [k, l.summary()]),
    ),
    cacheHitRate: hitRates(before, after),
    serverRssMb: Math.round((after.get('process_resident_memory_bytes') ?? 0) / 1048576),
    ...extra,
  };
  process.stderr.write('\n');
  console.log(
    `${name}: ${report.qps} req/s, errors ${(report.errorRate * 100).toFixed(2)}% ${JSON.stringify(report.errorsByCode)}, search ms ${JSON.stringify(report.latencyMs.search)}, hit rate ${JSON.stringify(report.cacheHitRate)}, RSS ${report.serverRssMb} MB`,
  );
  return report;
}

export async function runLoad(patterns: string[]): Promise<PhaseReport[]> {
  const progress = (s: string) => process.stderr.write(`\r${s.padEnd(100)}`);
  let server: ServerProcess | undefined;
  let dir: string | undefined;
  let target = arg('target', '');
  let metricsUrl = arg('metrics', '');
  if (!target) {
    dir = await mkdtemp(join(tmpdir(), 'me-load-'));
    server = await startServer({ DATA_DIR: dir, EMBEDDER: 'none', EMBEDDING_DIMENSIONS: String(DIMS), ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) });
    target = `127.0.0.1:${server.grpcPort}`;
    metricsUrl = `http://127.0.0.1:${server.httpPort}`;
  }
  const client = newClient(Number(target.split(':').pop()));
  const d = await ingest(client, progress);
  process.stderr.write('\n');
  const s = { metricsUrl };
  const reports: PhaseReport[] = [];
  const conc = opt('concurrency', 50);
  for (const p of patterns) {
    if (p === 'steady') reports.push(await phase('steady', String(conc), s, () => drive(client, d, SECONDS, () => conc, progress)));
    if (p === 'burst') {
      const to = opt('burst-to', 200);
      const pre = Math.max(5, Math.round(SECONDS / 3));
      const total = pre + 30 + pre;
      reports.push(await phase('burst', `10 → ${to} → 10`, s, () => drive(client, d, total, (t) => (t >= pre && t < pre + 30 ? to : 10), progress)));
    }
    if (p === 'ramp') {
      const step = opt('ramp-step', 10);
      const stepS = opt('ramp-step-seconds', 10);
      const maxC = opt('ramp-max', 200);
      const p99Limit = opt('ramp-p99-ms', 100);
      const steps = Math.ceil(maxC / step);
      // Each step is judged as a whole (p99 over all its requests, and errors) when it ends.
      let held = 0;
      let stepLat = new Latency();
      let stepErrors = 0;
      let lastErrors = 0;
      const res = await phase('ramp', `+${step} every ${stepS}s up to ${maxC}`, s, () =>
        drive(
          client,
          d,
          steps * stepS,
          (t) => Math.min(maxC, step * (1 + Math.floor(t / stepS))),
          progress,
          (t, w, errors) => {
            stepLat.merge(w.lat);
            stepErrors += errors - lastErrors;
            lastErrors = errors;
            if (Math.round(t) % stepS !== 0) return false;
            const c = Math.min(maxC, step * Math.round(t / stepS));
            const failed = stepErrors > 0 || (stepLat.count > 0 && stepLat.p(99) > p99Limit);
            stepLat = new Latency();
            stepErrors = 0;
            if (failed) return true;
            held = c;
            return false;
          },
        ),
      );
      res.concurrency += `; held p99 ≤ ${p99Limit} ms with no errors up to ${held} clients`;
      reports.push(res);
    }
    if (p === 'endurance') {
      const secs = opt('endurance-seconds', 300);
      const samples: { t: number; rssMb: number; p99Ms: number; qps: number }[] = [];
      const res = await phase('endurance', String(conc), s, () =>
        drive(
          client,
          d,
          secs,
          () => conc,
          progress,
          (t, w) => {
            if (Math.round(t) % 10 === 0)
              void scrape(metricsUrl).then((m) =>
                samples.push({ t: Math.round(t), rssMb: Math.round((m.get('process_resident_memory_bytes') ?? 0) / 1048576), p99Ms: Math.round(w.lat.p(99) * 100) / 100, qps: w.n }),
              );
            return false;
          },
        ),
      );
      res.samples = samples;
      reports.push(res);
    }
  }
  client.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  return reports;
}

if (process.argv[1]?.endsWith('load.ts')) {
  const which = arg('pattern', 'all');
  const patterns = which === 'all' ? ['steady', 'burst', 'ramp', 'endurance'] : which.split(',');
  const reports = await runLoad(patterns);
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'load.json'), JSON.stringify({ bench: 'load', at: new Date().toISOString(), users: USERS, memories: MEMORIES, dims: DIMS, phases: reports }, null, 2));
}
