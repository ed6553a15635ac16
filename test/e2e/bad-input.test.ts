/**
 * Bad input over gRPC gets INVALID_ARGUMENT naming the field, never INTERNAL, never a hang,
 * never a half-written memory: control characters in any text field, crafted or foreign page
 * tokens, unknown enum numbers, NaN, inputs long enough to overflow an echoing error. Also the
 * Update merge rule (tags, entities and metadata alike; merged under the memory's lock) and the
 * drain that health checks can see.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryRecord } from '../../src/engine/types.js';
import type { VectorStore } from '../../src/engine/vector/vector-store.js';
import { service as healthService } from 'grpc-health-check';
import { call, failure, rpc, startApp, status, type TestApp } from '../helpers.js';

const NUL = '\u0000';

/** The status a server stream ends with (-1 when it ends cleanly). */
function streamStatus(stream: grpc.ClientReadableStream<unknown>): Promise<number> {
  return new Promise((resolve) => {
    stream.on('data', () => undefined);
    stream.on('error', (e: grpc.ServiceError) => resolve(e.code));
    stream.on('end', () => resolve(-1));
  });
}
const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');

describe('bad input over gRPC', () => {
  let t: TestApp;
  const u = 'bad-input-user';

  beforeAll(async () => {
    t = await startApp({ precomputeEveryN: 1_000_000 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const invalid = async (method: string, req: object, field: string) => {
    const f = await failure(call(t.client, method, req));
    expect(f.code, `${method}: ${f.details}`).toBe(status.INVALID_ARGUMENT);
    expect(f.details.startsWith(`${field}:`), `${method} names ${field}: ${f.details}`).toBe(true);
    return f.details;
  };

  it('refuses NUL and other control characters in every text field, naming it, and writes nothing', async () => {
    expect(await invalid('Remember', { userId: u, memory: { content: `a${NUL}b` } }, 'memory.content')).toMatch(/U\+0000 at offset 1/);
    await invalid('Remember', { userId: u, memory: { content: 'ok', entities: ['Ann', `B${NUL}`] } }, 'memory.entities[1]');
    await invalid('Remember', { userId: u, memory: { content: 'ok', tags: ['x\u0007'] } }, 'memory.tags[0]');
    await invalid('Remember', { userId: u, memory: { content: 'ok', metadata: { k: `v${NUL}` } } }, 'memory.metadata["k"]');
    await invalid('Remember', { userId: u, memory: { content: 'ok', metadata: { [`k${NUL}`]: 'v' } } }, 'memory.metadata["k\\u0000"]');
    await invalid('RememberBatch', { userId: u, items: [{ content: 'fine' }, { content: 'x', namespace: `n${NUL}` }] }, 'items[1].namespace');
    await invalid('Search', { userId: u, query: `q${NUL}` }, 'query');
    await invalid('CreateTask', { userId: u, title: `t${NUL}` }, 'title');
    await invalid('CreateTask', { userId: u, title: 't', metadata: { a: `b${NUL}` } }, 'metadata["a"]');
    await invalid('ListAuditEvents', { userId: u, operation: `Forget${NUL}` }, 'operation');
    await invalid('GetSummary', { userId: u, kind: 'entity', key: `Ann${NUL}` }, 'key');
    await invalid('GetTopic', { userId: u, topicId: `t${NUL}` }, 'topic_id');
    await invalid('TriggerPrecompute', { userId: u, job: `profile${NUL}` }, 'job');
    await invalid('Get', { userId: `u${NUL}`, id: randomUUID() }, 'user_id');
    // Free text keeps tab, line feed and carriage return.
    await call(t.client, 'Remember', { userId: u, memory: { content: 'line one\nline two\tand\r\n', metadata: { note: 'a\nb' } } });
    await call(t.client, 'CreateTask', { userId: u, title: 'two\nlines' });
    // Nothing of the refused requests was written.
    const listed = await call<{ memories: { content: string }[] }>(t.client, 'List', { userId: u });
    expect(listed.memories.map((m) => m.content)).toEqual(['line one\nline two\tand\r\n']);
  });

  it('keeps precompute working for a user whose stored memories hold NUL (written before the rule)', async () => {
    const user = 'legacy-nul';
    await call(t.client, 'Remember', { userId: user, memory: { content: 'a clean memory about Ann', entities: ['Ann'] } });
    const [clean] = (await call<{ memories: { id: string }[] }>(t.client, 'List', { userId: user })).memories;
    const store = (t.app as unknown as { store: VectorStore }).store;
    const [rec] = await store.get(user, [clean!.id]);
    const legacy: MemoryRecord = { ...rec!, id: randomUUID(), content: `legacy${NUL}text about Ann`, entities: [`Ann${NUL}`, 'Ann'], importance: 0.95 };
    await store.upsert(user, [legacy]);
    for (const job of ['profile', 'summaries']) {
      const queued = await call<{ id: string }>(t.client, 'TriggerPrecompute', { userId: user, job });
      await t.app.precompute!.waitForJob(queued.id);
      const done = await call<{ status: string; error: string }>(t.client, 'GetJob', { userId: user, jobId: queued.id });
      expect(done.status, done.error).toBe('SUCCEEDED');
    }
    const profile = await call<{ topMemories: { content: string }[] }>(t.client, 'GetProfile', { userId: user });
    expect(profile.topMemories.length).toBeGreaterThan(0);
    const summary = await call<{ text: string }>(t.client, 'GetSummary', { userId: user, kind: 'entity', key: 'Ann' });
    expect(summary.text).not.toContain(NUL);
  });

  it('answers every crafted or foreign page token with INVALID_ARGUMENT on page_token', async () => {
    for (let i = 0; i < 3; i++) {
      await call(t.client, 'CreateTask', { userId: u, title: `task ${i}` });
      await call(t.client, 'Remember', { userId: u, memory: { content: `paged memory ${i}` } });
    }
    const crafted = ['WyIxMyJd', b64([-1]), b64([null]), b64([1, 'tasks', 'x', 'y', 'z']), 'x'.repeat(100_000), '!!!', b64({}), b64([1, 'audit', 'zz', '1'])];
    for (const pageToken of crafted) {
      await invalid('ListTasks', { userId: u, pageSize: 1, pageToken }, 'page_token');
      await invalid('ListAuditEvents', { userId: u, pageSize: 1, pageToken }, 'page_token');
      await invalid('List', { userId: u, pageSize: 1, pageToken }, 'page_token');
    }
    const tasks = await call<{ nextPageToken: string }>(t.client, 'ListTasks', { userId: u, pageSize: 1 });
    const audit = await call<{ nextPageToken: string }>(t.client, 'ListAuditEvents', { userId: u, pageSize: 1 });
    const memories = await call<{ nextPageToken: string }>(t.client, 'List', { userId: u, pageSize: 1 });
    expect(await invalid('ListAuditEvents', { userId: u, pageSize: 1, pageToken: tasks.nextPageToken }, 'page_token')).toMatch(/another listing/);
    await invalid('ListTasks', { userId: u, pageSize: 1, pageToken: audit.nextPageToken }, 'page_token');
    await invalid('ListTasks', { userId: u, pageSize: 1, pageToken: memories.nextPageToken }, 'page_token');
    await invalid('List', { userId: u, pageSize: 1, pageToken: tasks.nextPageToken }, 'page_token');
    // Tied to the filter, the order and the user it was issued for.
    expect(await invalid('ListTasks', { userId: u, pageSize: 1, pageToken: tasks.nextPageToken, status: 'TASK_STATUS_PENDING' }, 'page_token')).toMatch(/another user, filter or order/);
    await invalid('ListAuditEvents', { userId: u, pageSize: 1, pageToken: audit.nextPageToken, operation: 'Remember' }, 'page_token');
    await invalid('List', { userId: u, pageSize: 1, pageToken: memories.nextPageToken, oldestFirst: true }, 'page_token');
    await invalid('ListTasks', { userId: 'someone-else', pageSize: 1, pageToken: tasks.nextPageToken }, 'page_token');
    // A crafted position inside a well-formed token is refused too, before any database sees it.
    const scopeOf = (token: string) => (JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown[])[2];
    await invalid('ListTasks', { userId: u, pageSize: 1, pageToken: b64([1, 'tasks', scopeOf(tasks.nextPageToken), '2026-02-31 10:00:00+00', randomUUID()]) }, 'page_token');
    await invalid('ListAuditEvents', { userId: u, pageSize: 1, pageToken: b64([1, 'audit', scopeOf(audit.nextPageToken), '-1']) }, 'page_token');
    await invalid('ListAuditEvents', { userId: u, pageSize: 1, pageToken: b64([1, 'audit', scopeOf(audit.nextPageToken), '99999999999999999999']) }, 'page_token');
    // The real tokens still page.
    expect((await call<{ tasks: object[] }>(t.client, 'ListTasks', { userId: u, pageSize: 1, pageToken: tasks.nextPageToken })).tasks).toHaveLength(1);
    expect((await call<{ events: object[] }>(t.client, 'ListAuditEvents', { userId: u, pageSize: 1, pageToken: audit.nextPageToken })).events).toHaveLength(1);
  });

  it('refuses unknown enum numbers, NaN, and keeps echoed values small', async () => {
    await invalid('ListTasks', { userId: u, status: 42 }, 'status');
    const task = await call<{ id: string }>(t.client, 'CreateTask', { userId: u, title: 'enum' });
    await invalid('UpdateTaskStatus', { userId: u, id: task.id, status: 42 }, 'status');
    await invalid('Remember', { userId: u, memory: { content: 'x', scope: 42 } }, 'memory.scope');
    await invalid('Search', { userId: u, query: 'x', queryClass: 42 }, 'query_class');
    await invalid('Search', { userId: u, query: 'x', minScore: Number.NaN }, 'min_score');
    await invalid('Search', { userId: u, query: 'x', minScore: Number.POSITIVE_INFINITY }, 'min_score');
    await invalid('Search', { userId: u, query: 'x', weights: { recency: Number.NaN } }, 'weights.recency');
    // A 10,000-character value in an echoed error must not overflow the client's metadata limit.
    const huge = 'y'.repeat(10_000);
    expect((await invalid('Get', { userId: u, id: huge }, 'id')).length).toBeLessThan(1100);
    expect((await invalid('Remember', { userId: u, memory: { content: 'x', metadata: { [`${huge}${NUL}`]: 'v' } } }, `memory.metadata["${'y'.repeat(64)}"… (10001 characters)]`)).length).toBeLessThan(
      1100,
    );
    expect((await invalid('Remember', { userId: u, memory: { content: 'x', tags: [huge] } }, 'memory.tags[0]')).length).toBeLessThan(1100);
    await invalid('GetSummary', { userId: u, kind: huge, key: 'k' }, 'kind');
    await invalid('TriggerPrecompute', { userId: u, job: huge }, 'job');
  });

  it('answers a bad StreamContext at once with a status instead of hanging', async () => {
    const stream = (t.client as unknown as { StreamContext: (req: object, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown> }).StreamContext(
      { userId: u, query: '' },
      { deadline: Date.now() + 5000 },
    );
    expect(await streamStatus(stream)).toBe(status.INVALID_ARGUMENT);
  });

  it('answers request bytes that are not a valid message with INVALID_ARGUMENT on request, not INTERNAL', async () => {
    const raw = (method: string, bytes: Buffer) =>
      new Promise<grpc.ServiceError | undefined>((resolve) =>
        t.client.makeUnaryRequest(
          `/memory.v1.MemoryService/${method}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          { deadline: Date.now() + 5000 },
          (err) => resolve(err ?? undefined),
        ),
      );
    const fiveBytes = Buffer.from([0x0a, 0x01, 0x75, 0x12, 0x09, 0x0a, 0x01, 0x61, 0x42, 0x05, 0, 0, 0x80, 0x3f, 1]); // items[0].embedding: 5 bytes
    const cases: [string, Buffer][] = [
      ['Search', Buffer.from([0x0a, 0x05, 0x61, 0x62])], // user_id says 5 bytes, 2 follow
      ['RememberBatch', fiveBytes],
      ['Remember', Buffer.from([0xff, 0xff, 0xff])],
      ['Get', Buffer.from([0x0f])], // wire type 7
    ];
    for (const [method, bytes] of cases) {
      const err = await raw(method, bytes);
      expect(err?.code, `${method}: ${err?.details}`).toBe(status.INVALID_ARGUMENT);
      expect(err!.details).toMatch(new RegExp(`^request: is not a valid ${method} request message`));
    }
    const stream = t.client.makeServerStreamRequest(
      '/memory.v1.MemoryService/StreamContext',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0x42, 0x03, 0, 0, 0]),
      { deadline: Date.now() + 5000 },
    );
    expect(await streamStatus(stream)).toBe(status.INVALID_ARGUMENT);
    // Nothing was written, and the service answers well-formed calls as before.
    expect((await rpc(t.client, 'List', { userId: 'u' })).memories).toEqual([]);
  });

  it('updates tags, entities and metadata by one rule: add without replace_, set with it', async () => {
    const { id } = await rpc(t.client, 'Remember', { userId: u, memory: { content: 'merge rule', tags: ['a'], entities: ['Ann'], metadata: { k1: '1' } } });
    const added = await rpc(t.client, 'Update', { userId: u, id, tags: ['b', 'a'], entities: ['Bob'], metadata: { k2: '2' } });
    expect(added.tags).toEqual(['a', 'b']);
    expect(added.entities).toEqual(['Ann', 'Bob']);
    expect(added.metadata).toEqual({ k1: '1', k2: '2' });
    const unchanged = await rpc(t.client, 'Update', { userId: u, id, importance: 0.4 });
    expect([unchanged.tags, unchanged.entities, unchanged.metadata]).toEqual([added.tags, added.entities, added.metadata]);
    const replaced = await rpc(t.client, 'Update', { userId: u, id, replaceTags: true, tags: ['c'], replaceEntities: true, replaceMetadata: true, metadata: { k3: '3' } });
    expect(replaced.tags).toEqual(['c']);
    expect(replaced.entities).toEqual([]);
    expect(replaced.metadata).toEqual({ k3: '3' });
  });

  it('loses no key when concurrent Updates add different metadata (merged under the lock)', async () => {
    const { id } = await rpc(t.client, 'Remember', { userId: u, memory: { content: 'concurrent merges' } });
    const keys = Array.from({ length: 12 }, (_, i) => `key${i}`);
    await Promise.all(keys.map((k) => rpc(t.client, 'Update', { userId: u, id, metadata: { [k]: k }, tags: [k] })));
    const m = await rpc(t.client, 'Get', { userId: u, id });
    expect(Object.keys(m.metadata).sort()).toEqual([...keys].sort());
    expect([...m.tags].sort()).toEqual([...keys].sort());
    expect(m.version).toBe(1 + keys.length);
  });
});

describe('drain', () => {
  it('answers health checks with NOT_SERVING while in-flight calls finish, and new calls with UNAVAILABLE', async () => {
    const t = await startApp({ shutdownGraceMs: 3000 });
    const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');
    const health = new HealthClient(`127.0.0.1:${t.app.grpcPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      check: (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: { status: string | number }) => void) => void;
    };
    const check = () => new Promise<string>((resolve, reject) => health.check({ service: '' }, { deadline: Date.now() + 2000 }, (err, res) => (err ? reject(err) : resolve(String(res?.status)))));
    expect(await check()).toBe('SERVING');
    // A call held in flight by a slow embedder keeps the drain open.
    const engine = t.app.engine as unknown as { embed: (...a: unknown[]) => Promise<Float32Array[]> };
    const realEmbed = engine.embed.bind(engine);
    let release: () => void = () => undefined;
    engine.embed = async (...a: unknown[]) => {
      await new Promise<void>((r) => (release = r));
      return realEmbed(...a);
    };
    const slow = call(t.client, 'Remember', { userId: 'drain', memory: { content: 'held in flight' } });
    await new Promise((r) => setTimeout(r, 100));
    const closing = t.app.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(await check()).toBe('NOT_SERVING');
    expect((await failure(call(t.client, 'Search', { userId: 'drain', query: 'x' }))).code).toBe(status.UNAVAILABLE);
    release();
    await slow; // the in-flight call finished within the grace
    await closing;
    health.close();
    await t.stop();
  });
});
