/**
 * Context assembly benchmark (issue 15, DESIGN §9: p95 ≤ 25 ms cold and ≤ 5 ms warm, server
 * side; first StreamContext chunk ≤ 2 ms server side). One user per size (default 1k, 10k, 100k
 * memories of 40 topics, with people's names as entities and sessions of 40 memories), on
 * embedded defaults with the lexical embedder, after its precompute runs (topics, profile,
 * summaries, neighbours). Reports, server side (the response's took_ms) and end to end:
 *   - AssembleContext "new turn": distinct queries, each asked once (search and query embedding
 *     miss; precomputed parts and pools may be cached from earlier turns);
 *   - AssembleContext "warm": the same queries again (everything from L1);
 *   - AssembleContext "cold": a restarted server with every L1 TTL at 0 and no Redis, so nothing
 *     is cached at all (every read goes to the stores);
 *   - StreamContext on new turns: time to the first chunk and to the end of each stage.
 *
 *   npm run build && npx tsx bench/context.ts [--sizes 1000,10000,100000] [--queries 200]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { arg, call, Latency, newClient, rng, root, runPrecomputeJob, startServer, type Client } from './lib.js';

const SIZES = arg('sizes', '1000,10000,100000').split(',').map(Number);
const QUERIES = Number(arg('queries', '200'));
const BUDGET = Number(arg('budget', '2000'));
const USER = 'ctx-bench';
const TOPICS = 40;
const NAMES = ['Ana', 'Bruno', 'Chen', 'Dara', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ivo', 'Jun', 'Kemal', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vi', 'zo', 'pe', 'su', 'do', 'fa'];
const wordOf = (c: number, j: number) => `${SYLLABLES[c % 12]}${SYLLABLES[Math.floor(c / 12) % 12]}${SYLLABLES[(c + j * 5) % 12]}${j}`;
const TIMES = ['yesterday', 'last week', 'two days ago', 'this month'];

interface Section {
  name: string;
  tokens: number;
}
interface Ctx {
  sections: Section[];
  tokens: number;
  tookMs: number;
  missing: { name: string; reason: string }[];
}
interface Chunk {
  stage: number;
  tookMs: number;
  done: boolean;
}

function memory(i: number, r: () => number) {
  const c = Math.floor(r() * TOPICS);
  const name = NAMES[c % NAMES.length]!;
  const words = Array.from({ length: 5 }, () => wordOf(c, Math.floor(r() * 8)));
  return {
    content: `${i % 3 === 0 ? `${name} and I ` : ''}talked about ${words.join(' ')} (note ${i})`,
    importance: Math.round((0.3 + r() * 0.6) * 100) / 100,
    kind: i % 11 === 0 ? 'preference' : 'fact',
    entities: i % 3 === 0 ? [name] : [],
    sessionId: `s-${Math.floor(i / 40)}`,
  };
}

function query(q: number, size: number, r: () => number) {
  const c = Math.floor(r() * TOPICS);
  const words = Array.from({ length: 3 }, () => wordOf(c, Math.floor(r() * 8))).join(' ');
  const name = r() < 0.5 ? ` with ${NAMES[c % NAMES.length]}` : '';
  const time = r() < 0.2 ? ` ${TIMES[q % TIMES.length]}` : '';
  return {
    userId: USER,
    query: `what about ${words}${name}${time}? (turn ${q})`,
    tokenBudget: BUDGET,
    sessionId: `s-${Math.floor(r() * (size / 40))}`,
    recentTurns: [
      { role: 'user', content: `I was thinking about ${wordOf(c, 1)} again` },
      { role: 'assistant', content: `You mentioned ${wordOf(c, 2)} before.` },
    ],
  };
}

async function assembleAll(client: Client, queries: object[]): Promise<{ server: Latency; e2e: Latency; tokens: number; missing: Record<string, number> }> {
  const server = new Latency();
  const e2e = new Latency();
  let tokens = 0;
  const missing: Record<string, number> = {};
  for (const q of queries) {
    const t = performance.now();
    const res = await call<Ctx>(client, 'AssembleContext', q);
    e2e.record(performance.now() - t);
    server.record(res.tookMs);
    tokens += res.tokens;
    for (const m of res.missing) missing[`${m.name}:${m.reason}`] = (missing[`${m.name}:${m.reason}`] ?? 0) + 1;
  }
  return { server, e2e, tokens: Math.round(tokens / queries.length), missing };
}

async function streamAll(client: Client, queries: object[]) {
  const firstServer = new Latency();
  const firstE2e = new Latency();
  const stageServer = [1, 2, 3, 4].map(() => new Latency());
  for (const q of queries) {
    const t = performance.now();
    const chunks: Chunk[] = [];
    let firstAt = 0;
    await new Promise<void>((resolve, reject) => {
      const s = (client as unknown as { StreamContext: (r: object) => grpc.ClientReadableStream<Chunk> }).StreamContext(q);
      s.on('data', (c: Chunk) => {
        if (chunks.length === 0) firstAt = performance.now() - t;
        chunks.push(c);
      });
      s.on('error', reject);
      s.on('end', () => resolve());
    });
    firstE2e.record(firstAt);
    firstServer.record(chunks[0]!.tookMs);
    for (let s = 1; s <= 4; s++) {
      const last = chunks.filter((c) => c.stage <= s).at(-1);
      if (last) stageServer[s - 1]!.record(last.tookMs);
    }
  }
  return { firstChunkServerMs: firstServer.summary(), firstChunkE2eMs: firstE2e.summary(), stageEndServerMs: Object.fromEntries(stageServer.map((l, i) => [`stage${i + 1}`, l.summary()])) };
}

const results: Record<string, unknown>[] = [];
for (const size of SIZES) {
  const dir = await mkdtemp(join(tmpdir(), 'me-ctx-bench-'));
  const env = { DATA_DIR: dir, PRECOMPUTE_TICK_MS: '0', PRECOMPUTE_EVERY_N_MEMORIES: '10000000', CONTEXT_PREFETCH: 'false' };
  let server = await startServer(env);
  let client = newClient(server.grpcPort);
  const r = rng(size);
  const t0 = performance.now();
  for (let i = 0; i < size; i += 1000) await call(client, 'RememberBatch', { userId: USER, items: Array.from({ length: Math.min(1000, size - i) }, (_, j) => memory(i + j, r)) });
  const ingestMs = performance.now() - t0;
  const jobs: Record<string, number> = {};
  for (const job of ['clusters', 'profile', 'summaries', 'similarity']) jobs[job] = Math.round(await runPrecomputeJob(client, USER, job));
  const qr = rng(size + 1);
  const turns = Array.from({ length: QUERIES }, (_, q) => query(q, size, qr));
  const streamTurns = Array.from({ length: QUERIES }, (_, q) => query(q + QUERIES, size, qr));
  await assembleAll(
    client,
    turns.slice(0, 5).map((q) => ({ ...q, query: `${q.query} (warm-up)` })),
  );
  const fresh = await assembleAll(client, turns);
  const warm = await assembleAll(client, turns);
  const stream = await streamAll(client, streamTurns);
  client.close();
  await server.stop();

  // Nothing cached: every L1 TTL at 0 and no Redis.
  server = await startServer({ ...env, CACHE_SEARCH_TTL_MS: '0', CACHE_MEMORY_TTL_MS: '0', CACHE_EMBEDDING_TTL_MS: '0', CACHE_PRECOMPUTED_L1_TTL_MS: '0' });
  client = newClient(server.grpcPort);
  const coldTurns = turns.slice(0, Math.min(100, QUERIES)).map((q) => ({ ...q, query: `${q.query} (cold)` }));
  await assembleAll(client, coldTurns.slice(0, 3));
  const cold = await assembleAll(client, coldTurns);
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });

  const row = {
    size,
    ingestMs: Math.round(ingestMs),
    jobsMs: jobs,
    budget: BUDGET,
    meanTokens: { newTurn: fresh.tokens, warm: warm.tokens, cold: cold.tokens },
    assemble: {
      newTurn: { serverMs: fresh.server.summary(), e2eMs: fresh.e2e.summary() },
      warm: { serverMs: warm.server.summary(), e2eMs: warm.e2e.summary() },
      cold: { serverMs: cold.server.summary(), e2eMs: cold.e2e.summary() },
    },
    missingOnNewTurns: fresh.missing,
    stream,
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'context.json'), JSON.stringify({ bench: 'context', at: new Date().toISOString(), results }, null, 2));
