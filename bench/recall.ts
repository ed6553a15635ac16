/**
 * Recall@10 of the service's search against exact search on the same data, per query class and
 * per user-size bucket, on a multi-user dataset with a realistic size skew.
 *
 *   npm run build && npx tsx bench/recall.ts [--users 300] [--memories 120000] [--queries 100]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bucketOf, skewedUsers, userVectors } from './datasets.js';
import { arg, call, metric, newClient, queriesNear, root, startServer } from './lib.js';

const DIMS = Number(arg('dims', '384'));
const USERS = Number(arg('users', '300'));
const MEMORIES = Number(arg('memories', '120000'));
const QUERIES = Number(arg('queries', '100'));
const CLASSES = ['QUERY_CLASS_SUGGESTION', 'QUERY_CLASS_PREFETCH', 'QUERY_CLASS_PRIMARY', 'QUERY_CLASS_VERIFICATION'];

export async function runRecall(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'me-recall-'));
  const server = await startServer({ DATA_DIR: dir, EMBEDDER: 'none', EMBEDDING_DIMENSIONS: String(DIMS), RANK_IMPORTANCE_WEIGHT: '0', RANK_RECENCY_WEIGHT: '0', CACHE_SEARCH_TTL_MS: '0' });
  const client = newClient(server.grpcPort);
  const { sizes } = skewedUsers(MEMORIES, USERS);
  const vectors: Float32Array[] = [];
  for (let u = 0; u < USERS; u++) {
    const v = userVectors(sizes[u]!, DIMS, 5000 + u);
    vectors.push(v);
    for (let i = 0; i < sizes[u]!; i += 1000) {
      const items = [];
      for (let j = i; j < Math.min(sizes[u]!, i + 1000); j++) items.push({ content: `m${j}`, embedding: Array.from(v.subarray(j * DIMS, (j + 1) * DIMS)) });
      await call(client, 'RememberBatch', { userId: `recall-${u}`, items });
    }
  }
  while ((await metric(server.httpPort, 'memory_store_unindexed_slots')) > 0) await new Promise((r) => setTimeout(r, 500));
  // Per bucket: the largest users of it, QUERIES queries each spread over up to 5 users.
  const acc: Record<string, Record<string, { hit: number; n: number }>> = {};
  const byBucket = new Map<string, number[]>();
  sizes.forEach((s, u) => byBucket.set(bucketOf(s), [...(byBucket.get(bucketOf(s)) ?? []), u]));
  for (const [bucket, users] of byBucket) {
    const chosen = users.slice(0, 5);
    for (const [k, u] of chosen.entries()) {
      const qs = queriesNear(vectors[u]!, DIMS, Math.ceil(QUERIES / chosen.length), 100 + k);
      for (const q of qs) {
        const exact = await call<{ hits: { memory: { id: string } }[] }>(client, 'Search', { userId: `recall-${u}`, queryVector: q, topK: 10, exact: true });
        const truth = new Set(exact.hits.map((h) => h.memory.id));
        for (const cls of CLASSES) {
          const r = await call<{ hits: { memory: { id: string } }[] }>(client, 'Search', { userId: `recall-${u}`, queryVector: q, topK: 10, queryClass: cls });
          const a = ((acc[bucket] ??= {})[cls] ??= { hit: 0, n: 0 });
          a.hit += r.hits.filter((h) => truth.has(h.memory.id)).length;
          a.n += truth.size;
        }
      }
    }
  }
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  const table = Object.fromEntries(
    Object.entries(acc).map(([b, classes]) => [b, Object.fromEntries(Object.entries(classes).map(([c, a]) => [c.replace('QUERY_CLASS_', ''), Math.round((a.hit / a.n) * 10000) / 10000]))]),
  );
  const buckets = Object.fromEntries([...byBucket].map(([b, us]) => [b, { users: us.length, largest: Math.max(...us.map((u) => sizes[u]!)) }]));
  return { bench: 'recall', at: new Date().toISOString(), users: USERS, memories: MEMORIES, dims: DIMS, buckets, recallAt10: table };
}

if (process.argv[1]?.endsWith('recall.ts')) {
  const r = await runRecall();
  console.log(JSON.stringify(r, null, 2));
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'recall.json'), JSON.stringify(r, null, 2));
}
