/**
 * Shutdown after a bulk load: the built server ingests N client vectors (RememberBatch of 1,000,
 * 4 in flight), gets SIGTERM right after the last acknowledgement — while its HNSW graph is
 * still catching up — and the bench measures how long it takes to exit, then restarts it and
 * checks that every memory is there and searchable. Before the bounded close, the exit waited
 * for the graph (28–52 s were seen after 100k memories); now it should take about the final
 * checkpoint's disk writes.
 *
 *   npm run build && npx tsx bench/shutdown.ts --memories 50000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, clusteredVectors, ingestClientVectors, metric, newClient, startServer } from './lib.js';

const N = Number(arg('memories', '50000'));
const DIMS = Number(arg('dims', '384'));
const USER = 'shutdown-user';

const dir = await mkdtemp(join(tmpdir(), 'me-shutdown-'));
const env = { DATA_DIR: dir, EMBEDDER: 'none', EMBEDDING_DIMENSIONS: String(DIMS), SHUTDOWN_GRACE_MS: '10000', SHUTDOWN_CHECKPOINT_MS: '10000' };
const data = clusteredVectors(N, DIMS, Math.max(10, Math.round(N / 500)), 42);
let server = await startServer(env);
let client = newClient(server.grpcPort);
const t0 = performance.now();
const ids = await ingestClientVectors(client, USER, data, DIMS, N);
const ingestS = (performance.now() - t0) / 1000;
const unindexed = await metric(server.httpPort, 'memory_store_unindexed_slots');
client.close();
const tStop = performance.now();
await server.stop('SIGTERM');
const stopMs = performance.now() - tStop;
console.log(`ingest: ${N} memories in ${ingestS.toFixed(1)} s; SIGTERM with ${unindexed} memories not yet in the graph`);
console.log(`exit after SIGTERM: ${(stopMs / 1000).toFixed(2)} s`);

server = await startServer(env);
client = newClient(server.grpcPort);
const restartMs = server.startMs;
let count = 0;
let pageToken = '';
do {
  const page = await call<{ memories: unknown[]; nextPageToken: string }>(client, 'List', { userId: USER, pageSize: 1000, pageToken });
  count += page.memories.length;
  pageToken = page.nextPageToken;
} while (pageToken);
const probe = N - 1;
const hit = await call<{ hits: { memory: { id: string } }[] }>(client, 'Search', { userId: USER, queryVector: Array.from(data.subarray(probe * DIMS, (probe + 1) * DIMS)), topK: 1 });
const found = hit.hits[0]?.memory.id === ids[probe];
const unindexedAfter = await metric(server.httpPort, 'memory_store_unindexed_slots');
console.log(`restart to serving: ${(restartMs / 1000).toFixed(2)} s; ${count} of ${N} memories listed; last memory found: ${found}; not yet in the graph after restart: ${unindexedAfter}`);
client.close();
await server.stop('SIGTERM');
await rm(dir, { recursive: true, force: true });
if (!found || count !== N) process.exit(1);
