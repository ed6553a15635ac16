/** Runs ghz (Go, built by scripts/ghz.sh) against the service, pinned with taskset; used by bench/ghz.ts and bench/single-writes.ts. */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const GHZ = process.env.GHZ_BIN ?? join(process.env.MEMORY_ENGINE_CACHE ?? join(homedir(), '.cache', 'memory-engine'), 'bin', 'ghz');

export interface GhzRun {
  address: string;
  /** memory.v1.MemoryService method, e.g. 'Remember'. */
  method: string;
  /** Request template (Go text/template: .RequestNumber, .WorkerID); ghz reads the types through reflection. */
  data: string;
  concurrency: number;
  seconds: number;
  /** taskset core list for ghz, e.g. '0'. */
  cpus: string;
}

export interface GhzResult {
  rps: number;
  /** ms, as ghz measured them (client side). */
  p50: number;
  p99: number;
  errors: number;
}

interface GhzReport {
  count: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution: Record<string, number>;
}

export async function runGhz(r: GhzRun): Promise<GhzResult> {
  const args = ['-c', r.cpus, GHZ, '--insecure', '--call', `memory.v1.MemoryService.${r.method}`, '-d', r.data, '-c', String(r.concurrency), '-z', `${r.seconds}s`];
  args.push('--connections', String(Math.min(2, r.concurrency)), '-O', 'json', r.address);
  const { stdout } = await run('taskset', args, { maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(stdout) as GhzReport;
  const at = (p: number) => (report.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? NaN) / 1e6; // ns → ms
  // When its duration ends ghz closes its connections under the calls in flight, one per caller,
  // which it reports as Unavailable: those are not the server's errors.
  const ok = report.statusCodeDistribution.OK ?? 0;
  const cut = Math.min(report.statusCodeDistribution.Unavailable ?? 0, r.concurrency) + (report.statusCodeDistribution.Canceled ?? 0);
  if (process.env.GHZ_DEBUG) console.error(r.method, JSON.stringify(report.statusCodeDistribution));
  return { rps: report.rps * (ok / Math.max(1, report.count)), p50: at(50), p99: at(99), errors: Math.max(0, report.count - ok - cut) };
}
