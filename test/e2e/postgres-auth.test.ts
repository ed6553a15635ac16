/**
 * A real Postgres behind the service: API keys made by the `memory-engine keys` CLI, tenant
 * scoping and read-only keys on the gRPC edge, revocation, and a Postgres outage (reads keep
 * working, mutations are refused with nothing written, the pool recovers by itself).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, failure, startApp, status, type TestApp } from '../helpers.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
let pg: TestPostgres | undefined;
let t: TestApp;
const keys: Record<string, { key: string; id: string }> = {};

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'keys', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: pg!.url } });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

async function create(name: string, ...scopes: string[]): Promise<void> {
  const r = await cli('create', '--name', name, ...scopes.flatMap((s) => ['--scope', s]));
  expect(r.code, r.stderr).toBe(0);
  const key = r.stdout.trim();
  expect(key).toMatch(/^mek\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
  keys[name] = { key, id: key.split('.')[1]! };
}

const as = (name: string) => ({ metadata: { authorization: `Bearer ${keys[name]!.key}` } });

beforeAll(async () => {
  pg = await startTestPostgres();
  if (!pg) return;
  await create('admin', 'admin');
  await create('alice', 'user:alice');
  await create('alice-reader', 'user:alice', 'read');
  t = await startApp({ databaseUrl: pg.url, authCacheTtlMs: 300, pgAcquireTimeoutMs: 1500 });
});
afterAll(async () => {
  await t?.stop();
  await pg?.stop();
});

describe('API keys on the gRPC edge (real Postgres)', () => {
  it('refuses calls without a valid key', async (ctx) => {
    if (!pg) return ctx.skip();
    expect((await failure(call(t.client, 'List', { userId: 'alice' }))).code).toBe(status.UNAUTHENTICATED);
    expect((await failure(call(t.client, 'List', { userId: 'alice' }, { metadata: { authorization: 'Bearer nonsense' } }))).code).toBe(status.UNAUTHENTICATED);
    const forged = `mek.${keys.admin!.id}.${'A'.repeat(43)}`;
    expect((await failure(call(t.client, 'List', { userId: 'alice' }, { metadata: { authorization: `Bearer ${forged}` } }))).code).toBe(status.UNAUTHENTICATED);
  });

  it('lets a key act only for its users, and a read key only read', async (ctx) => {
    if (!pg) return ctx.skip();
    await call(t.client, 'Remember', { userId: 'alice', memory: { content: 'alice likes tea' } }, as('alice'));
    await call(t.client, 'Remember', { userId: 'bob', memory: { content: 'bob likes coffee' } }, as('admin'));
    expect((await failure(call(t.client, 'Remember', { userId: 'bob', memory: { content: 'x' } }, as('alice')))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(call(t.client, 'Search', { userId: 'bob', query: 'coffee' }, as('alice')))).code).toBe(status.PERMISSION_DENIED);
    const mixed = call(
      t.client,
      'SearchBatch',
      {
        searches: [
          { userId: 'alice', query: 'tea' },
          { userId: 'bob', query: 'coffee' },
        ],
      },
      as('alice'),
    );
    expect((await failure(mixed)).code).toBe(status.PERMISSION_DENIED);
    const hits = await call<{ hits: { memory: { content: string } }[] }>(t.client, 'Search', { userId: 'alice', query: 'tea' }, as('alice-reader'));
    expect(hits.hits[0]!.memory.content).toBe('alice likes tea');
    expect((await failure(call(t.client, 'Remember', { userId: 'alice', memory: { content: 'y' } }, as('alice-reader')))).code).toBe(status.PERMISSION_DENIED);
    // Context assembly is a read, for the key's own users only.
    const ctxOf = (userId: string, who: string) => call<{ text: string }>(t.client, 'AssembleContext', { userId, query: 'what do they drink?' }, as(who));
    expect((await ctxOf('alice', 'alice-reader')).text).toContain('alice likes tea');
    expect((await failure(ctxOf('bob', 'alice'))).code).toBe(status.PERMISSION_DENIED);
    // An empty user_id is still a validation error, not a permission question.
    expect((await failure(call(t.client, 'List', { userId: '' }, as('alice')))).code).toBe(status.INVALID_ARGUMENT);
    // The audit log records which key acted.
    const audit = await call<{ events: { actor: string; operation: string }[] }>(t.client, 'ListAuditEvents', { userId: 'alice' }, as('admin'));
    expect(audit.events.find((e) => e.operation === 'Remember')!.actor).toBe(`key:${keys.alice!.id}`);
  });

  it('lists and revokes keys through the CLI; a revoked key stops working', async (ctx) => {
    if (!pg) return ctx.skip();
    await create('temp', 'user:carol');
    await call(t.client, 'List', { userId: 'carol' }, as('temp'));
    const revoked = await cli('revoke', keys.temp!.id);
    expect(revoked.code, revoked.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 400)); // AUTH_CACHE_TTL_MS is 300 here
    expect((await failure(call(t.client, 'List', { userId: 'carol' }, as('temp')))).code).toBe(status.UNAUTHENTICATED);
    const list = await cli('list');
    expect(list.stdout).toMatch(new RegExp(`${keys.temp!.id}\\ttemp\\tuser:carol\\t\\S+\\t20`));
    expect((await cli('create', '--name', 'bad', '--scope', 'root')).code).toBe(2);
    expect((await cli('revoke', 'nope')).code).toBe(1);
  });
});

describe('Postgres outage', () => {
  it('keeps reads up, refuses writes with nothing written, and recovers by itself', async (ctx) => {
    if (!pg) return ctx.skip();
    await call(t.client, 'Remember', { userId: 'alice', memory: { content: 'before the outage' } }, as('alice'));
    const before = await call<{ memories: unknown[] }>(t.client, 'List', { userId: 'alice', pageSize: 100 }, as('alice'));
    await pg.kill();
    try {
      // Reads do not need Postgres (the key was verified before; it is served from the cache).
      const found = await call<{ hits: unknown[] }>(t.client, 'Search', { userId: 'alice', query: 'before the outage' }, as('alice'));
      expect(found.hits.length).toBeGreaterThan(0);
      const w = await failure(call(t.client, 'Remember', { userId: 'alice', memory: { content: 'during the outage' } }, as('alice')));
      expect(w.code).toBe(status.UNAVAILABLE);
      const f = await failure(call(t.client, 'Forget', { userId: 'alice', filter: { kinds: ['fact'] } }, as('alice')));
      expect(f.code).toBe(status.UNAVAILABLE);
      const during = await call<{ memories: { content: string }[] }>(t.client, 'List', { userId: 'alice', pageSize: 100 }, as('alice'));
      expect(during.memories).toHaveLength(before.memories.length);
      expect(during.memories.some((m) => m.content === 'during the outage')).toBe(false);
    } finally {
      await pg.start();
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await call(t.client, 'Remember', { userId: 'alice', memory: { content: 'after the outage' } }, as('alice'));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const after = await call<{ memories: unknown[] }>(t.client, 'List', { userId: 'alice', pageSize: 100 }, as('alice'));
    expect(after.memories).toHaveLength(before.memories.length + 1);
  });
});
