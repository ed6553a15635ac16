/**
 * The MetadataStore contract, run against embedded PGlite and a real Postgres alike.
 * The executor is wrapped to count queries, so list endpoints are shown to make one query each.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryError } from '../../src/errors.js';
import { SqlMetadataStore, type SqlExecutor } from '../../src/metadata/sql-metadata-store.js';

export interface MetadataHarness {
  /** A fresh executor on an empty database, or undefined to skip (loudly) on this machine. */
  open(): Promise<SqlExecutor | undefined>;
  /** A second executor on the same database (concurrent starts), when the backend allows it. */
  openAnother?(): Promise<SqlExecutor>;
  cleanup(): Promise<void>;
}

export function counting(db: SqlExecutor): SqlExecutor & { count: number } {
  const c = {
    count: 0,
    query: <R>(sql: string, params?: unknown[]) => {
      c.count++;
      return db.query<R>(sql, params);
    },
    transaction: db.transaction.bind(db),
    close: db.close.bind(db),
  };
  return c as SqlExecutor & { count: number };
}

export function metadataContract(name: string, harness: MetadataHarness): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let db: (SqlExecutor & { count: number }) | undefined;
    let store: SqlMetadataStore;

    beforeAll(async () => {
      const raw = await harness.open();
      if (!raw) return;
      db = counting(raw);
      store = new SqlMetadataStore(name, db);
      await store.open();
    });
    afterAll(async () => {
      await store?.close();
      await harness.cleanup();
    });

    it('migrates idempotently, also when instances start at once', async (ctx) => {
      if (!db) return ctx.skip();
      await store.open();
      if (harness.openAnother) {
        const a = new SqlMetadataStore(name, await harness.openAnother());
        const b = new SqlMetadataStore(name, await harness.openAnother());
        await Promise.all([a.open(), b.open()]);
        await a.close();
        await b.close();
      }
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
    });

    it('refuses a database newer than the code', async (ctx) => {
      if (!db) return ctx.skip();
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
      try {
        const err = await store.open().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MemoryError);
        expect((err as MemoryError).message).toMatch(/newer than this build/);
      } finally {
        await db.query('DELETE FROM schema_migrations WHERE version = 999');
      }
    });

    it('appends audit events and pages through them newest first, one query a page', async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.appendAudit({ userId: u, actor: 'a', operation: i % 5 === 0 ? 'Forget' : 'Remember', memoryIds: [`m${i}`], requestId: `r${i}` })),
      );
      await store.appendAudit({ userId: 'other', actor: 'a', operation: 'Remember', memoryIds: [], requestId: 'x' });
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const before = db.count;
        const page = await store.listAudit(u, { limit: 10, ...(cursor ? { cursor } : {}) });
        expect(db.count - before).toBe(1);
        seen.push(...page.items.map((e) => e.id));
        for (const e of page.items) expect(e.userId).toBe(u);
        cursor = page.next;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(25);
      expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
      const forgets = await store.listAudit(u, { limit: 50, operation: 'Forget' });
      expect(forgets.items).toHaveLength(5);
      await expect(store.listAudit(u, { limit: 5, cursor: 'bogus' })).rejects.toBeInstanceOf(MemoryError);
    });

    it('runs tasks through their lifecycle and lists them in one query a page', async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      // Created concurrently, so several share a millisecond: pages must still not skip any.
      const ids = (await Promise.all(Array.from({ length: 7 }, (_, i) => store.createTask({ id: '', userId: u, agentId: 'ag', title: `t${i}`, metadata: { i: String(i) } })))).map((t) => t.id);
      const t = await store.updateTaskStatus(u, ids[0]!, 'RUNNING');
      expect(t.status).toBe('RUNNING');
      const done = await store.updateTaskStatus(u, ids[0]!, 'FAILED');
      expect(done.finishedAtMs).toBeGreaterThan(0);
      await expect(store.updateTaskStatus(u, ids[0]!, 'SUCCEEDED')).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
      await expect(store.updateTaskStatus(u, randomUUID(), 'RUNNING')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(store.createTask({ id: ids[1]!, userId: u, agentId: '', title: '', metadata: {} })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      expect(await store.getTask('someone-else', ids[1]!)).toBeUndefined();
      const before = db.count;
      const p1 = await store.listTasks(u, { limit: 4 });
      const p2 = await store.listTasks(u, { limit: 4, cursor: p1.next! });
      expect(db.count - before).toBe(2);
      expect([...p1.items, ...p2.items].map((x) => x.id).sort()).toEqual([...ids].sort());
      expect(p2.next).toBeUndefined();
      expect((await store.listTasks(u, { limit: 10, status: 'FAILED' })).items.map((x) => x.id)).toEqual([ids[0]]);
    });

    it('stores API keys hashed, lists and revokes them', async (ctx) => {
      if (!db) return ctx.skip();
      const id = `k${randomUUID().slice(0, 8)}`;
      const info = await store.createApiKey({ id, name: 'ci', secretSha256: 'ab'.repeat(32), scopes: ['user:alice', 'read'] });
      expect(info).toMatchObject({ id, name: 'ci', scopes: ['user:alice', 'read'], revokedAtMs: 0 });
      expect((await store.findApiKey(id))!.secretSha256).toBe('ab'.repeat(32));
      expect((await store.listApiKeys()).map((k) => k.id)).toContain(id);
      expect(await store.revokeApiKey(id)).toBe(true);
      expect((await store.findApiKey(id))!.revokedAtMs).toBeGreaterThan(0);
      expect(await store.revokeApiKey('nope')).toBe(false);
      expect(await store.findApiKey('nope')).toBeUndefined();
    });

    it('erases a user\'s tasks and archive', async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      await store.createTask({ id: '', userId: u, agentId: '', title: 'x', metadata: {} });
      await db.query("INSERT INTO archive (user_id, memory_id, record) VALUES ($1, 'm1', '{}'::jsonb), ($1, 'm2', '{}'::jsonb)", [u]);
      expect(await store.deleteUser(u)).toEqual({ tasks: 1, archived: 2 });
      expect(await store.deleteUser(u)).toEqual({ tasks: 0, archived: 0 });
    });
  });
}
