/**
 * What the clients cost on top of the wire, in one run against the built service (embedded
 * defaults, lexical embedder, one user with 1,000 memories, 50 queries cycled so the searches are
 * L1 hits and the client's own work shows):
 *   - Search through a raw grpc-js client vs @memory-engine/client (interleaved blocks);
 *   - the same through raw grpcio stubs vs memory_engine_client (when the venv of .ci/run exists);
 *   - the MCP round trip: the search tool of `memory-engine mcp` over stdio, driven by the MCP SDK client;
 *   - start time of `npm start` on an existing data directory (nothing to compile), of the bare
 *     `node dist/src/main.js`, and of the old start (a forced compile first).
 *
 *   npm run build && (cd clients/typescript && npm run build) && npx tsx bench/clients.ts [--calls 2000]
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { arg, call, Latency, median, newClient, root, startServer } from './lib.js';

const CALLS = Number(arg('calls', '2000'));
const BLOCK = 100;
const USER = 'bench-clients';
const QUERIES = Array.from({ length: 50 }, (_, i) => `what does the user think about topic ${i % 10} and item ${i}?`);

type Summary = ReturnType<Latency['summary']>;

function row(name: string, s: Summary, base?: Summary): string {
  const delta = base ? ` | +${(s.p50 - base.p50).toFixed(3)} ms p50, +${(s.p99 - base.p99).toFixed(3)} ms p99` : ' | baseline';
  return `| ${name} | ${s.p50.toFixed(3)} | ${s.p95.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.n}${delta} |`;
}

/** Runs the contenders in alternating blocks of BLOCK calls, so drift hits all of them alike. */
async function interleaved(contenders: Record<string, (i: number) => Promise<unknown>>, calls: number): Promise<Record<string, Summary>> {
  const lat = Object.fromEntries(Object.keys(contenders).map((k) => [k, new Latency()]));
  for (const fn of Object.values(contenders)) for (let i = 0; i < 300; i++) await fn(i); // warm-up
  for (let done = 0; done < calls; done += BLOCK) {
    for (const [name, fn] of Object.entries(contenders)) {
      for (let i = done; i < done + BLOCK; i++) {
        const t = performance.now();
        await fn(i);
        lat[name]!.record(performance.now() - t);
      }
    }
  }
  return Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, v.summary()]));
}

async function timeToServing(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const ms = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"msg":"serving"')) resolve(performance.now() - t0);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  await new Promise((r) => setTimeout(r, 300)); // the data directory's lock is released with the process
  return ms;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'me-bench-clients-'));
  const server = await startServer({ DATA_DIR: dataDir });
  const address = `127.0.0.1:${server.grpcPort}`;
  const raw = newClient(server.grpcPort);
  for (let b = 0; b < 10; b++) {
    const items = Array.from({ length: 100 }, (_, i) => ({ content: `note ${b * 100 + i}: the user thinks topic ${i % 10} matters for item ${b * 100 + i}` }));
    await call(raw, 'RememberBatch', { userId: USER, items });
  }
  // The client as a user gets it: its build (dist/), loaded by path so the service's typecheck does not need it built.
  const { MemoryClient } = (await import(pathToFileURL(join(root, 'clients', 'typescript', 'dist', 'index.js')).href)) as {
    MemoryClient: new (o: { address: string }) => { search(r: object): Promise<unknown>; close(): void };
  };
  const client = new MemoryClient({ address });
  const q = (i: number) => QUERIES[i % QUERIES.length]!;

  console.log(`\n## Search, ${CALLS} sequential calls each, interleaved (ms)\n`);
  console.log('| client | p50 | p95 | p99 | n | overhead |\n| --- | --- | --- | --- | --- | --- |');
  const ts = await interleaved(
    {
      'raw grpc-js': (i) => call(raw, 'Search', { userId: USER, query: q(i), topK: 10 }),
      '@memory-engine/client': (i) => client.search({ userId: USER, query: q(i), topK: 10 }),
    },
    CALLS,
  );
  console.log(row('raw grpc-js', ts['raw grpc-js']!));
  console.log(row('@memory-engine/client', ts['@memory-engine/client']!, ts['raw grpc-js']));

  const venvPython = join(process.env.MEMORY_ENGINE_CACHE ?? join(homedir(), '.cache', 'memory-engine'), 'python-client-venv', 'bin', 'python');
  if (existsSync(venvPython)) {
    const out = execFileSync(venvPython, [join(root, 'bench', 'python-client.py'), address, USER, String(CALLS)], { encoding: 'utf8' });
    const py = JSON.parse(out) as Record<string, Summary>;
    console.log(row('raw grpcio stub', py['raw grpcio']!));
    console.log(row('memory_engine_client', py['memory_engine_client']!, py['raw grpcio']));
  } else console.log(`(Python: no venv at ${venvPython}; .ci/run makes it)`);

  const mcp = new Client({ name: 'bench', version: '1.0.0' });
  await mcp.connect(new StdioClientTransport({ command: process.execPath, args: [join(root, 'dist', 'src', 'main.js'), 'mcp', '--user', USER, '--address', address], stderr: 'ignore' }));
  const mcpCalls = Math.min(CALLS, 1000);
  const viaMcp = await interleaved(
    {
      'raw grpc-js': (i) => call(raw, 'Search', { userId: USER, query: q(i), topK: 10 }),
      'MCP search tool (stdio)': (i) => mcp.callTool({ name: 'search', arguments: { query: q(i), top_k: 10 } }),
    },
    mcpCalls,
  );
  console.log(`\n## MCP round trip, ${mcpCalls} calls each (ms)\n`);
  console.log('| path | p50 | p95 | p99 | n | overhead |\n| --- | --- | --- | --- | --- | --- |');
  console.log(row('raw grpc-js Search', viaMcp['raw grpc-js']!));
  console.log(row('MCP search tool (stdio)', viaMcp['MCP search tool (stdio)']!, viaMcp['raw grpc-js']));
  await mcp.close();
  client.close();
  raw.close();
  await server.stop();

  // Start time on the existing data directory (1,000 memories), 5 runs each, median.
  const env = { DATA_DIR: dataDir, GRPC_ADDRESS: '127.0.0.1:0', HTTP_ADDRESS: '127.0.0.1:0', EMBEDDER: 'lexical', LOG_LEVEL: 'info' };
  const runs = async (command: string, args: string[]) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await timeToServing(command, args, env));
    return times;
  };
  const npmStart = await runs('npm', ['start']);
  const bare = await runs(process.execPath, ['dist/src/main.js']);
  const old = await runs('sh', ['-c', 'npx tsc -p tsconfig.build.json --incremental false --tsBuildInfoFile null && exec node dist/src/main.js']);
  console.log(`\n## Start on an existing data directory, to the "serving" line (ms, median of 5)\n`);
  console.log('| start | median | runs |\n| --- | --- | --- |');
  console.log(`| npm start (build-if-stale, nothing to compile) | ${median(npmStart).toFixed(0)} | ${npmStart.map((x) => x.toFixed(0)).join(', ')} |`);
  console.log(`| node dist/src/main.js | ${median(bare).toFixed(0)} | ${bare.map((x) => x.toFixed(0)).join(', ')} |`);
  console.log(`| before: tsc on every start, then node | ${median(old).toFixed(0)} | ${old.map((x) => x.toFixed(0)).join(', ')} |`);
  await rm(dataDir, { recursive: true, force: true });
}

await main();
