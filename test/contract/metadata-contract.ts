/**
 * The MetadataStore contract, run against embedded PGlite and a real Postgres alike.
 * The executor is wrapped to count queries, so list endpoints are shown to make one query each.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryError } from '../../src/errors.js';
import { SqlMetadataStore, type SqlExecutor } from '../../src/metadata/sql-metadata-store.js';
import type { AuditCursor } from '../../src/metadata/metadata-store.js';

export interface MetadataHarness {
  /** A fresh executor on an empty database, or undefined to skip (loudly) on this machine. */
  open(): Promise<SqlExecutor | undefined>;
  /** A second executor on the same database (concurrent starts), when the backend allows it. */
  openAnother?(): Promise<SqlExecutor>;
  cleanup(): Promise<void>;
  /** A directory for the audit journal, when the backend runs with one (embedded PGlite). */
  auditJournalDir?(): string;
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
      store = new SqlMetadataStore({ kind: name, db, auditJournalDir: harness.auditJournalDir?.() });
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
        const a = new SqlMetadataStore({ kind: name, db: await harness.openAnother() });
        const b = new SqlMetadataStore({ kind: name, db: await harness.openAnother() });
        await Promise.all([a.open(), b.open()]);
        await a.close();
        await b.close();
      }
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
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
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.appendAudit({ userId: u, actor: 'a', operation: i % 5 === 0 ? 'Forget' : 'Remember', memoryIds: [`m${i}`], requestId: `r${i}` })));
      await store.appendAudit({ userId: 'other', actor: 'a', operation: 'Remember', memoryIds: [], requestId: 'x' });
      const seen: string[] = [];
      let cursor: AuditCursor | undefined;
      let pages = 0;
      do {
        const before = db.count;
        const page = await store.listAudit(u, { limit: 10, ...(cursor ? { after: cursor } : {}) });
        // With a journal, the first read also ships the journaled rows: one statement for all 26.
        expect(db.count - before).toBe(pages === 0 && harness.auditJournalDir ? 2 : 1);
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
      const p2 = await store.listTasks(u, { limit: 4, after: p1.next! });
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

    it("erases a user's tasks and archive", async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      await store.createTask({ id: '', userId: u, agentId: '', title: 'x', metadata: {} });
      await db.query("INSERT INTO archive (user_id, memory_id, record) VALUES ($1, 'm1', '{}'::jsonb), ($1, 'm2', '{}'::jsonb)", [u]);
      await store.putPrecomputed(u, [{ kind: 'summary', key: 'day:2026-11-30', body: { segments: [] }, sources: [] }], { readSinceMs: Date.now(), prune: (r) => r });
      expect(await store.deleteUser(u)).toEqual({ tasks: 1, archived: 2, precomputed: 1 });
      expect(await store.deleteUser(u)).toEqual({ tasks: 0, archived: 0, precomputed: 0 });
    });

    it('runs one job of a kind per user at a time across instances, and takes over expired leases', async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      const a = randomUUID();
      await store.createJobRun({ id: a, userId: u, kind: 'clusters', trigger: 'request' });
      expect((await store.getJobRun(u, a))?.status).toBe('QUEUED');
      expect(await store.getJobRun('someone-else', a)).toBeUndefined();
      expect(await store.startJobRun({ id: a, userId: u, kind: 'clusters', trigger: 'request' }, 60_000)).toBe(true);
      // Another run of the same kind for the same user is skipped while the lease lives…
      const b = randomUUID();
      expect(await store.startJobRun({ id: b, userId: u, kind: 'clusters', trigger: 'interval' }, 60_000)).toBe(false);
      expect((await store.getJobRun(u, b))?.status).toBe('SKIPPED');
      // …another kind, or another user, runs.
      expect(await store.startJobRun({ id: randomUUID(), userId: u, kind: 'profile', trigger: 'x' }, 60_000)).toBe(true);
      expect(await store.startJobRun({ id: randomUUID(), userId: `${u}-2`, kind: 'clusters', trigger: 'x' }, 60_000)).toBe(true);
      await store.finishJobRun(a, 'SUCCEEDED', { topics: 3 }, '');
      const done = await store.getJobRun(u, a);
      expect(done).toMatchObject({ status: 'SUCCEEDED', kind: 'clusters', trigger: 'request', counts: { topics: 3 } });
      expect(done!.startedAtMs).toBeGreaterThan(0);
      expect(done!.finishedAtMs).toBeGreaterThanOrEqual(done!.startedAtMs);
      // A run whose instance died: its lease runs out and the next run takes over.
      const c = randomUUID();
      expect(await store.startJobRun({ id: c, userId: u, kind: 'clusters', trigger: 'x' }, 50)).toBe(true);
      await new Promise((r) => setTimeout(r, 120));
      const d = randomUUID();
      expect(await store.startJobRun({ id: d, userId: u, kind: 'clusters', trigger: 'x' }, 60_000)).toBe(true);
      expect(await store.getJobRun(u, c)).toMatchObject({ status: 'FAILED' });
      // A renewed lease keeps it.
      await store.renewJobLease(d, 60_000);
      expect(await store.startJobRun({ id: randomUUID(), userId: u, kind: 'clusters', trigger: 'x' }, 60_000)).toBe(false);
    });

    it('replaces a kind of artifact: stale keys go, new and rewritten ones stay, other kinds untouched', async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      const prune = () => undefined;
      const at = Date.now();
      const many = Array.from({ length: 120 }, (_, i) => ({ kind: 'similar', key: `m${i}`, body: { n: i }, sources: Array.from({ length: 11 }, (_, j) => `m${(i + j) % 120}`) }));
      await store.putPrecomputed(u, [...many, { kind: 'topic', key: 't1', body: { v: 1 }, sources: ['m1'] }], { readSinceMs: at, prune });
      // A rebuild brings back m0..m59 (rewritten) and m200, not m60..m119; the topic stays.
      const again = [...many.slice(0, 60).map((r) => ({ ...r, body: { n: -1 } })), { kind: 'similar', key: 'm200', body: { n: 200 }, sources: ['m200'] }];
      expect(await store.putPrecomputed(u, again, { readSinceMs: at, prune, replaceKinds: ['similar'] })).toMatchObject({ written: 61 });
      const rows = await store.listPrecomputed(u, 'similar', true);
      expect(rows.map((r) => r.key).sort()).toEqual([...again.map((r) => r.key)].sort());
      expect(rows.every((r) => (r.body as { n: number }).n === (r.key === 'm200' ? 200 : -1))).toBe(true);
      expect(await store.getPrecomputed(u, 'topic', 't1')).toMatchObject({ body: { v: 1 } });
      // An empty rebuild clears the kind.
      await store.putPrecomputed(u, [], { readSinceMs: at, prune, replaceKinds: ['similar'] });
      expect(await store.listPrecomputed(u, 'similar', false)).toEqual([]);
    });

    it('stores precomputed artifacts and prunes memories removed since the job read them', async (ctx) => {
      if (!db) return ctx.skip();
      const u = `u-${randomUUID()}`;
      const [m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID()];
      const prune = (r: { kind: string; key: string; body: unknown; sources: string[]; generatedAtMs: number }, removed: ReadonlySet<string>) => {
        const sources = r.sources.filter((id) => !removed.has(id));
        return sources.length === 0 ? undefined : { ...r, sources, body: { ids: sources } };
      };
      const readAt = Date.now();
      await store.putPrecomputed(
        u,
        [
          { kind: 'topic', key: 't1', body: { ids: [m1, m2] }, sources: [m1, m2] },
          { kind: 'topic', key: 't2', body: { ids: [m3] }, sources: [m3] },
        ],
        { readSinceMs: readAt, prune },
      );
      expect((await store.listPrecomputed(u, 'topic', true)).map((r) => [r.key, r.sources])).toEqual([
        ['t1', [m1, m2]],
        ['t2', [m3]],
      ]);
      expect((await store.listPrecomputed(u, 'topic', false, ['t2']))[0]).toMatchObject({ key: 't2', sources: [] });
      // Strong removal edits or drops every artifact that used a memory.
      expect(await store.removeFromPrecomputed(u, [m2, m3], prune)).toBe(2);
      expect(await store.getPrecomputed(u, 'topic', 't1')).toMatchObject({ body: { ids: [m1] }, sources: [m1] });
      expect(await store.getPrecomputed(u, 'topic', 't2')).toBeUndefined();
      // A job that read before a Forget writes an artifact still naming the forgotten memory: pruned on write.
      await store.appendAudit({ userId: u, actor: 't', operation: 'Forget', memoryIds: [m1], requestId: 'r' });
      const w = await store.putPrecomputed(u, [{ kind: 'topic', key: 't1', body: { ids: [m1, m2] }, sources: [m1, m2] }], { readSinceMs: readAt, prune, replaceKinds: ['topic'] });
      expect(w).toMatchObject({ pruned: 1, erased: false });
      expect((await store.getPrecomputed(u, 'topic', 't1'))?.sources).toEqual([m2]);
      // A content update counts as a removal of the old text; an importance-only update does not.
      await store.appendAudit({ userId: u, actor: 't', operation: 'Update', memoryIds: [m2], requestId: 'r', details: { fields: 'importance' } });
      expect((await store.putPrecomputed(u, [{ kind: 'topic', key: 't9', body: {}, sources: [m2] }], { readSinceMs: readAt, prune })).pruned).toBe(0);
      await store.appendAudit({ userId: u, actor: 't', operation: 'Update', memoryIds: [m2], requestId: 'r', details: { fields: 'content' } });
      expect((await store.putPrecomputed(u, [{ kind: 'topic', key: 't9', body: {}, sources: [m2] }], { readSinceMs: readAt, prune })).pruned).toBe(1);
      // After an erasure nothing is written.
      await store.appendAudit({ userId: u, actor: 't', operation: 'ForgetUser', memoryIds: [], requestId: 'r' });
      expect(await store.putPrecomputed(u, [{ kind: 'profile', key: '', body: {}, sources: [] }], { readSinceMs: Date.now(), prune })).toMatchObject({ written: 0, erased: true });
      expect(await store.getPrecomputed(u, 'profile', '')).toBeUndefined();
    });
  });
}
