/**
 * The server's own ceiling, measured by a load generator that is not Node: ghz (Go) pinned to
 * core 0, the service (and its worker threads) pinned to core 1 with taskset, embedded defaults,
 * lexical embedder; ghz reads the API through server reflection (its proto parser predates proto3
 * `optional`). Beside each ghz figure, the same workload from a grpc-js client pinned to
 * core 0 (this process), so the two generators are compared in one run.
 *
 * Workloads (one user per caller for writes, one searched user with --users memories): Search
 * answered from L1 (one repeated query), uncached Search (a new query text per request), Remember
 * (a new memory per request), RememberBatch of 100.
 *
 *   npm run build && bash scripts/ghz.sh && npx tsx bench/ghz.ts [--seconds 10] [--concurrency 16] [--memories 1000]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runGhz } from './ghz-runner.js';
import { arg, call, callersFor, newClient, startServer } from './lib.js';

const run = promisify(execFile);
const SECONDS = Number(arg('seconds', '10'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const USERS = Number(arg('memories', '1000')); // of the searched user, in batches of 100

interface Workload {
  name: string;
  method: string;
  /** ghz's request template (Go text/template: .RequestNumber, .WorkerID). */
  ghzData: string;
  /** The same request for the grpc-js client, for request number n of caller `worker`. */
  nodeRequest: (n: number, worker: number) => object;
}

const batch = (n: number) => Array.from({ length: 100 }, (_, i) => ({ content: `batch ${n} note ${i} about the garden` }));
const WORKLOADS: Workload[] = [
  {
    name: 'Search, L1 hit',
    method: 'Search',
    ghzData: '{"user_id":"u0","query":"what about the garden?","top_k":10}',
    nodeRequest: () => ({ userId: 'u0', query: 'what about the garden?', topK: 10 }),
  },
  {
    name: 'Search, uncached',
    method: 'Search',
    ghzData: '{"user_id":"u0","query":"garden question {{.RequestNumber}} {{.WorkerID}}","top_k":10}',
    nodeRequest: (n) => ({ userId: 'u0', query: `garden question ${n} node`, topK: 10 }),
  },
  {
    name: 'Remember',
    method: 'Remember',
    ghzData: '{"user_id":"w-{{.WorkerID}}","memory":{"content":"note {{.RequestNumber}} {{.WorkerID}} about the garden"}}',
    nodeRequest: (n, worker) => ({ userId: `w-node-${worker}`, memory: { content: `note ${n} node about the garden` } }),
  },
  {
    name: 'RememberBatch (100)',
    method: 'RememberBatch',
    ghzData: `{"user_id":"b-{{.WorkerID}}","items":[${Array.from({ length: 100 }, (_, i) => `{"content":"batch {{.RequestNumber}} {{.WorkerID}} note ${i} about the garden"}`).join(',')}]}`,
    nodeRequest: (n, worker) => ({ userId: `b-node-${worker}`, items: batch(n) }),
  },
];

const withGhz = (address: string, w: Workload) => runGhz({ address, method: w.method, data: w.ghzData, concurrency: CONCURRENCY, seconds: SECONDS, cpus: '0' });

/** The same workload from grpc-js in this process (pinned to core 0 by the caller). */
async function withNode(port: number, w: Workload): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const client = newClient(port);
  const { latency, errors } = await callersFor(SECONDS, CONCURRENCY, (n, worker) => call(client, w.method, w.nodeRequest(n, worker)));
  client.close();
  return { rps: latency.count / SECONDS, p50: latency.p(50), p99: latency.p(99), errors };
}

async function main(): Promise<void> {
  // This process (the grpc-js generator and the driver) stays on core 0 with ghz.
  await run('taskset', ['-p', '-c', '0', String(process.pid)]);
  const dataDir = await mkdtemp(join(tmpdir(), 'me-ghz-'));
  const server = await startServer({ DATA_DIR: dataDir }, { cpus: '1' });
  const address = `127.0.0.1:${server.grpcPort}`;
  const seed = newClient(server.grpcPort);
  for (let u = 0; u < USERS; u++)
    await call(seed, 'RememberBatch', { userId: `u${u}`, items: Array.from({ length: 100 }, (_, i) => ({ content: `user ${u} note ${i}: the garden, the harbour and coffee` })) });
  for (let u = 0; u < USERS; u++) await call(seed, 'Search', { userId: `u${u}`, query: 'what about the garden?', topK: 10 }); // fills L1
  seed.close();

  console.log(`\n## The server's ceiling: ${CONCURRENCY} concurrent callers for ${SECONDS} s each; server on core 1, generator on core 0 (req/s, ms)\n`);
  console.log('| workload | ghz req/s | ghz p50 | ghz p99 | grpc-js req/s | grpc-js p50 | grpc-js p99 | errors (ghz / grpc-js) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const w of WORKLOADS) {
    const g = await withGhz(address, w);
    const n = await withNode(server.grpcPort, w);
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
    console.log(`| ${w.name} | ${g.rps.toFixed(0)} | ${f(g.p50)} | ${f(g.p99)} | ${n.rps.toFixed(0)} | ${f(n.p50)} | ${f(n.p99)} | ${g.errors} / ${n.errors} |`);
  }
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

await main();
