/**
 * Single-memory writes, as an agent makes them: Remember with text (embedded by the configured
 * embedder), one call per memory, sequential and at 16 concurrent, across 50 users. Each call is
 * acknowledged only after its WAL entry and its audit row are durable.
 *
 *   npm run build && npx tsx bench/single-writes.ts [--calls 2000]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, Latency, newClient, root, runConcurrent, startServer } from './lib.js';

const CALLS = Number(arg('calls', '2000'));
const dir = await mkdtemp(join(tmpdir(), 'me-single-'));
const server = await startServer({ DATA_DIR: dir });
const client = newClient(server.grpcPort);
const result: Record<string, unknown> = { bench: 'single-writes', at: new Date().toISOString(), embedder: process.env.EMBEDDER ?? 'lexical', calls: CALLS };
for (const concurrency of [1, 16]) {
  const l = new Latency();
  const wall = await runConcurrent(CALLS, concurrency, async (i) => {
    const t = performance.now();
    await call(client, 'Remember', { userId: `user-${i % 50}`, memory: { content: `note ${i}: the user mentioned plans for a trip and a favourite dish` } });
    l.record(performance.now() - t);
  });
  const perSecond = Math.round(CALLS / (wall / 1000));
  result[`concurrency${concurrency}`] = { perSecond, ms: l.summary() };
  console.log(`Remember (text) at concurrency ${concurrency}: ${perSecond}/s, ms ${JSON.stringify(l.summary())}`);
}
client.close();
await server.stop();
await rm(dir, { recursive: true, force: true });
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'single-writes.json'), JSON.stringify(result, null, 2));
