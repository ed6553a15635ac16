/**
 * QdrantVectorStore against a real Qdrant (QDRANT_BIN or QDRANT_URL; skipped loudly otherwise):
 * the shared VectorStore contract in both tenancy modes, then collection layout, promotion under
 * concurrent reads and writes, tenant isolation, startup checks and quantization.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HNSW_PROFILES } from '../../src/engine/vector/hnsw-profiles.js';
import { ConfigError } from '../../src/errors.js';
import { QdrantVectorStore, type QdrantStoreOptions } from '../../src/engine/vector/qdrant/index.js';
import { pointId } from '../../src/engine/vector/qdrant/points.js';
import type { MemoryRecord } from '../../src/engine/types.js';
import type { VectorStore } from '../../src/engine/vector/vector-store.js';
import { createLogger } from '../../src/observability/logger.js';
import { randomUnitVector, rng } from '../helpers.js';
import { qdrantMissing, startTestQdrant, type TestQdrant } from '../support/qdrant.js';
import { makeRecord, vectorStoreContract } from './vector-store-contract.js';
import { KeywordAnalyzer } from '../../src/engine/keywords/analyzer.js';
import { KeywordEncoder } from '../../src/engine/keywords/encoder.js';

const configured = Boolean(process.env.QDRANT_BIN || process.env.QDRANT_URL);
if (!configured) qdrantMissing();

let server: TestQdrant | undefined;
const opened: QdrantVectorStore[] = [];

async function qdrant(): Promise<TestQdrant> {
  server ??= await startTestQdrant();
  return server!;
}

function storeOptions(q: TestQdrant, dims: number, over: Partial<QdrantStoreOptions> = {}): QdrantStoreOptions {
  return {
    url: q.url,
    dimensions: dims,
    modelId: `test-${dims}`,
    prefix: q.prefix,
    tenancy: 'tiered',
    promoteAt: 20_000,
    profiles: HNSW_PROFILES,
    defaultProfile: 'production',
    userProfiles: {},
    quantization: 'none',
    oversampling: 2,
    timeoutMs: 5_000,
    retries: 2,
    routingRefreshMs: 100,
    promotionGraceMs: 50,
    promotionBatch: 256,
    accessStatsFlushMs: 200,
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...over,
  };
}

async function openStore(dims: number, over: Partial<QdrantStoreOptions> = {}): Promise<QdrantVectorStore> {
  const s = new QdrantVectorStore(storeOptions(await qdrant(), dims, over));
  await s.open();
  await s.ready();
  opened.push(s);
  return s;
}

afterAll(async () => {
  for (const s of opened) await s.close();
  await server?.stop();
});

const suite = configured ? describe : describe.skip;

suite('qdrant', () => {
  // Tiered with a low promotion threshold: the contract's 3,000-memory user is promoted in the
  // background while the contract keeps reading and writing it.
  vectorStoreContract('qdrant (tiered, promotion at 1,000)', {
    open: (dims) => openStore(dims, { promoteAt: 1000 }),
    async reopen(store: VectorStore) {
      await store.close();
      return openStore(store.dimensions, { promoteAt: 1000 });
    },
    async cleanup() {},
  });

  vectorStoreContract('qdrant (one collection per user)', {
    open: (dims) => openStore(dims, { tenancy: 'per_user', modelId: 'per-user' }),
    async reopen(store: VectorStore) {
      await store.close();
      return openStore(store.dimensions, { tenancy: 'per_user', modelId: 'per-user' });
    },
    async cleanup() {},
  });

  describe('qdrant specifics', () => {
    const DIMS = 16;
    const r = rng(99);
    const vec = () => randomUnitVector(DIMS, r);
    let q: TestQdrant;
    let store: QdrantVectorStore;
    const api = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${q.url}${path}`, init);
      return ((await res.json()) as { result: unknown }).result as Record<string, unknown>;
    };
    const userPointsIn = async (collection: string, userId: string) =>
      (
        (await api(`/collections/${collection}/points/count`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ exact: true, filter: { must: [{ key: 'user_id', match: { value: userId } }] } }),
        })) as { count: number }
      ).count;

    beforeAll(async () => {
      q = await qdrant();
      store = await openStore(DIMS, { modelId: 'specifics', promoteAt: 1_000_000 });
    });

    it('writes access statistics in batches at the flush interval, or never when it is 0', async () => {
      const u = `u-${randomUUID()}`;
      const m = makeRecord(u, vec());
      await store.upsert(u, [m]);
      store.touch(u, [m.id], { accessedAtMs: 1234, accessCount: 1 });
      store.touch(u, [m.id], { accessedAtMs: 5678, accessCount: 2 });
      const end = Date.now() + 5000;
      let got = (await store.get(u, [m.id]))[0]!;
      while (got.accessCount !== 3 && Date.now() < end) {
        await new Promise((res) => setTimeout(res, 50));
        got = (await store.get(u, [m.id]))[0]!;
      }
      expect(got).toMatchObject({ accessCount: 3, accessedAtMs: 5678 });
      const never = await openStore(DIMS, { modelId: 'specifics', promoteAt: 1_000_000, accessStatsFlushMs: 0 });
      never.touch(u, [m.id], { accessedAtMs: 9999, accessCount: 5 });
      await new Promise((res) => setTimeout(res, 400));
      expect((await never.get(u, [m.id]))[0]).toMatchObject({ accessCount: 3, accessedAtMs: 5678 });
    });

    it('lays out the shared collection as a tenant index behind an alias', async () => {
      const aliases = (await api('/aliases')) as { aliases: { alias_name: string; collection_name: string }[] };
      const alias = aliases.aliases.find((a) => a.alias_name === store.sharedAlias);
      expect(alias).toBeDefined();
      const info = (await api(`/collections/${alias!.collection_name}`)) as {
        config: { hnsw_config: { m: number; payload_m: number }; params: { vectors: { size: number; distance: string } } };
        payload_schema: Record<string, { data_type: string; params?: { is_tenant?: boolean } }>;
      };
      expect(info.config.hnsw_config).toMatchObject({ m: 0, payload_m: 16 });
      expect(info.config.params.vectors).toMatchObject({ size: DIMS, distance: 'Cosine' });
      expect(info.payload_schema.user_id).toMatchObject({ data_type: 'keyword', params: { is_tenant: true } });
      expect(Object.keys(info.payload_schema).sort()).toEqual(
        ['agent_id', 'created_at_ms', 'entities', 'exp', 'importance', 'kind', 'namespace', 'pinned', 'scope', 'session_id', 'superseded_by', 'tags', 'task_id', 'user_id'].sort(),
      );
    });

    it('uses deterministic point ids, so a retried upsert does not duplicate', async () => {
      const u = `u-${randomUUID()}`;
      const m = makeRecord(u, vec());
      await store.upsert(u, [m]);
      await store.upsert(u, [m]);
      expect(await store.count(u)).toBe(1);
      const got = (await api(`/collections/${store.sharedAlias}/points/${pointId(u, m.id)}`)) as { payload: { memory_id: string } };
      expect(got.payload.memory_id).toBe(m.id);
    });

    it('never lets one user reach another user, whatever the filter says', async () => {
      const a = `a-${randomUUID()}`;
      const b = `b-${randomUUID()}`;
      const v = vec();
      const ma = makeRecord(a, v, { tags: ['secret'] });
      await store.upsert(a, [ma]);
      await store.upsert(b, [makeRecord(b, vec())]);
      // b asks for a's memory by id, tag and exact vector: nothing.
      expect(await store.search(b, { vector: Float32Array.from(v), k: 10, ef: 64, exact: true, filter: { ids: [ma.id] } })).toEqual([]);
      expect(await store.search(b, { vector: Float32Array.from(v), k: 10, ef: 64, exact: false, filter: { tagsAny: ['secret'] } })).toEqual([]);
      expect(await store.count(b, { ids: [ma.id] })).toBe(0);
      expect(await store.deleteByFilter(b, { tagsAny: ['secret'] })).toEqual([]);
      expect(await store.get(a, [ma.id])).toHaveLength(1);
      // Promote a: b (shared) and a (dedicated) stay apart, both ways.
      await store.promote(a);
      const hits = await store.search(b, { vector: Float32Array.from(v), k: 10, ef: 64, exact: true });
      expect(hits.every((h) => h.record.userId === b)).toBe(true);
      expect((await store.search(a, { vector: Float32Array.from(v), k: 10, ef: 64, exact: true })).map((h) => h.record.id)).toEqual([ma.id]);
      expect(await store.get(b, [ma.id])).toEqual([]);
    });

    it('promotes a user online: concurrent reads never miss or duplicate, concurrent writes all land', async () => {
      const u = `p-${randomUUID()}`;
      const initial: MemoryRecord[] = Array.from({ length: 1500 }, (_, i) => makeRecord(u, vec(), { createdAtMs: 1_000_000 + i }));
      for (let i = 0; i < initial.length; i += 500) await store.upsert(u, initial.slice(i, i + 500));
      const live = new Map(initial.map((m) => [m.id, m]));
      const deleted = new Set<string>();
      const problems: string[] = [];
      let promoting = true;

      let writes = 0;
      let reads = 0;
      const writer = (async () => {
        let i = 0;
        while (promoting && i < 2000) {
          i++;
          writes++;
          if (i % 5 === 0) {
            // update an existing memory (new version, new content)
            const old = initial[(i * 7) % initial.length]!;
            if (deleted.has(old.id)) continue;
            const next = { ...live.get(old.id)!, content: `v${i}`, version: live.get(old.id)!.version + 1 };
            await store.upsert(u, [next]);
            live.set(old.id, next);
          } else if (i % 7 === 0) {
            const victim = initial[(i * 13) % initial.length]!;
            if (deleted.has(victim.id)) continue;
            await store.delete(u, [victim.id]);
            live.delete(victim.id);
            deleted.add(victim.id);
          } else {
            const m = makeRecord(u, vec(), { createdAtMs: 2_000_000 + i });
            await store.upsert(u, [m]);
            live.set(m.id, m);
          }
        }
      })();

      const reader = (async () => {
        let n = 0;
        while (promoting && n < 5000) {
          n++;
          reads++;
          const snapshot = [...live.values()];
          const probe = snapshot[(n * 31) % snapshot.length]!;
          const hits = await store.search(u, { vector: Float32Array.from(probe.embedding), k: 5, ef: 128, exact: false });
          const ids = hits.map((h) => h.record.id);
          if (new Set(ids).size !== ids.length) problems.push(`duplicate hit ids at read ${n}`);
          if (live.has(probe.id) && ids[0] !== probe.id) problems.push(`read ${n} missed ${probe.id}`);
          const got = await store.get(u, [probe.id]);
          if (live.has(probe.id) && got.length !== 1) problems.push(`get ${n} missed ${probe.id}`);
        }
      })();

      await store.promote(u, 'low_latency');
      promoting = false;
      await Promise.all([writer, reader]);
      expect(problems.slice(0, 5)).toEqual([]);
      expect(writes).toBeGreaterThan(20); // the promotion really ran under load
      expect(reads).toBeGreaterThan(20);

      const collection = store.dedicatedCollection(u);
      const info = (await api(`/collections/${collection}`)) as { config: { hnsw_config: { m: number; ef_construct: number } } };
      expect(info.config.hnsw_config).toMatchObject({ m: 16, ef_construct: 100 });
      expect(await userPointsIn(collection, u)).toBe(live.size);
      expect(await userPointsIn(store.sharedAlias, u)).toBe(0); // the shared copies are gone
      expect(await store.count(u)).toBe(live.size);
      expect(await store.get(u, [...deleted])).toEqual([]);
      const check = [...live.values()].slice(0, 300);
      const got = await store.get(
        u,
        check.map((m) => m.id),
      );
      expect(got.map((m) => [m.id, m.version, m.content])).toEqual(check.map((m) => [m.id, m.version, m.content]));
      // Writes after promotion go to the dedicated collection only.
      const after = makeRecord(u, vec());
      await store.upsert(u, [after]);
      expect(await userPointsIn(store.sharedAlias, u)).toBe(0);
      expect((await store.search(u, { vector: Float32Array.from(after.embedding), k: 1, ef: 64, exact: false }))[0]!.record.id).toBe(after.id);
      expect(store.stats().dedicatedUsers).toBeGreaterThanOrEqual(1);
    });

    it('promotes by itself past the threshold, and a second instance follows the route', async () => {
      const s1 = await openStore(DIMS, { modelId: 'auto-promote', promoteAt: 300 });
      const s2 = await openStore(DIMS, { modelId: 'auto-promote', promoteAt: 300 });
      const u = `auto-${randomUUID()}`;
      const recs = Array.from({ length: 400 }, () => makeRecord(u, vec()));
      for (let i = 0; i < recs.length; i += 50) await s1.upsert(u, recs.slice(i, i + 50));
      const until = Date.now() + 30_000;
      while (Date.now() < until && (await userPointsIn(s1.sharedAlias, u)) > 0) await new Promise((res) => setTimeout(res, 100));
      expect(await userPointsIn(s1.sharedAlias, u)).toBe(0);
      expect(await userPointsIn(s1.dedicatedCollection(u), u)).toBe(400);
      await new Promise((res) => setTimeout(res, 300)); // > routing refresh
      // s2 never saw the promotion happen; it reads and writes the dedicated collection now.
      expect(await s2.count(u)).toBe(400);
      const extra = makeRecord(u, vec());
      await s2.upsert(u, [extra]);
      expect(await s1.count(u)).toBe(401);
      expect(await userPointsIn(s1.sharedAlias, u)).toBe(0);
      // Dropping a promoted user removes the collection and the route.
      expect(await s2.dropTenant(u)).toBe(401);
      expect(await s1.count(u)).toBe(0);
    });

    it('keeps keyword vectors through promotion, and adds the keyword vector to a collection made before it', async () => {
      const enc = new KeywordEncoder({ analyzer: new KeywordAnalyzer({ language: 'eng' }), k1: 1.2, b: 0.75, avgTerms: 16 });
      const s1 = await openStore(DIMS, { modelId: 'kw-promote', promoteAt: 120 });
      const u = `kw-${randomUUID()}`;
      const recs = Array.from({ length: 150 }, (_, i) => makeRecord(u, vec(), { content: `note ${i} about harbour${i % 10}`, keywords: enc.document(u, `note ${i} about harbour${i % 10}`) }));
      for (let i = 0; i < recs.length; i += 50) await s1.upsert(u, recs.slice(i, i + 50));
      const until = Date.now() + 30_000;
      while (Date.now() < until && (await userPointsIn(s1.sharedAlias, u)) > 0) await new Promise((res) => setTimeout(res, 100));
      expect(await userPointsIn(s1.dedicatedCollection(u), u)).toBe(150);
      const found = await s1.searchHybrid(u, { keyword: { vector: enc.query(u, 'harbour7'), k: 50 } });
      expect(found.keyword.length).toBe(15);

      // A collection from before the keyword index: its sparse vector removed, as older versions made it.
      const dedicated = s1.dedicatedCollection(u);
      await fetch(`${q.url}/collections/${dedicated}/vectors/kw?wait=true`, { method: 'DELETE' });
      const before = (await api(`/collections/${dedicated}`)) as { config: { params: { sparse_vectors?: Record<string, unknown> } } };
      expect(before.config.params.sparse_vectors?.kw).toBeUndefined();
      const s2 = await openStore(DIMS, { modelId: 'kw-promote', promoteAt: 120 });
      expect(await s2.count(u)).toBe(150); // the first read checks the collection and adds the vector
      const after = (await api(`/collections/${dedicated}`)) as { config: { params: { sparse_vectors?: Record<string, { modifier?: string }> } } };
      expect(after.config.params.sparse_vectors?.kw?.modifier?.toLowerCase()).toBe('idf');
      // Its points have no keyword vectors now: the backfill's page finds them, setting them makes them searchable.
      const missing = (await s2.withoutKeywords(10_000)).find((g) => g.userId === u);
      expect(missing?.memories.length).toBe(150);
      await s2.setFields(
        u,
        missing!.memories.map((m) => ({ id: m.id, version: m.version, keywords: enc.document(u, m.content) })),
      );
      expect((await s2.searchHybrid(u, { keyword: { vector: enc.query(u, 'harbour7'), k: 50 } })).keyword.length).toBe(15);
      expect((await s2.withoutKeywords(10_000)).find((g) => g.userId === u)).toBeUndefined();
    });

    it('refuses collections of another dimension with a clear error', async () => {
      await openStore(8, { modelId: 'dims-check' });
      const other = new QdrantVectorStore(storeOptions(q, 8, { modelId: 'dims-check' }));
      // Same names, other dimension: point the new store at the 8-d collections.
      Object.assign(other, { dimensions: 12 });
      await expect(other.open()).rejects.toThrow(/EMBEDDING_DIMENSIONS: qdrant collection .* holds 8-d Cosine vectors; this deployment is configured for 12-d/);
    });

    it('supports int8 scalar quantization with rescoring as a switch', async () => {
      const s = await openStore(DIMS, { modelId: 'quantized', quantization: 'int8' });
      const u = `q-${randomUUID()}`;
      const recs = Array.from({ length: 300 }, () => makeRecord(u, vec()));
      await s.upsert(u, recs);
      const info = (await api(`/collections/${s.sharedAlias}`)) as { config: { quantization_config: { scalar: { type: string; always_ram: boolean } }; params: { vectors: { on_disk: boolean } } } };
      expect(info.config.quantization_config.scalar).toMatchObject({ type: 'int8', always_ram: true });
      expect(info.config.params.vectors.on_disk).toBe(true);
      const probe = recs[123]!;
      const hits = await s.search(u, { vector: Float32Array.from(probe.embedding), k: 3, ef: 64, exact: false });
      expect(hits[0]!.record.id).toBe(probe.id);
      expect(hits[0]!.similarity).toBeGreaterThan(0.999); // rescored with the original vector
    });
  });
});

describe('qdrant version check (no server needed)', () => {
  it('refuses a server older than the features need, and says which', async () => {
    const fake = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ title: 'qdrant - vector search engine', version: '1.16.3' }));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const port = (fake.address() as { port: number }).port;
    try {
      const s = new QdrantVectorStore(storeOptions({ url: `http://127.0.0.1:${port}`, prefix: 'x_' } as TestQdrant, 8, { retries: 0 }));
      const err = await s.open().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/Qdrant 1\.16\.3 is too old: memory-engine needs ≥ 1\.17\.0/);
    } finally {
      fake.close();
    }
  });
});
