/** Shared pieces of the benchmarks: server process, gRPC client, percentiles, datasets. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import type { MemoryServiceClient } from '../src/generated/memory/v1/MemoryService.js';
import { call, newClient, rng } from '../test/helpers.js';

export { call, newClient, rng };
export const root = fileURLToPath(new URL('..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  /** ms from spawn to the "serving" log line. */
  startMs: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the built service (dist/) in its own process, as `npm start` runs it.
 * BENCH_SERVER_NODE_ARGS adds node flags to it (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`);
 * `cpus` pins it (and its worker threads) to those cores with taskset (e.g. '1'); `checkout`
 * runs another built checkout of the project instead of this one (a before/after in one run);
 * `onLog` sees every JSON log line.
 */
export function startServer(env: Record<string, string>, o: { cpus?: string; checkout?: string; onLog?: (msg: Record<string, unknown>) => void } = {}): Promise<ServerProcess> {
  const t0 = performance.now();
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const command = o.cpus ? ['taskset', '-c', o.cpus, process.execPath] : [process.execPath];
  const child = spawn(command[0]!, [...command.slice(1), ...nodeArgs, 'dist/src/main.js'], {
    cwd: o.checkout ?? root,
    // The lexical embedder unless EMBEDDER says otherwise: numbers stay comparable across machines.
    // The allocator settings of that checkout's `npm start` (the image sets the same).
    env: { ...startScriptEnv(o.checkout ?? root), GRPC_ADDRESS: '127.0.0.1:0', HTTP_ADDRESS: '127.0.0.1:0', LOG_LEVEL: 'info', EMBEDDER: process.env.EMBEDDER ?? 'lexical', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: { msg?: string; grpcPort?: number; httpPort?: number };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        // Not a log line: node's own output (e.g. --trace-gc via BENCH_SERVER_NODE_ARGS), shown with a timestamp.
        if (nodeArgs.length > 0) process.stderr.write(`[server ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
        return;
      }
      o.onLog?.(msg);
      if (msg.msg === 'serving') {
        resolve({
          child,
          grpcPort: msg.grpcPort!,
          httpPort: msg.httpPort!,
          startMs: performance.now() - t0,
          stop: (signal = 'SIGTERM') =>
            new Promise<void>((res) => {
              if (child.exitCode !== null) return res();
              child.once('exit', () => res());
              child.kill(signal);
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

/** glibc's allocator settings: each run gets exactly the ones its checkout's `npm start` sets. */
const ALLOCATOR_VARIABLES = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_'];

/**
 * The environment to start a checkout with: ours, minus glibc's allocator variables (an empty
 * value is not the default to glibc), plus what that checkout's `npm start` sets for itself
 * (its `VAR=${VAR:-value}` prefixes), so an older checkout runs as it did.
 */
export function startScriptEnv(checkout: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const v of ALLOCATOR_VARIABLES) delete env[v];
  const start = (JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  for (const m of start.matchAll(/(\w+)=\$\{\w+:-([^}]*)\}/g)) env[m[1]!] = m[2]!;
  return env;
}

export async function metric(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name + ' ') || line.startsWith(name + '{')) sum += Number(line.split(' ').pop());
  return sum;
}

/** A process's resident memory in MB: now (VmRSS), or its peak (VmHWM, since start or the last reset). */
export async function rssMb(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${which}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export class Latency {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  count = 0;
  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.count++;
  }
  /** Adds another histogram's samples to this one. */
  merge(other: Latency): void {
    this.h.add(other.h);
    this.count += other.count;
  }

  /** milliseconds */
  p(q: number): number {
    return this.h.getValueAtPercentile(q) / 1000;
  }
  summary(): { p50: number; p95: number; p99: number; max: number; n: number } {
    const r = (x: number) => Math.round(x * 1000) / 1000;
    return { p50: r(this.p(50)), p95: r(this.p(95)), p99: r(this.p(99)), max: r(this.h.maxValue / 1000), n: this.count };
  }
}

/** The `q`-th percentile (0–100) of sorted samples, nearest rank. */
function percentileOfSorted(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
}

/**
 * How sure a ratio of two percentiles is: the `q`-th percentile of `a` over that of `b`, with
 * the 5th and 95th percentiles of the same ratio over `rounds` bootstrap resamplings of both
 * sets (a 90% interval). A p99 of 2,000 samples rests on its top 20, so two runs' ratios can
 * differ by a tenth without anything having changed.
 */
export function percentileRatio(a: readonly number[], b: readonly number[], q: number, rounds = 1000, seed = 7): { ratio: number; low: number; high: number } {
  const r = rng(seed);
  const pct = (xs: readonly number[]) => percentileOfSorted(Float64Array.from(xs).sort(), q);
  const resample = (xs: readonly number[]) => {
    const out = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(r() * xs.length)]!;
    return percentileOfSorted(out.sort(), q);
  };
  const ratios: number[] = [];
  if (a.length > 0 && b.length > 0) for (let i = 0; i < rounds; i++) ratios.push(resample(a) / resample(b));
  ratios.sort((x, y) => x - y);
  const round = (x: number) => Math.round(x * 100) / 100;
  if (ratios.length === 0) return { ratio: NaN, low: NaN, high: NaN };
  return { ratio: round(pct(a) / pct(b)), low: round(ratios[Math.floor(rounds * 0.05)]!), high: round(ratios[Math.floor(rounds * 0.95)]!) };
}

/** Gaussian samples from a seeded uniform source; clustered unit vectors built on them. */
export function gaussian(r: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

export function clusteredVectors(n: number, dims: number, clusters: number, seed: number, spread = 0.9): Float32Array {
  return labelledClusters(n, dims, clusters, seed, spread).data;
}

/** Clustered unit vectors and the cluster each one was drawn from. */
export function labelledClusters(n: number, dims: number, clusters: number, seed: number, spread = 0.9): { data: Float32Array; labels: Int32Array } {
  const r = rng(seed);
  const g = gaussian(r);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, g));
  const data = new Float32Array(n * dims);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * clusters);
    labels[i] = c;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const v = centres[c]![d]! + g() * spread;
      data[i * dims + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dims; d++) data[i * dims + d]! /= norm;
  }
  return { data, labels };
}

/** Queries near stored points (a stored vector plus noise), like a paraphrase of a memory. */
export function queriesNear(data: Float32Array, dims: number, count: number, seed: number, noise = 0.05): number[][] {
  const r = rng(seed);
  const g = gaussian(r);
  const n = data.length / dims;
  return Array.from({ length: count }, () => {
    const j = Math.floor(r() * n);
    const q = Array.from({ length: dims }, (_, d) => data[j * dims + d]! + g() * noise);
    const norm = Math.hypot(...q);
    return q.map((x) => x / norm);
  });
}

/** Runs `fn` from `concurrency` loops until `total` calls are done; returns wall ms. */
export async function runConcurrent(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return performance.now() - t0;
}

/**
 * `concurrency` callers, each calling `fn` (with a running request number and its own index)
 * back to back until `seconds` have passed: the latency of each call that succeeded, and how
 * many failed.
 */
export async function callersFor(seconds: number, concurrency: number, fn: (n: number, caller: number) => Promise<unknown>): Promise<{ latency: Latency; errors: number }> {
  const latency = new Latency();
  let n = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await fn(n++, caller);
          latency.record(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latency, errors };
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A before/after in one run: `measure` for every cell, on this checkout and on `against` (another
 * built checkout, when given), the two alternating within each cell and the whole `rounds` times,
 * so that the machine's drift falls on both. Runs by key `this.<cell>` / `against.<cell>`.
 */
export async function interleaved<T>(o: { rounds: number; cells: readonly string[]; against: string; measure: (cell: string, checkout: string) => Promise<T> }): Promise<Map<string, T[]>> {
  const checkouts = o.against ? [root, o.against] : [root];
  const runs = new Map<string, T[]>();
  for (let round = 0; round < o.rounds; round++)
    for (const cell of o.cells)
      for (const checkout of checkouts) {
        const key = `${checkout === root ? 'this' : 'against'}.${cell}`;
        const r = await o.measure(cell, checkout);
        runs.set(key, [...(runs.get(key) ?? []), r]);
        console.error(`round ${round + 1}/${o.rounds} ${key}: ${JSON.stringify(r)}`);
      }
  return runs;
}

export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

export type Client = MemoryServiceClient;

/** RememberBatch of `batch` client vectors from `data` (n × dims), 4 in flight; resolves with the ids in order. */
export async function ingestClientVectors(client: MemoryServiceClient, userId: string, data: Float32Array, dims: number, n: number, batch = 1000): Promise<string[]> {
  const ids: string[] = new Array(n);
  await runConcurrent(Math.ceil(n / batch), 4, async (b) => {
    const items = [];
    for (let i = b * batch; i < Math.min(n, (b + 1) * batch); i++) items.push({ content: `memory ${i}`, embedding: Array.from(data.subarray(i * dims, (i + 1) * dims)) });
    const res = await call<{ results: { id: string }[] }>(client, 'RememberBatch', { userId, items });
    res.results.forEach((r, j) => (ids[b * batch + j] = r.id));
  });
  return ids;
}

/** Triggers a precompute job for `userId` and polls GetJob until it ends; resolves with its wall time (ms), rejects unless it SUCCEEDED. */
export async function runPrecomputeJob(client: Client, userId: string, job: string): Promise<number> {
  const t0 = performance.now();
  const queued = await call<{ id: string }>(client, 'TriggerPrecompute', { userId, job });
  for (;;) {
    const j = await call<{ status: string; error: string }>(client, 'GetJob', { userId, jobId: queued.id });
    if (!['QUEUED', 'RUNNING'].includes(j.status)) {
      if (j.status !== 'SUCCEEDED') throw new Error(`${job}: ${j.status} ${j.error}`);
      return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
