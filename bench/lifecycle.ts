/**
 * Lifecycle maintenance on a synthetic aged corpus, against the built server on embedded
 * defaults (client vectors). The corpus comes in through ImportUser, which keeps timestamps, so
 * memories have realistic ages (days to two years), access histories (40% never read, recent
 * reads more likely), lengths (log-normal around 120 bytes, 10% long notes of 1–4 KB of English
 * words), confidences, session and task scopes (30% of tasks failed), expiries, pins and 2%
 * near-duplicates. Then, one job at a time over every user: ttl, decay, compress, archive, gc,
 * each with its time, memories/s and what it changed, while a foreground search load runs.
 *
 * Paired windows: while a job runs, the bench alternates `--run-ms` with the service's
 * background jobs running and `--pause-ms` with them paused (PauseBackgroundJobs), and holds the
 * searches of the running phases against those of the paused phases (the first second after each
 * switch belongs to neither). Both sets come from the same minutes, so the machine's drift from
 * hour to hour (which moved a p99 by more than any job did) cancels out. The job's window is also
 * compared, as before, with a quiet window (the same load, no job, `--baseline-ms` long) right
 * before it, once the previous job's triggered precompute is done, and with the first window.
 * Also: Get/Search latency of long memories before and after compression (read overhead), Get
 * of archived memories (each restores one), and on-disk bytes of the store and the metadata
 * database (archive table) after each job.
 *
 * With --postgres, the metadata (and the archive table) live in a real Postgres started for the
 * run instead of embedded PGlite (whose queries run on the service's event loop).
 *
 * Each window also reports the service's garbage-collection pauses (prom-client's
 * nodejs_gc_duration_seconds, by kind). `--jobs` runs a subset (in the order given);
 * `--trace-slow MS` prints each search slower than MS with its wall-clock time, to line up with
 * the service's own output (e.g. BENCH_SERVER_NODE_ARGS=--trace-gc).
 *
 *   npm run build && npx tsx bench/lifecycle.ts [--users 1000] [--per-user 200] [--dims 384] [--window-qps 40] [--baseline-ms 60000] [--run-ms 10000] [--pause-ms 10000] [--postgres] [--jobs ttl,decay,compress,archive,gc] [--trace-slow 30]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, labelledClusters, Latency, metric, newClient, percentileRatio, rng, root, rssMb, runConcurrent, startServer } from './lib.js';
import type { MemoryServiceClient } from '../src/generated/memory/v1/MemoryService.js';
import { startTestPostgres } from '../test/support/postgres.js';

const DAY = 86_400_000;
/** How often a window scrapes the service's /metrics. */
const SCRAPE_MS = 5000;
/** Searches that start this soon after a pause or resume count in neither phase. */
const SWITCH_GUARD_MS = 1000;
const WORDS =
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part over new sound take only little work know place year live me back give most very after thing our just name good sentence man think say great where help through much before line right too mean old any same tell boy follow came want show also around form three small set put end does another well large must big even such because turn here why ask went men read need land different home us move try kind hand picture again change off play spell air away animal house point page letter mother answer found study still learn should garden tomato compost harbour boat flight hotel coffee meeting doctor birthday project deadline budget'.split(
    ' ',
  );

interface Job {
  id: string;
  status: string;
  counts: Record<string, number>;
  error: string;
}

function sentence(r: () => number, bytes: number): string {
  const out: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = WORDS[Math.floor(Math.pow(r(), 2) * WORDS.length)]!; // common words more often
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ') + '.';
}

/** One user's export lines: tasks, then memories with ages, accesses and lengths as described above. */
function userLines(userId: string, perUser: number, dims: number, seed: number, now: number): { lines: string[]; longIds: string[] } {
  const r = rng(seed);
  const { data } = labelledClusters(perUser, dims, 8, seed);
  const lines: string[] = [JSON.stringify({ type: 'header', format: 'memory-engine/v1', user_id: userId, exported_at_ms: now, dimensions: dims, embeddings: true })];
  const tasks = Array.from({ length: 4 }, (_, i) => ({ id: uuid(r), failed: i === 0 || r() < 0.3 }));
  for (const t of tasks) {
    const finished = now - Math.floor(r() * 30 * DAY);
    lines.push(
      JSON.stringify({
        type: 'task',
        task: { id: t.id, user_id: userId, title: 'task', status: t.failed ? 'FAILED' : 'SUCCEEDED', created_at_ms: finished - DAY, updated_at_ms: finished, finished_at_ms: finished },
      }),
    );
  }
  const contents: string[] = [];
  const longIds: string[] = [];
  for (let i = 0; i < perUser; i++) {
    const x = r();
    const ageDays = x < 0.3 ? r() * 7 : x < 0.7 ? 7 + r() * 83 : 90 + r() * 640;
    const created = Math.floor(now - ageDays * DAY);
    const read = r() >= 0.4;
    const accessed = read ? Math.floor(created + (now - created) * Math.pow(r(), 0.3)) : 0;
    const long = r() < 0.1;
    const bytes = long ? 1000 + Math.floor(r() * 3000) : Math.max(20, Math.floor(Math.exp(4.8 + 0.6 * gauss(r))));
    const dup = contents.length > 0 && r() < 0.02;
    const content = dup ? `  ${contents[Math.floor(r() * contents.length)]!.toUpperCase()} ` : sentence(r, bytes);
    contents.push(content.trim());
    const s = r();
    const scope = s < 0.05 ? 'SESSION' : s < 0.1 ? 'TASK' : 'USER';
    const e = r();
    const expires = e < 0.03 ? created + Math.floor(r() * (now - created)) : e < 0.05 ? now + 30 * DAY : 0;
    const memory = {
      id: uuid(r),
      user_id: userId,
      session_id: scope === 'SESSION' ? `s${Math.floor(r() * 20)}` : '',
      task_id: scope === 'TASK' ? tasks[Math.floor(r() * tasks.length)]!.id : '',
      scope,
      content,
      kind: r() < 0.2 ? 'preference' : 'fact',
      importance: Math.round((0.2 + r() * 0.7) * 1000) / 1000,
      confidence: r() < 0.15 ? 0.2 + r() * 0.3 : 0.8 + r() * 0.2,
      created_at_ms: created,
      updated_at_ms: created,
      accessed_at_ms: accessed,
      access_count: read ? 1 + Math.floor(-Math.log(r() + 1e-9) * 3) : 0,
      expires_at_ms: expires,
      pinned: r() < 0.01,
      version: 1,
      embedding: Array.from(data.subarray(i * dims, (i + 1) * dims), (v) => Math.round(v * 1e6) / 1e6),
    };
    lines.push(JSON.stringify({ type: 'memory', archived: false, memory }));
    if (long && !dup && !memory.pinned && expires === 0) longIds.push(memory.id);
  }
  return { lines, longIds };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

function uuid(r: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16));
  h[12] = '4';
  h[16] = '89ab'[Math.floor(r() * 4)]!;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function du(path: string): number {
  try {
    return Number(
      execFileSync('du', ['-sb', path], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .split('\t')[0],
    );
  } catch {
    return 0;
  }
}

/** The service's garbage-collection pauses so far, by kind (major, minor, incremental, weakcb): count, total ms, and how many took over 10 ms. */
type GcPauses = Record<string, { n: number; ms: number; over10ms: number }>;

async function gcPauses(httpPort: number): Promise<GcPauses> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out: GcPauses = {};
  for (const line of text.split('\n')) {
    const m = /^nodejs_gc_duration_seconds_(count|sum|bucket)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const kind = /kind="([^"]+)"/.exec(m[2]!)?.[1] ?? '?';
    const k = (out[kind] ??= { n: 0, ms: 0, over10ms: 0 });
    const v = Number(m[3]);
    if (m[1] === 'count') {
      k.n = v;
      k.over10ms += v;
    } else if (m[1] === 'sum') k.ms = Math.round(v * 1000);
    else if (m[2]!.includes('le="0.01"')) k.over10ms -= v;
  }
  return out;
}

/** What happened between two readings, e.g. "major 12 (340 ms, 9 > 10 ms)". */
function gcDuring(before: GcPauses, after: GcPauses): { text: string; byKind: GcPauses } {
  const byKind: GcPauses = {};
  for (const [kind, a] of Object.entries(after)) {
    const b = before[kind] ?? { n: 0, ms: 0, over10ms: 0 };
    if (a.n > b.n) byKind[kind] = { n: a.n - b.n, ms: a.ms - b.ms, over10ms: a.over10ms - b.over10ms };
  }
  const text = Object.entries(byKind)
    .map(([kind, k]) => `${kind} ${k.n} (${k.ms} ms, ${k.over10ms} > 10 ms)`)
    .join(', ');
  return { text: text || 'none', byKind };
}

/**
 * A steady foreground search load (open loop at `qps`) until stopped; its latencies, all of them
 * and by the phase `phaseOf` names when each search starts (undefined: in none).
 */
function searchLoad(
  client: MemoryServiceClient,
  users: string[],
  dims: number,
  qps: number,
  phaseOf: () => string | undefined = () => undefined,
): { stop: () => Promise<{ all: Latency; phases: Record<string, Latency>; samples: Record<string, number[]> }> } {
  const lat = new Latency();
  const samples: Record<string, number[]> = {};
  const traceSlowMs = Number(arg('trace-slow', '0'));
  const r = rng(99);
  let running = true;
  const inflight = new Set<Promise<void>>();
  const loop = (async () => {
    const gap = 1000 / qps;
    let next = performance.now();
    while (running) {
      next += gap;
      const userId = users[Math.floor(r() * users.length)]!;
      const v = Array.from({ length: dims }, () => r() * 2 - 1);
      const n = Math.hypot(...v);
      const t0 = performance.now();
      const phase = phaseOf();
      const p = call(client, 'Search', { userId, queryVector: v.map((x) => x / n), topK: 10 }).then(
        () => {
          const ms = performance.now() - t0;
          lat.record(ms);
          if (phase !== undefined) (samples[phase] ??= []).push(ms);
          if (traceSlowMs > 0 && ms >= traceSlowMs) process.stderr.write(`[slow ${new Date().toISOString().slice(11, 23)}] search ${ms.toFixed(1)} ms\n`);
        },
        () => undefined,
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      const wait = next - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await Promise.all(inflight);
      const phases: Record<string, Latency> = {};
      for (const [name, ms] of Object.entries(samples)) {
        phases[name] = new Latency();
        for (const x of ms) phases[name].record(x);
      }
      return { all: lat, phases, samples };
    },
  };
}

async function main(): Promise<void> {
  const users = Number(arg('users', '1000'));
  const perUser = Number(arg('per-user', '200'));
  const dims = Number(arg('dims', '384'));
  const qps = Number(arg('window-qps', '40'));
  const runMs = Number(arg('run-ms', '10000'));
  const pauseMs = Number(arg('pause-ms', '10000'));
  const dir = await mkdtemp(join(tmpdir(), 'me-lifecycle-'));
  const pg = process.argv.includes('--postgres') ? await startTestPostgres() : undefined;
  if (process.argv.includes('--postgres') && !pg) throw new Error('--postgres: no PostgreSQL server binaries here (Debian package postgresql)');
  const server = await startServer({
    DATA_DIR: dir,
    ...(pg ? { DATABASE_URL: pg.url, AUTH: 'off' } : {}),
    EMBEDDER: 'none',
    EMBEDDING_DIMENSIONS: String(dims),
    // Jobs run when this bench asks; precompute keeps its default pacing (runs triggered by the
    // jobs' changes wait PRECOMPUTE_MIN_GAP_MS, as in production).
    MAINTENANCE_INTERVAL_MS: '0',
  });
  const client = newClient(server.grpcPort);
  const now = Date.now();
  const userIds = Array.from({ length: users }, (_, i) => `life-${i}`);

  // ---- the corpus ---------------------------------------------------------------------
  const t0 = performance.now();
  const longIds: { userId: string; id: string }[] = [];
  await runConcurrent(users, 2, async (u) => {
    const { lines, longIds: longs } = userLines(userIds[u]!, perUser, dims, 1000 + u, now);
    if (u % 10 === 0) for (const id of longs.slice(0, 5)) longIds.push({ userId: userIds[u]!, id });
    for (let i = 0; i < lines.length; i += 250) await call(client, 'ImportUser', { userId: userIds[u], lines: lines.slice(i, i + 250), firstLine: i + 1 }, { deadlineMs: 600_000 });
  });
  const ingestS = (performance.now() - t0) / 1000;
  const total = users * perUser;
  console.log(`metadata: ${pg ? 'postgres' : 'pglite'}`);
  console.log(`corpus: ${total} memories over ${users} users imported in ${ingestS.toFixed(1)} s (${Math.round(total / ingestS)}/s); RSS ${await rssMb(server.child.pid!)} MB`);

  const disk = () => ({ storeBytes: du(join(dir, 'vectors')), metadataBytes: du(join(dir, 'metadata')) });
  // Long memories read for the first time (never from a cache): one half before compression, the other after.
  const readLong = async (half: 0 | 1) => {
    const get = new Latency();
    for (const m of longIds.filter((_, i) => i % 2 === half)) {
      const t = performance.now();
      await call(client, 'Get', { userId: m.userId, id: m.id });
      get.record(performance.now() - t);
    }
    return get.summary();
  };

  // The import triggered precompute (topics, profiles, …) for every user: let it finish, so the
  // baseline window is the search load alone.
  // Settled: nothing queued or running and no run for `seconds` in a row (a run that a change
  // triggered waits PRECOMPUTE_MIN_GAP_MS, 30 s, outside the queue: after a job, wait longer).
  const settle = async (seconds: number) => {
    const tq = performance.now();
    let quiet = 0;
    let lastRuns = -1;
    while (quiet < seconds && performance.now() - tq < 900_000) {
      await new Promise((r) => setTimeout(r, 1000));
      const runs = await metric(server.httpPort, 'memory_precompute_runs_total');
      const busy = (await metric(server.httpPort, 'memory_precompute_queue_depth')) + (await metric(server.httpPort, 'memory_precompute_running'));
      quiet = busy === 0 && runs === lastRuns ? quiet + 1 : 0;
      lastRuns = runs;
    }
    return { seconds: (performance.now() - tq) / 1000, runs: lastRuns };
  };
  const settled = await settle(3);
  console.log(`precompute after the import settled in ${settled.seconds.toFixed(0)} s (${settled.runs} runs)`);

  // Foreground baseline: the search load alone.
  const windowMs = Number(arg('baseline-ms', '60000'));
  const quietWindow = async () => {
    const gcBefore = await gcPauses(server.httpPort);
    const quiet = searchLoad(client, userIds, dims, qps);
    // Scraped like a job window (which watches the runs counter), so that both carry its cost.
    for (const end = performance.now() + windowMs; performance.now() < end;) {
      await new Promise((r) => setTimeout(r, Math.min(SCRAPE_MS, end - performance.now())));
      if (performance.now() < end) await fetch(`http://127.0.0.1:${server.httpPort}/metrics`).then((r) => r.text());
    }
    return { latency: (await quiet.stop()).all.summary(), gc: gcDuring(gcBefore, await gcPauses(server.httpPort)) };
  };
  const { latency: baseline, gc: baselineGc } = await quietWindow();
  console.log(`baseline search (no job): p50 ${baseline.p50} p95 ${baseline.p95} p99 ${baseline.p99} ms over ${baseline.n}; GC pauses: ${baselineGc.text}`);
  const getLongBefore = await readLong(0);

  const results: Record<string, unknown> = {};
  const kinds = arg('jobs', 'ttl,decay,compress,archive,gc').split(',');
  for (const kind of kinds) {
    // Each job is held against a quiet window right before it (the first one: the baseline), once
    // the previous job's triggered runs are done: the store and the heap change from job to job
    // (the baseline has ~45k more memories than the last job sees).
    let quiet = baseline;
    let quietGc = baselineGc;
    if (kind !== kinds[0]) {
      await settle(35);
      ({ latency: quiet, gc: quietGc } = await quietWindow());
      console.log(`${kind}: quiet window right before: p50 ${quiet.p50} p95 ${quiet.p95} p99 ${quiet.p99} ms over ${quiet.n}; GC pauses: ${quietGc.text}`);
    }
    const before = disk();
    const gcBefore = await gcPauses(server.httpPort);
    let phase: 'running' | 'paused' = 'running';
    let switchedAt = performance.now();
    const load = searchLoad(client, userIds, dims, qps, () => (performance.now() - switchedAt < SWITCH_GUARD_MS ? undefined : phase));
    const t = performance.now();
    const counts: Record<string, number> = {};
    // The sweep as the service runs it: every user's run queued at once, the scheduler works
    // through them (PRECOMPUTE_CONCURRENCY), and the driver watches /metrics (HTTP, not a gRPC
    // call: it adds no foreground load) until the queue is empty and the last run is done.
    const runsOf = async () => {
      const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
      let n = 0;
      for (const line of text.split('\n')) if (line.startsWith('memory_precompute_runs_total{') && line.includes(`kind="${kind}"`)) n += Number(line.split(' ').pop());
      return n;
    };
    const runsBefore = await runsOf();
    const jobIds: string[] = [];
    for (const userId of userIds) jobIds.push((await call<Job>(client, 'TriggerPrecompute', { userId, job: kind })).id);
    // Running and paused phases in turn until every run has ended. Each phase scrapes /metrics
    // once, halfway (a scrape blocks the service's event loop for ~4 ms and allocates a few MB):
    // both phases carry that cost, and the quiet windows are scraped every SCRAPE_MS too.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let pausedMs = 0;
    for (;;) {
      await sleep(runMs / 2);
      const done = (await runsOf()) - runsBefore >= users;
      if (done) break;
      await sleep(runMs / 2);
      // Paused for longer than the phase, so a bench that dies does not leave the jobs paused
      // for long; the phase ends with an explicit resume.
      await call(client, 'PauseBackgroundJobs', { durationMs: pauseMs + 30_000 });
      [phase, switchedAt] = ['paused', performance.now()];
      await sleep(pauseMs / 2);
      await runsOf();
      await sleep(pauseMs / 2);
      await call(client, 'PauseBackgroundJobs', { durationMs: 0 });
      pausedMs += performance.now() - switchedAt;
      [phase, switchedAt] = ['running', performance.now()];
    }
    const secs = (performance.now() - t) / 1000;
    const workingSecs = secs - pausedMs / 1000;
    const { all, phases, samples } = await load.stop();
    const p99Interval = percentileRatio(samples.running ?? [], samples.paused ?? [], 99);
    const during = all.summary();
    const running = (phases.running ?? new Latency()).summary();
    const paused = (phases.paused ?? new Latency()).summary();
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const gc = gcDuring(gcBefore, await gcPauses(server.httpPort));
    const heapMb = Math.round((await metric(server.httpPort, 'nodejs_heap_size_used_bytes')) / 2 ** 20);
    // Every run has finished (the counter counts them when they end): read their counts.
    await runConcurrent(users, 8, async (u) => {
      let job = await call<Job>(client, 'GetJob', { userId: userIds[u], jobId: jobIds[u] });
      while (job.status === 'QUEUED' || job.status === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 100));
        job = await call<Job>(client, 'GetJob', { userId: userIds[u], jobId: jobIds[u] });
      }
      if (job.status !== 'SUCCEEDED') throw new Error(`${kind} for ${userIds[u]}: ${job.status} ${job.error}`);
      for (const [k, n] of Object.entries(job.counts)) if (k !== 'asOfMs') counts[k] = (counts[k] ?? 0) + Number(n);
    });
    const memories = counts.memories ?? total;
    const after = disk();
    results[kind] = {
      seconds: Math.round(secs * 10) / 10,
      workingSeconds: Math.round(workingSecs * 10) / 10,
      memoriesPerSecond: Math.round(memories / workingSecs),
      counts,
      paired: {
        running,
        paused,
        p99Ratio: ratio(running.p99, paused.p99),
        p99Ratio90: [p99Interval.low, p99Interval.high],
        p95Ratio: ratio(running.p95, paused.p95),
        p50Ratio: ratio(running.p50, paused.p50),
      },
      searchDuring: during,
      gcPauses: gc.byKind,
      p99Ratio: ratio(during.p99, baseline.p99),
      p95Ratio: ratio(during.p95, baseline.p95),
      searchQuietBefore: quiet,
      quietBeforeGcPauses: quietGc.byKind,
      p99VsQuietBefore: ratio(during.p99, quiet.p99),
      disk: { before, after },
    };
    console.log(
      `${kind}: ${secs.toFixed(1)} s, ${workingSecs.toFixed(1)} s of it not paused (${Math.round(memories / workingSecs)} memories/s) ${JSON.stringify(counts)}; paired phases: running p50 ${running.p50} p95 ${running.p95} p99 ${running.p99} ms over ${running.n}, paused p50 ${paused.p50} p95 ${paused.p95} p99 ${paused.p99} ms over ${paused.n}: p99 ×${ratio(running.p99, paused.p99)} (90% ×${p99Interval.low}–${p99Interval.high}), p95 ×${ratio(running.p95, paused.p95)}; search during: p95 ${during.p95} p99 ${during.p99} ms (×${(during.p99 / quiet.p99).toFixed(2)} the quiet window right before, ×${(during.p99 / baseline.p99).toFixed(2)} the first); GC pauses: ${gc.text}; heap used after ${heapMb} MB, RSS ${await rssMb(server.child.pid!)} MB; disk store ${before.storeBytes}→${after.storeBytes} B, metadata ${before.metadataBytes}→${after.metadataBytes} B`,
    );
    if (kind === 'compress') {
      const getLongAfter = await readLong(1);
      results.compressReadOverhead = { getLongBefore, getLongAfter, p50Ratio: Math.round((getLongAfter.p50 / getLongBefore.p50) * 100) / 100 };
      console.log(`Get of long memories: before compression p50 ${getLongBefore.p50} p95 ${getLongBefore.p95} ms; after p50 ${getLongAfter.p50} p95 ${getLongAfter.p95} ms`);
    }
  }

  // Archived memories: a Get restores each into the hot store.
  const archivedGet = new Latency();
  let restored = 0;
  for (const u of userIds.slice(0, 50)) {
    const exported: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const s = (client as unknown as { ExportUser(r: object): NodeJS.EventEmitter }).ExportUser({ userId: u });
      s.on('data', (c: { lines: string[] }) => exported.push(...c.lines));
      s.on('error', reject);
      s.on('end', () => resolve());
    });
    const ids = exported
      .map((l) => JSON.parse(l) as { type: string; archived?: boolean; memory?: { id: string } })
      .filter((l) => l.type === 'memory' && l.archived)
      .slice(0, 4)
      .map((l) => l.memory!.id);
    for (const id of ids) {
      const t = performance.now();
      await call(client, 'Get', { userId: u, id });
      archivedGet.record(performance.now() - t);
      restored++;
    }
  }
  const archived = archivedGet.summary();
  console.log(`Get of an archived memory (restores it): p50 ${archived.p50} p95 ${archived.p95} ms over ${restored}`);

  await settle(35);
  const { latency: afterAll } = await quietWindow();
  console.log(`search after the sweep: p50 ${afterAll.p50} p95 ${afterAll.p95} p99 ${afterAll.p99} ms`);
  // A quiet window's p99 has its own noise: each job is also held against the quieter of the
  // two quiet windows (before and after the sweep), the stricter comparison.
  const quietP99 = Math.min(baseline.p99, afterAll.p99);
  for (const kind of kinds) {
    const r = results[kind] as { searchDuring: { p99: number; n: number }; p99VsQuieter?: number; paired: { p99Ratio: number; p99Ratio90: number[]; p95Ratio: number } };
    r.p99VsQuieter = Math.round((r.searchDuring.p99 / quietP99) * 100) / 100;
    console.log(
      `${kind}: search p99 running vs paused phases ×${r.paired.p99Ratio} (90% ×${r.paired.p99Ratio90.join('–')}; p95 ×${r.paired.p95Ratio}); the whole window's p99 ${r.searchDuring.p99} ms over ${r.searchDuring.n} = ×${r.p99VsQuieter} the quieter window's ${quietP99} ms`,
    );
  }

  const out = {
    at: new Date().toISOString(),
    metadata: pg ? 'postgres' : 'pglite',
    users,
    perUser,
    dims,
    memories: total,
    ingestSeconds: Math.round(ingestS * 10) / 10,
    searchBaseline: baseline,
    searchBaselineGcPauses: baselineGc.byKind,
    searchAfter: afterAll,
    jobs: results,
    archivedGet: archived,
    rssMb: await rssMb(server.child.pid!),
  };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', pg ? 'lifecycle-postgres.json' : 'lifecycle.json'), JSON.stringify(out, null, 2));
  client.close();
  await server.stop();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
