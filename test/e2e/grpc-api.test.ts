/**
 * End to end over a real gRPC server on 127.0.0.1:0 with a real client, on embedded defaults
 * (embedded vector store, PGlite, lexical embedder). INDEX_MIN_MEMORIES is small here so that
 * users with a few dozen memories go through the HNSW graph as well as the exact path.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, failure, randomUnitVector, rng, startApp, status, type TestApp } from '../helpers.js';

interface Mem {
  id: string;
  userId: string;
  content: string;
  kind: string;
  importance: number;
  confidence: number;
  scope: string;
  version: number;
  tags: string[];
  namespace: string;
  embedding: number[];
  metadata: Record<string, string>;
  accessCount: number;
}
interface Hit {
  memory: Mem;
  score: number;
  similarity: number;
}
interface SearchRes {
  hits: Hit[];
  tier: string;
}

let t: TestApp;
const user = () => `user-${randomUUID()}`;

beforeAll(async () => {
  t = await startApp({ indexMinMemories: 20 });
});
afterAll(async () => {
  await t?.stop();
});

const remember = (userId: string, memory: object, metadata?: Record<string, string>) =>
  call<{ id: string; version: number; created: boolean }>(t.client, 'Remember', { userId, memory }, metadata ? { metadata } : {});
const search = (userId: string, req: object) => call<SearchRes>(t.client, 'Search', { userId, ...req });

describe('health, reflection, probes', () => {
  it('reports SERVING on grpc.health.v1', async () => {
    const require = createRequire(import.meta.url);
    const { protoPath } = require('grpc-health-check') as { protoPath: string };
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { Check: (req: object, cb: (err: Error | null, r: { status: string }) => void) => void } } } };
    };
    const client = new def.grpc.health.v1.Health(`127.0.0.1:${t.app.grpcPort}`, grpc.credentials.createInsecure());
    const res = await new Promise<{ status: string }>((resolve, reject) =>
      client.Check({ service: 'memory.v1.MemoryService' }, (err: Error | null, r: { status: string }) => (err ? reject(err) : resolve(r))),
    );
    expect(res.status).toBe('SERVING');
    client.close();
  });

  it('lists memory.v1.MemoryService through server reflection', async () => {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(path)) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { ServerReflectionInfo: () => unknown } } } };
    };
    const client = new def.grpc.reflection.v1.ServerReflection(`127.0.0.1:${t.app.grpcPort}`, grpc.credentials.createInsecure());
    const stream = client.ServerReflectionInfo() as grpc.ClientDuplexStream<object, { listServicesResponse?: { service: { name: string }[] } }>;
    const names = await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (d) => resolve((d.listServicesResponse?.service ?? []).map((s: { name: string }) => s.name)));
      stream.on('error', reject);
      stream.write({ listServices: '*' });
    });
    stream.end();
    expect(names).toContain('memory.v1.MemoryService');
    client.close();
  });

  it('serves /healthz, /readyz and /metrics over HTTP', async () => {
    const base = `http://127.0.0.1:${t.app.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('memory_grpc_requests_total');
    expect(metrics).toContain('memory_cache_hits_total');
  });
});

describe('write and read paths', () => {
  it('stores a memory and reads it back with defaults filled in', async () => {
    const u = user();
    const r = await remember(u, { content: 'Alice is allergic to peanuts', tags: ['health', 'food'], metadata: { source: 'chat' } });
    expect(r.created).toBe(true);
    expect(r.version).toBe(1);
    const m = await call<Mem>(t.client, 'Get', { userId: u, id: r.id });
    expect(m).toMatchObject({ id: r.id, userId: u, content: 'Alice is allergic to peanuts', kind: 'fact', importance: 0.5, confidence: 1, scope: 'SCOPE_USER', version: 1 });
    expect(m.tags).toEqual(['health', 'food']);
    expect(m.metadata).toEqual({ source: 'chat' });
    expect(m.embedding).toEqual([]);
    const withVec = await call<Mem>(t.client, 'Get', { userId: u, id: r.id, includeEmbedding: true });
    expect(withVec.embedding).toHaveLength(384);
  });

  it('treats a retry with the same id and content as a no-op, and refuses the id for other content', async () => {
    const u = user();
    const id = randomUUID();
    const a = await remember(u, { id, content: 'likes green tea' });
    const b = await remember(u, { id, content: 'likes green tea' });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id, version: 1, created: false });
    const e = await failure(remember(u, { id, content: 'likes black coffee' }));
    expect(e.code).toBe(status.ALREADY_EXISTS);
  });

  it('finds memories by meaning of the words and reports the serving tier', async () => {
    const u = user();
    const texts = [
      'The user lives in Lisbon, Portugal',
      'Favourite food is sushi with salmon',
      'Works as a software engineer at a bank',
      'Has a dog named Biscuit',
      'Plays tennis every Saturday morning',
    ];
    for (const content of texts) await remember(u, { content });
    const first = await search(u, { query: 'what is the name of the dog?', topK: 3 });
    expect(first.hits[0]!.memory.content).toBe('Has a dog named Biscuit');
    expect(first.tier).toBe('TIER_L3');
    const again = await search(u, { query: 'what is the name of the dog?', topK: 3 });
    expect(again.tier).toBe('TIER_L1');
    expect(again.hits.map((h) => h.memory.id)).toEqual(first.hits.map((h) => h.memory.id));
    const tennis = await search(u, { query: 'tennis on saturday', topK: 1 });
    expect(tennis.hits[0]!.memory.content).toContain('tennis');
  });

  it('searches by client vector, with filters, min_score and exact mode', async () => {
    const u = user();
    const r = rng(7);
    const vecs = Array.from({ length: 60 }, () => randomUnitVector(384, r));
    const ids: string[] = [];
    const batch = await call<{ results: { id: string }[] }>(t.client, 'RememberBatch', {
      userId: u,
      items: vecs.map((embedding, i) => ({ content: `memory ${i}`, embedding, namespace: i % 2 === 0 ? 'even' : 'odd', kind: i % 3 === 0 ? 'event' : 'fact' })),
    });
    ids.push(...batch.results.map((x) => x.id));
    // Exact vector match comes first, similarity ≈ 1
    const res = await search(u, { queryVector: vecs[10], topK: 5, weights: { importance: 0, recency: 0 } });
    expect(res.hits[0]!.memory.id).toBe(ids[10]);
    expect(res.hits[0]!.similarity).toBeGreaterThan(0.999);
    // Filters hold for every hit
    const filtered = await search(u, { queryVector: vecs[10], topK: 10, filter: { namespaces: ['odd'], kinds: ['event'] } });
    expect(filtered.hits.length).toBeGreaterThan(0);
    for (const h of filtered.hits) {
      expect(h.memory.namespace).toBe('odd');
      expect(h.memory.kind).toBe('event');
    }
    // min_score drops everything but the near-duplicate
    const strict = await search(u, { queryVector: vecs[3], topK: 10, minScore: 0.9 });
    expect(strict.hits.map((h) => h.memory.id)).toEqual([ids[3]]);
    // exact and graph agree on the top hit
    const exact = await search(u, { queryVector: vecs[42], topK: 5, exact: true });
    expect(exact.hits[0]!.memory.id).toBe(ids[42]);
  });

  it("never shows one user another user's memories", async () => {
    const a = user();
    const b = user();
    const secret = await remember(a, { content: 'my bank PIN hint is the cat name' });
    await remember(b, { content: 'b likes hiking' });
    const res = await search(b, { query: 'bank PIN hint cat name', topK: 10 });
    expect(res.hits.every((h) => h.memory.userId === b)).toBe(true);
    expect((await failure(call(t.client, 'Get', { userId: b, id: secret.id }))).code).toBe(status.NOT_FOUND);
    const f = await call<{ deletedCount: number }>(t.client, 'Forget', { userId: b, ids: [secret.id] });
    expect(f.deletedCount).toBe(0);
    expect((await call<Mem>(t.client, 'Get', { userId: a, id: secret.id })).content).toContain('PIN');
  });

  it('updates with optimistic concurrency and re-embeds changed content', async () => {
    const u = user();
    const { id } = await remember(u, { content: 'prefers window seats on flights', importance: 0.4 });
    const before = await search(u, { query: 'aisle seat', topK: 1 });
    const upd = await call<Mem>(t.client, 'Update', { userId: u, id, expectedVersion: 1, importance: 0.9, content: 'prefers aisle seats on long flights', correction: true });
    expect(upd.version).toBe(2);
    expect(upd.importance).toBeCloseTo(0.9);
    const stale = await failure(call(t.client, 'Update', { userId: u, id, expectedVersion: 1, importance: 0.1 }));
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    const after = await search(u, { query: 'aisle seat', topK: 1 });
    expect(after.hits[0]!.memory.content).toBe('prefers aisle seats on long flights');
    expect(after.hits[0]!.similarity).toBeGreaterThan(before.hits[0]!.similarity);
    const merged = await call<Mem>(t.client, 'Update', { userId: u, id, metadata: { a: '1' } });
    const merged2 = await call<Mem>(t.client, 'Update', { userId: u, id, metadata: { b: '2' } });
    expect(merged.version).toBe(3);
    expect(merged2.metadata).toEqual({ a: '1', b: '2' });
    const replaced = await call<Mem>(t.client, 'Update', { userId: u, id, replaceMetadata: true, metadata: { c: '3' } });
    expect(replaced.metadata).toEqual({ c: '3' });
    expect((await failure(call(t.client, 'Update', { userId: u, id: randomUUID(), importance: 0.2 }))).code).toBe(status.NOT_FOUND);
  });

  it('forgets by ids and by filter, strongly: cached searches never return a deleted memory', async () => {
    const u = user();
    const a = await remember(u, { content: 'car is a red Toyota', namespace: 'garage' });
    const b = await remember(u, { content: 'bike is a blue Trek', namespace: 'garage' });
    await remember(u, { content: 'likes jazz music', namespace: 'music' });
    const cached = await search(u, { query: 'red Toyota car', topK: 3 });
    expect(cached.hits.map((h) => h.memory.id)).toContain(a.id);
    const del = await call<{ deletedCount: number; deletedIds: string[] }>(t.client, 'Forget', { userId: u, ids: [a.id] });
    expect(del.deletedIds).toEqual([a.id]);
    const after = await search(u, { query: 'red Toyota car', topK: 3 });
    expect(after.hits.map((h) => h.memory.id)).not.toContain(a.id);
    expect((await failure(call(t.client, 'Get', { userId: u, id: a.id }))).code).toBe(status.NOT_FOUND);
    const byFilter = await call<{ deletedIds: string[] }>(t.client, 'Forget', { userId: u, filter: { namespaces: ['garage'] } });
    expect(byFilter.deletedIds).toEqual([b.id]);
    expect((await failure(call(t.client, 'Forget', { userId: u }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failure(call(t.client, 'Forget', { userId: u, ids: [b.id], filter: { namespaces: ['x'] } }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('lists with cursor pagination in both orders, without gaps or repeats', async () => {
    const u = user();
    const items = Array.from({ length: 25 }, (_, i) => ({ content: `note number ${i}`, kind: i < 5 ? 'event' : 'fact' }));
    const { results } = await call<{ results: { id: string }[] }>(t.client, 'RememberBatch', { userId: u, items });
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await call<{ memories: Mem[]; nextPageToken: string }>(t.client, 'List', { userId: u, pageSize: 10, pageToken: token, oldestFirst: true });
      seen.push(...page.memories.map((m) => m.id));
      token = page.nextPageToken;
      pages++;
    } while (token !== '');
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    expect(new Set(seen)).toEqual(new Set(results.map((r) => r.id)));
    const newest = await call<{ memories: Mem[]; nextPageToken: string }>(t.client, 'List', { userId: u, pageSize: 30 });
    expect(newest.memories.map((m) => m.id)).toEqual([...seen].reverse());
    const events = await call<{ memories: Mem[] }>(t.client, 'List', { userId: u, filter: { kinds: ['event'] } });
    expect(events.memories).toHaveLength(5);
    expect((await failure(call(t.client, 'List', { userId: u, pageToken: 'garbage' }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('erases a user everywhere and returns a receipt', async () => {
    const u = user();
    await call(t.client, 'RememberBatch', { userId: u, items: [{ content: 'one' }, { content: 'two' }, { content: 'three' }] });
    await call(t.client, 'CreateTask', { userId: u, title: 'plan trip' });
    await search(u, { query: 'one', topK: 3 });
    const receipt = await call<{ memoriesDeleted: number; tasksDeleted: number; cacheEntriesDropped: number }>(t.client, 'ForgetUser', { userId: u });
    expect(receipt.memoriesDeleted).toBe(3);
    expect(receipt.tasksDeleted).toBe(1);
    expect(receipt.cacheEntriesDropped).toBeGreaterThan(0);
    const list = await call<{ memories: Mem[] }>(t.client, 'List', { userId: u });
    expect(list.memories).toHaveLength(0);
    expect((await search(u, { query: 'one', topK: 3 })).hits).toHaveLength(0);
  });
});

describe('bad input is refused whole, naming the field', () => {
  it('names the field of a single memory', async () => {
    const u = user();
    const cases: [object, string][] = [
      [{ userId: '', memory: { content: 'x' } }, 'user_id'],
      [{ userId: u, memory: { content: '' } }, 'memory.content'],
      [{ userId: u, memory: { content: 'x', importance: 1.5 } }, 'memory.importance'],
      [{ userId: u, memory: { content: 'x', embedding: [1, 2, 3] } }, 'memory.embedding'],
      [{ userId: u, memory: { content: 'x', id: 'not-a-uuid' } }, 'memory.id'],
      [{ userId: u, memory: { content: 'x'.repeat(40_000) } }, 'memory.content'],
      [{ userId: u, memory: { content: 'x', scope: 'SCOPE_SESSION' } }, 'memory.session_id'],
      [{ userId: u, memory: { content: 'x', metadata: { k: 'v'.repeat(10_000) } } }, 'memory.metadata'],
    ];
    for (const [req, field] of cases) {
      const e = await failure(call(t.client, 'Remember', req));
      expect(e.code, field).toBe(status.INVALID_ARGUMENT);
      expect(e.details.startsWith(`${field}:`), `${e.details} should name ${field}`).toBe(true);
    }
  });

  it('refuses a whole batch when one item is bad, and writes nothing', async () => {
    const u = user();
    const items = Array.from({ length: 6 }, (_, i) => ({ content: `item ${i}`, importance: i === 3 ? 2 : 0.5 }));
    const e = await failure(call(t.client, 'RememberBatch', { userId: u, items }));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/^items\[3\]\.importance:/);
    const list = await call<{ memories: Mem[] }>(t.client, 'List', { userId: u });
    expect(list.memories).toHaveLength(0);
    const dup = randomUUID();
    const e2 = await failure(
      call(t.client, 'RememberBatch', {
        userId: u,
        items: [
          { id: dup, content: 'a' },
          { id: dup, content: 'b' },
        ],
      }),
    );
    expect(e2.details).toMatch(/^items\[1\]\.id:/);
  });

  it('names search fields, including inside SearchBatch', async () => {
    const u = user();
    expect((await failure(search(u, { query: '' }))).details).toMatch(/^query:/);
    expect((await failure(search(u, { query: 'x', topK: 5000 }))).details).toMatch(/^top_k:/);
    expect((await failure(search(u, { queryVector: [0.1, 0.2] }))).details).toMatch(/^query_vector:/);
    expect((await failure(search(u, { query: 'x', minScore: 3 }))).details).toMatch(/^min_score:/);
    const e = await failure(
      call(t.client, 'SearchBatch', {
        searches: [
          { userId: u, query: 'ok' },
          { userId: u, query: 'x', filter: { ids: ['nope'] } },
        ],
      }),
    );
    expect(e.details).toMatch(/^searches\[1\]\.filter\.ids\[0\]:/);
  });

  it('answers many searches in one round trip, in order', async () => {
    const u = user();
    await remember(u, { content: 'sister is called Maria' });
    await remember(u, { content: 'birthday is on March 3rd' });
    const res = await call<{ results: SearchRes[] }>(t.client, 'SearchBatch', {
      searches: [
        { userId: u, query: 'sister name', topK: 1 },
        { userId: u, query: 'when is the birthday', topK: 1 },
      ],
    });
    expect(res.results.map((r) => r.hits[0]!.memory.content)).toEqual(['sister is called Maria', 'birthday is on March 3rd']);
  });

  it('stops at the deadline without half-writing a batch', async () => {
    const u = user();
    const items = Array.from({ length: 1000 }, (_, i) => ({ content: `deadline item ${i} with some words to embed` }));
    const e = await failure(call(t.client, 'RememberBatch', { userId: u, items }, { deadlineMs: 2 }));
    expect(e.code).toBe(status.DEADLINE_EXCEEDED);
    await new Promise((r) => setTimeout(r, 300));
    const list = await call<{ memories: Mem[] }>(t.client, 'List', { userId: u, pageSize: 1000 });
    expect([0, 1000]).toContain(list.memories.length);
  });
});

describe('tasks and the audit log', () => {
  it('runs a task through its lifecycle', async () => {
    const u = user();
    const task = await call<{ id: string; status: string }>(t.client, 'CreateTask', { userId: u, title: 'book flights', agentId: 'planner' });
    expect(task.status).toBe('TASK_STATUS_PENDING');
    await call(t.client, 'UpdateTaskStatus', { userId: u, id: task.id, status: 'TASK_STATUS_RUNNING' });
    const done = await call<{ status: string; finishedAtMs: number }>(t.client, 'UpdateTaskStatus', { userId: u, id: task.id, status: 'TASK_STATUS_SUCCEEDED' });
    expect(done.status).toBe('TASK_STATUS_SUCCEEDED');
    expect(done.finishedAtMs).toBeGreaterThan(0);
    expect((await failure(call(t.client, 'UpdateTaskStatus', { userId: u, id: task.id, status: 'TASK_STATUS_FAILED' }))).code).toBe(status.FAILED_PRECONDITION);
    expect((await call<{ status: string }>(t.client, 'GetTask', { userId: u, id: task.id })).status).toBe('TASK_STATUS_SUCCEEDED');
    expect((await failure(call(t.client, 'GetTask', { userId: 'someone-else', id: task.id }))).code).toBe(status.NOT_FOUND);
    for (let i = 0; i < 4; i++) await call(t.client, 'CreateTask', { userId: u, title: `t${i}` });
    const p1 = await call<{ tasks: object[]; nextPageToken: string }>(t.client, 'ListTasks', { userId: u, pageSize: 3 });
    const p2 = await call<{ tasks: object[]; nextPageToken: string }>(t.client, 'ListTasks', { userId: u, pageSize: 3, pageToken: p1.nextPageToken });
    expect(p1.tasks.length + p2.tasks.length).toBe(5);
    expect(p2.nextPageToken).toBe('');
    const succeeded = await call<{ tasks: object[] }>(t.client, 'ListTasks', { userId: u, status: 'TASK_STATUS_SUCCEEDED' });
    expect(succeeded.tasks).toHaveLength(1);
  });

  it('records every mutation with actor and request id', async () => {
    const u = user();
    const md = { 'x-request-id': 'req-123', 'x-actor-id': 'agent-7' };
    const { id } = await remember(u, { content: 'audit me' }, md);
    await call(t.client, 'Update', { userId: u, id, importance: 0.7 }, { metadata: md });
    await call(t.client, 'Forget', { userId: u, ids: [id] }, { metadata: md });
    const res = await call<{ events: { operation: string; actor: string; requestId: string; memoryIds: string[] }[] }>(t.client, 'ListAuditEvents', { userId: u });
    expect(res.events.map((e) => e.operation)).toEqual(['Forget', 'Update', 'Remember']);
    for (const e of res.events) {
      expect(e.actor).toBe('agent-7');
      expect(e.requestId).toBe('req-123');
      expect(e.memoryIds).toEqual([id]);
    }
    const onlyForget = await call<{ events: object[] }>(t.client, 'ListAuditEvents', { userId: u, operation: 'Forget' });
    expect(onlyForget.events).toHaveLength(1);
  });
});
