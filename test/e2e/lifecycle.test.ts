/**
 * Memory lifecycle end to end over gRPC: supersession, and the maintenance jobs (TTL, decay,
 * compression, archival, GC) driven by a ManualClock, each with a dry run that changes nothing;
 * archive reads (Get restores, include_archive, Restore) and ForgetUser. On embedded defaults,
 * on Postgres with Redis, and on Qdrant when one is configured.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/precompute/clock.js';
import type { Config } from '../../src/config.js';
import { call, failure, randomUnitVector, rng, startApp, status, type TestApp } from '../helpers.js';
import { startTestPostgres } from '../support/postgres.js';
import { qdrantMissing, startTestQdrant } from '../support/qdrant.js';
import { startTestRedis } from '../support/redis.js';
import { startTestS3 } from '../support/s3.js';

const DIMS = 16;
const DAY = 86_400_000;

interface Job {
  id: string;
  status: string;
  kind: string;
  counts: Record<string, number>;
  error: string;
}

interface Memory {
  id: string;
  content: string;
  importance: number;
  tags: string[];
  entities: string[];
  supersededBy: string;
  validUntilMs: string | number;
  pinned: boolean;
  version: number;
  accessedAtMs: string | number;
}

interface Hit {
  memory: Memory;
  archived: boolean;
}

/** A backend: the config overrides that select it, and how to stop its servers; undefined when it cannot run here. */
type Backend = () => Promise<{ overrides: Partial<Config>; stop: () => Promise<void> } | undefined>;

const BACKENDS: [string, Backend][] = [
  ['embedded', async () => ({ overrides: {}, stop: async () => undefined })],
  [
    'postgres and redis',
    async () => {
      const pg = await startTestPostgres();
      const redis = await startTestRedis();
      if (!pg || !redis) {
        await pg?.stop();
        await redis?.stop();
        return undefined;
      }
      return { overrides: { databaseUrl: pg.url, redisUrl: redis.url, auth: 'off' }, stop: async () => (await Promise.all([pg.stop(), redis.stop()]), undefined) };
    },
  ],
  [
    'embedded, archive in S3',
    async () => {
      const s3 = await startTestS3();
      return (
        s3 && {
          overrides: { archiveS3Bucket: s3.bucket, archiveS3Endpoint: s3.endpoint, archiveS3AccessKeyId: 'test', archiveS3SecretAccessKey: 'test' },
          stop: () => s3.stop(),
        }
      );
    },
  ],
  [
    'qdrant',
    async () => {
      if (!process.env.QDRANT_BIN && !process.env.QDRANT_URL) return qdrantMissing();
      const q = await startTestQdrant();
      return q && { overrides: { qdrantUrl: q.url, qdrantCollectionPrefix: q.prefix, qdrantAccessStatsFlushMs: 100 }, stop: () => q.stop() };
    },
  ],
];

for (const [name, backend] of BACKENDS) lifecycleSuite(name, backend);

function lifecycleSuite(name: string, backend: Backend): void {
  describe(`memory lifecycle over gRPC (${name})`, () => {
    let t: TestApp;
    let servers: Awaited<ReturnType<Backend>>;
    let config: Partial<Config>;
    let clock: ManualClock;
    const r = rng(17);
    const vec = () => randomUnitVector(DIMS, r);

    const remember = async (userId: string, memory: Record<string, unknown>) => (await call<{ id: string }>(t.client, 'Remember', { userId, memory: { embedding: vec(), ...memory } })).id;
    const get = (userId: string, id: string) => call<Memory>(t.client, 'Get', { userId, id });
    const search = async (userId: string, query: string, extra: Record<string, unknown> = {}) => (await call<{ hits: Hit[] }>(t.client, 'Search', { userId, query, topK: 50, ...extra })).hits;
    const list = async (userId: string, filter: Record<string, unknown> = {}) => (await call<{ memories: Memory[] }>(t.client, 'List', { userId, pageSize: 500, filter })).memories;
    const run = async (userId: string, job: string, dryRun = false): Promise<Job> => {
      const queued = await call<Job>(t.client, 'TriggerPrecompute', { userId, job, dryRun });
      if (dryRun) return queued;
      await t.app.precompute!.waitForJob(queued.id);
      return call<Job>(t.client, 'GetJob', { userId, jobId: queued.id });
    };

    beforeAll(async () => {
      // The clock starts 60 days back, so a memory written now can be read "after" a run (decay's reinforcement).
      clock = new ManualClock(Date.now() - 60 * DAY);
      servers = await backend();
      config = { ...servers?.overrides, embeddingDimensions: DIMS, embedder: 'lexical', maintenanceIntervalMs: 0, precomputeMinGapMs: 0 };
      if (servers) t = await startApp(config, undefined, { clock });
    });
    let firstDir = '';
    afterAll(async () => {
      await t?.stop();
      if (firstDir) await rm(firstDir, { recursive: true, force: true });
      await servers?.stop();
    });
    // Each test needs the backend; without it (a server missing here, loudly reported) they skip.
    const it = (title: string, fn: () => Promise<void>) => test(title, async (c) => (servers ? fn() : c.skip()));

    describe('supersession', () => {
      it('hides the old memory from searches and lists at once, keeps it for Get and history, and never resurrects it', async () => {
        const u = 'sup-user';
        const old = await remember(u, { content: 'Alice lives in Berlin' });
        expect((await search(u, 'where does Alice live')).map((h) => h.memory.id)).toContain(old); // cached now
        const newer = await remember(u, { content: 'Alice lives in Lisbon', supersedes: [old] });
        const hits = await search(u, 'where does Alice live');
        expect(hits.map((h) => h.memory.id)).toContain(newer);
        expect(hits.map((h) => h.memory.id)).not.toContain(old);
        expect((await list(u)).map((m) => m.id)).toEqual([newer]);
        const got = await get(u, old);
        expect(got.supersededBy).toBe(newer);
        expect(Number(got.validUntilMs)).toBeGreaterThan(0);
        expect(got.version).toBe(2);
        const history = await search(u, 'where does Alice live', { filter: { includeSuperseded: true } });
        expect(history.map((h) => h.memory.id).sort()).toEqual([old, newer].sort());
        expect((await list(u, { includeSuperseded: true })).length).toBe(2);
        // Forgetting the newer one leaves the old one superseded.
        await call(t.client, 'Forget', { userId: u, ids: [newer] });
        expect(await search(u, 'where does Alice live')).toEqual([]);
        expect((await get(u, old)).supersededBy).toBe(newer);
        const audit = await call<{ events: { operation: string; memoryIds: string[] }[] }>(t.client, 'ListAuditEvents', { userId: u, operation: 'Supersede' });
        expect(audit.events.map((e) => e.memoryIds)).toEqual([[old]]);
      });

      it('supersedes through Update, and refuses unknown, repeated or own ids naming the field', async () => {
        const u = 'sup-update';
        const a = await remember(u, { content: 'The meeting is on Monday' });
        const b = await remember(u, { content: 'The meeting moved to Tuesday' });
        await call(t.client, 'Update', { userId: u, id: b, supersedes: [a] });
        expect((await list(u)).map((m) => m.id)).toEqual([b]);
        expect((await get(u, a)).supersededBy).toBe(b);

        const missing = '00000000-0000-4000-8000-000000000000';
        const e1 = await failure(call(t.client, 'Remember', { userId: u, memory: { content: 'x', embedding: vec(), supersedes: [missing] } }));
        expect(e1.code).toBe(status.INVALID_ARGUMENT);
        expect(e1.details).toContain('memory.supersedes[0]');
        const e2 = await failure(call(t.client, 'Update', { userId: u, id: b, supersedes: [b] }));
        expect(e2.details).toContain('supersedes[0]');
        const e3 = await failure(call(t.client, 'Remember', { userId: u, memory: { content: 'x', embedding: vec(), supersedes: [b, b] } }));
        expect(e3.details).toContain('memory.supersedes[1]');
        const e4 = await failure(call(t.client, 'Remember', { userId: u, memory: { content: 'x', embedding: vec(), supersedes: ['nope'] } }));
        expect(e4.details).toContain('memory.supersedes[0]');
        // Nothing half-written: the refused memories do not exist.
        expect((await list(u)).map((m) => m.id)).toEqual([b]);
        // Another user's memory cannot be superseded: it is not found for this user.
        const other = await remember('sup-other', { content: 'not yours' });
        expect((await failure(call(t.client, 'Remember', { userId: u, memory: { content: 'x', embedding: vec(), supersedes: [other] } }))).code).toBe(status.INVALID_ARGUMENT);
        expect((await get('sup-other', other)).supersededBy).toBe('');
      });
    });

    describe('maintenance', () => {
      it('refuses an unknown job and a dry run of a precompute job', async () => {
        expect((await failure(call(t.client, 'TriggerPrecompute', { userId: 'x', job: 'vacuum' }))).details).toContain('job');
        expect((await failure(call(t.client, 'TriggerPrecompute', { userId: 'x', job: 'profile', dryRun: true }))).details).toContain('dry_run');
      });

      it('decays unread memories by half a half-life, reinforces read ones, never touches pinned ones', async () => {
        const u = 'decay-user';
        const quiet = await remember(u, { content: 'quiet memory', importance: 0.8 });
        const read = await remember(u, { content: 'read memory', importance: 0.8 });
        const pinned = await remember(u, { content: 'pinned memory', importance: 0.8, pinned: true });
        const first = await run(u, 'decay'); // the clock is behind the memories: nothing is idle yet
        expect(first.status).toBe('SUCCEEDED');
        expect(first.counts.decayed).toBe(0);
        await get(u, read);
        // Access statistics reach a remote store in the background (Qdrant flushes them every few seconds).
        const until = Date.now() + 20_000;
        while (Number((await list(u)).find((m) => m.id === read)!.accessedAtMs) === 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
        clock.advance(90 * DAY); // 30 days after the memories were written (the default half-life)
        const dry = await run(u, 'decay', true);
        expect(dry.status).toBe('SUCCEEDED');
        expect(dry.counts).toMatchObject({ decayed: 1, reinforced: 1, written: 0 });
        // (List reads without counting as a read; Get would reinforce.)
        expect((await list(u)).find((m) => m.id === quiet)!.importance).toBeCloseTo(0.8, 5);
        const job = await run(u, 'decay');
        expect(job.counts).toMatchObject({ decayed: 1, reinforced: 1, written: 2 });
        expect((await get(u, quiet)).importance).toBeCloseTo(0.4, 2);
        expect((await get(u, read)).importance).toBeCloseTo(0.82, 2);
        expect((await get(u, pinned)).importance).toBeCloseTo(0.8, 5);
        expect((await get(u, quiet)).version).toBe(1); // decay is not an edit
      });

      it('compresses old long content in place and reads it back unchanged, through a restart', async () => {
        const u = 'compress-user';
        const long = Array.from({ length: 40 }, (_, i) => `Line ${i}: the user described their garden, the tomatoes, the compost heap and the shed.`).join('\n');
        const big = await remember(u, { content: long });
        const small = await remember(u, { content: 'short note' });
        clock.advance(31 * DAY);
        const dry = await run(u, 'compress', true);
        expect(dry.counts.candidates).toBe(1);
        const job = await run(u, 'compress');
        expect(job.counts.compressed).toBe(1);
        expect(job.counts.bytesAfter).toBeLessThan(job.counts.bytesBefore! / 2);
        expect((await get(u, big)).content).toBe(long);
        expect((await get(u, small)).content).toBe('short note');
        expect((await search(u, 'tomatoes compost garden')).map((h) => h.memory.content)).toContain(long);
        // A second run finds nothing new to compress.
        expect((await run(u, 'compress')).counts.candidates).toBe(0);
        // Packed content survives the WAL and the snapshot.
        const dir = t.dir;
        firstDir = dir;
        await t.app.close();
        t.client.close();
        const again = await startApp(config, dir, { clock });
        t = { ...again, dir, stop: again.stop };
        expect((await get(u, big)).content).toBe(long);
      });

      it('deletes expired memories for good, audited with the rule; pinned ones stay', async () => {
        const u = 'ttl-user';
        const short = await remember(u, { content: 'expires soon', ttlSeconds: 60 });
        const pinned = await remember(u, { content: 'pinned but expiring', ttlSeconds: 60, pinned: true });
        const lasting = await remember(u, { content: 'lasting' });
        // The memories were written at the wall clock; the job's clock must pass their expiry.
        clock.advance(Date.now() + 120_000 - clock.now());
        const dry = await run(u, 'ttl', true);
        expect(dry.counts).toMatchObject({ expired: 1, deleted: 0 });
        expect((await list(u)).length).toBe(3);
        const job = await run(u, 'ttl');
        expect(job.counts).toMatchObject({ expired: 1, deleted: 1 });
        expect((await failure(get(u, short))).code).toBe(status.NOT_FOUND);
        expect((await list(u)).map((m) => m.id).sort()).toEqual([pinned, lasting].sort());
        const audit = await call<{ events: { memoryIds: string[]; details: Record<string, string>; actor: string }[] }>(t.client, 'ListAuditEvents', { userId: u, operation: 'Expire' });
        expect(audit.events).toHaveLength(1);
        expect(audit.events[0]).toMatchObject({ memoryIds: [short], details: { rule: 'ttl' }, actor: 'maintenance:ttl' });
      });

      it('archives idle memories: out of search, back by Get, include_archive and Restore; ForgetUser erases the archive', async () => {
        const u = 'archive-user';
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) ids.push(await remember(u, { content: `archived fact number ${i} about sailing` }));
        const pinned = await remember(u, { content: 'pinned fact about sailing', pinned: true });
        clock.advance(Date.now() + 91 * DAY - clock.now());
        const dry = await run(u, 'archive', true);
        expect(dry.counts).toMatchObject({ idle: 6, archived: 0 });
        expect((await list(u)).length).toBe(7);
        const job = await run(u, 'archive');
        expect(job.counts).toMatchObject({ idle: 6, archived: 6 });
        expect((await list(u)).map((m) => m.id)).toEqual([pinned]);
        expect((await search(u, 'sailing fact')).map((h) => h.memory.id)).toEqual([pinned]);
        const wide = await search(u, 'sailing fact', { includeArchive: true });
        expect(wide).toHaveLength(7);
        expect(
          wide
            .filter((h) => h.archived)
            .map((h) => h.memory.id)
            .sort(),
        ).toEqual([...ids].sort());
        // Get brings one back into the hot store.
        expect((await get(u, ids[0]!)).content).toBe('archived fact number 0 about sailing');
        expect((await list(u)).map((m) => m.id).sort()).toEqual([pinned, ids[0]!].sort());
        // Restore by filter, then the rest.
        const some = await call<{ restoredCount: number; restoredIds: string[] }>(t.client, 'Restore', { userId: u, filter: { ids: [ids[1]!, ids[2]!] } });
        expect(some.restoredIds.sort()).toEqual([ids[1]!, ids[2]!].sort());
        const rest = await call<{ restoredCount: number }>(t.client, 'Restore', { userId: u });
        expect(Number(rest.restoredCount)).toBe(3);
        expect((await list(u)).length).toBe(7);
        // Archive again, then erase everything.
        clock.advance(Date.now() + 182 * DAY - clock.now());
        expect((await run(u, 'archive')).counts.archived).toBe(6);
        const receipt = await call<{ memoriesDeleted: number; archivedDeleted: number; archive: string }>(t.client, 'ForgetUser', { userId: u });
        expect(Number(receipt.memoriesDeleted)).toBe(1);
        expect(Number(receipt.archivedDeleted)).toBe(6);
        expect(receipt.archive).toBe(config.archiveS3Bucket ? 's3' : 'table');
        expect((await failure(get(u, ids[3]!))).code).toBe(status.NOT_FOUND);
        expect(await search(u, 'sailing fact', { includeArchive: true })).toEqual([]);
      });

      it('collects garbage by rule with counts per rule, merges duplicates, and never touches pinned memories', async () => {
        const u = 'gc-user';
        const task = await call<{ id: string }>(t.client, 'CreateTask', { userId: u, title: 'doomed' });
        const ofTask = await remember(u, { content: 'step one of the doomed task', taskId: task.id, scope: 'SCOPE_TASK' });
        await call(t.client, 'UpdateTaskStatus', { userId: u, id: task.id, status: 'TASK_STATUS_FAILED' });
        const session = await remember(u, { content: 'said in a session', sessionId: 's1', scope: 'SCOPE_SESSION' });
        const pinnedSession = await remember(u, { content: 'pinned session note', sessionId: 's1', scope: 'SCOPE_SESSION', pinned: true });
        const unsure = await remember(u, { content: 'maybe likes jazz', confidence: 0.3 });
        const sure = await remember(u, { content: 'Likes green tea', confidence: 0.9, tags: ['drinks'] });
        const dup = await remember(u, { content: '  likes GREEN tea ', confidence: 0.7, tags: ['tea'], entities: ['Sencha'] });
        const keep = await remember(u, { content: 'an ordinary fact' });
        clock.advance(Date.now() + 31 * DAY - clock.now());
        const dry = await run(u, 'gc', true);
        expect(dry.counts).toMatchObject({ failed_task: 1, session: 1, low_confidence: 1, duplicate: 1 });
        expect((await list(u)).length).toBe(7);
        const job = await run(u, 'gc');
        expect(job.counts).toMatchObject({ failed_task: 1, session: 1, low_confidence: 1, duplicate: 1 });
        const left = await list(u);
        expect(left.map((m) => m.id).sort()).toEqual([pinnedSession, sure, keep].sort());
        const merged = left.find((m) => m.id === sure)!;
        expect(merged.tags.sort()).toEqual(['drinks', 'tea']);
        expect(merged.entities).toEqual(['Sencha']);
        const audit = await call<{ events: { memoryIds: string[]; details: Record<string, string> }[] }>(t.client, 'ListAuditEvents', { userId: u, operation: 'GC' });
        const byRule = Object.fromEntries(audit.events.map((e) => [e.details.rule, e.memoryIds]));
        expect(byRule).toEqual({ failed_task: [ofTask], session: [session], low_confidence: [unsure], duplicate: [dup] });
      });

      it('runs all five as one maintenance job with counts by step', async () => {
        const u = 'all-user';
        await remember(u, { content: 'a fact to keep' });
        const job = await run(u, 'maintenance');
        expect(job.status).toBe('SUCCEEDED');
        expect(Object.keys(job.counts)).toEqual(expect.arrayContaining(['ttl.expired', 'decay.decayed', 'compress.candidates', 'archive.idle', 'gc.duplicate']));
      });
    });

    describe('export and import', () => {
      /** Every line of a user's export (server stream). */
      const exportLines = (userId: string, includeEmbeddings: boolean) =>
        new Promise<string[]>((resolve, reject) => {
          const lines: string[] = [];
          const stream = (t.client as unknown as { ExportUser(req: object): NodeJS.EventEmitter }).ExportUser({ userId, includeEmbeddings });
          stream.on('data', (c: { lines: string[] }) => lines.push(...c.lines));
          stream.on('error', reject);
          stream.on('end', () => resolve(lines));
        });

      it('gives back the same memories, links, tasks and audit trail after ForgetUser, and a second import changes nothing', async () => {
        const u = 'export-user';
        const task = await call<{ id: string }>(t.client, 'CreateTask', { userId: u, title: 'plan a trip' });
        const old = await remember(u, { content: 'Flight on Friday', tags: ['travel'], metadata: { gate: 'B12' }, taskId: task.id, scope: 'SCOPE_TASK' });
        const newer = await remember(u, { content: 'Flight moved to Saturday', supersedes: [old], importance: 0.9, entities: ['Lisbon'] });
        const archived = await remember(u, { content: 'an old note about packing' });
        // Archive all three, then bring two back: one memory stays archived.
        clock.advance(Date.now() + 400 * DAY - clock.now());
        expect((await run(u, 'archive')).counts.archived).toBe(3);
        await call(t.client, 'Restore', { userId: u, ids: [old, newer] });
        const before = await list(u, { includeSuperseded: true });
        expect(before).toHaveLength(2);
        const lines = await exportLines(u, true);
        expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', format: 'memory-engine/v1', user_id: u, embeddings: true });
        const types = lines.map((l) => (JSON.parse(l) as { type: string }).type);
        expect(types.filter((x) => x === 'memory')).toHaveLength(3);
        expect(types).toContain('task');
        expect(types).toContain('audit');
        const vectors = await call<{ memories: { id: string; embedding: number[] }[] }>(t.client, 'List', { userId: u, pageSize: 10, includeEmbedding: true, filter: { includeSuperseded: true } });

        await call(t.client, 'ForgetUser', { userId: u });
        expect(await list(u, { includeSuperseded: true })).toEqual([]);

        const res = await call<{ memories: number; unchanged: number; tasks: number; auditEvents: number }>(t.client, 'ImportUser', { userId: u, lines });
        expect(Number(res.memories)).toBe(3);
        expect(Number(res.tasks)).toBe(1);
        expect(Number(res.auditEvents)).toBeGreaterThan(3);
        const after = await list(u, { includeSuperseded: true });
        const byId = (a: Memory, b: Memory) => a.id.localeCompare(b.id);
        expect(after.sort(byId)).toEqual(before.sort(byId));
        const again = await call<{ memories: { id: string; embedding: number[] }[] }>(t.client, 'List', { userId: u, pageSize: 10, includeEmbedding: true, filter: { includeSuperseded: true } });
        for (const m of again.memories) expect(m.embedding).toEqual(vectors.memories.find((x) => x.id === m.id)!.embedding);
        expect((await get(u, old)).supersededBy).toBe(newer);
        expect((await search(u, 'flight')).map((h) => h.memory.id)).not.toContain(old);
        // The archived memory came back archived: found with include_archive.
        expect((await search(u, 'packing note', { includeArchive: true })).find((h) => h.memory.id === archived)?.archived).toBe(true);
        expect((await call<{ title: string }>(t.client, 'GetTask', { userId: u, id: task.id })).title).toBe('plan a trip');

        const second = await call<{ memories: number; unchanged: number; tasks: number; auditEvents: number }>(t.client, 'ImportUser', { userId: u, lines });
        expect({ ...second, memories: Number(second.memories), unchanged: Number(second.unchanged), tasks: Number(second.tasks), auditEvents: Number(second.auditEvents) }).toEqual({
          memories: 0,
          unchanged: 3,
          tasks: 0,
          auditEvents: 0,
        });
      });

      it('refuses a bad line with its line number and writes nothing of the batch', async () => {
        const u = 'import-bad';
        const good = JSON.stringify({ type: 'memory', memory: { id: '11111111-1111-4111-8111-111111111111', content: 'fine', scope: 'USER', version: 1, embedding: vec() } });
        const cases: [string, string][] = [
          ['{not json', 'line 12 is not JSON'],
          [JSON.stringify({ type: 'memory', memory: { id: 'x', content: 'a', scope: 'USER', version: 1 } }), 'lines[12].memory.id'],
          [JSON.stringify({ type: 'memory', memory: { id: '22222222-2222-4222-8222-222222222222', content: 'a', scope: 'USER', version: 1, importance: 7 } }), 'lines[12].memory.importance'],
          [JSON.stringify({ type: 'memory', memory: { id: '22222222-2222-4222-8222-222222222222', content: 'a', scope: 'USER', version: 1, embedding: [1, 2] } }), 'lines[12].memory.embedding'],
          [JSON.stringify({ type: 'memory', memory: { id: '22222222-2222-4222-8222-222222222222', user_id: 'someone-else', content: 'a', scope: 'USER', version: 1 } }), 'lines[12].memory.user_id'],
          [JSON.stringify({ type: 'task', task: { id: '33333333-3333-4333-8333-333333333333', status: 'DONE' } }), 'lines[12].task.status'],
          [JSON.stringify({ type: 'spaceship' }), 'lines[12].type'],
        ];
        for (const [bad, field] of cases) {
          const e = await failure(call(t.client, 'ImportUser', { userId: u, lines: [good, bad], firstLine: 11 }));
          expect(e.code).toBe(status.INVALID_ARGUMENT);
          expect(e.details).toContain(field);
        }
        expect(await list(u, { includeSuperseded: true })).toEqual([]);
        expect((await failure(call(t.client, 'ImportUser', { userId: u, lines: [] }))).details).toContain('lines');
      });
    });
  });
}

describe('maintenance sweeper', () => {
  test('runs maintenance for every user once per MAINTENANCE_INTERVAL_MS, by the clock', async () => {
    const clock = new ManualClock(Date.now());
    const t = await startApp({ embeddingDimensions: DIMS, embedder: 'lexical', maintenanceIntervalMs: DAY }, undefined, { clock });
    try {
      const r = rng(5);
      const ids: Record<string, string> = {};
      for (const u of ['sweep-a', 'sweep-b']) {
        ids[u] = (await call<{ id: string }>(t.client, 'Remember', { userId: u, memory: { content: `expiring note of ${u}`, embedding: randomUnitVector(DIMS, r), ttlSeconds: 60 } })).id;
      }
      // A day later (and past the notes' expiry) the sweep runs for both users.
      clock.advance(Date.now() + DAY + 120_000 - clock.now());
      // The audit row goes first, the delete right after it: wait for both.
      const until = Date.now() + 30_000;
      const expired = async (u: string) => (await call<{ events: unknown[] }>(t.client, 'ListAuditEvents', { userId: u, operation: 'Expire' })).events.length;
      const gone = async (u: string) =>
        (await call(t.client, 'Get', { userId: u, id: ids[u] }).then(
          () => false,
          () => true,
        )) && (await expired(u)) === 1;
      while (!((await gone('sweep-a')) && (await gone('sweep-b'))) && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
      for (const u of ['sweep-a', 'sweep-b']) {
        expect(await expired(u)).toBe(1);
        expect((await failure(call(t.client, 'Get', { userId: u, id: ids[u] }))).code).toBe(status.NOT_FOUND);
      }
    } finally {
      await t.stop();
    }
  });
});
