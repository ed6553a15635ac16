/**
 * The VectorStore contract: every implementation (embedded, Qdrant, …) must pass this suite.
 * Call `vectorStoreContract(name, harness)` from a *.test.ts file per backend.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryFilter, MemoryRecord } from '../../src/engine/types.js';
import type { VectorStore } from '../../src/engine/vector/vector-store.js';
import { KeywordAnalyzer } from '../../src/engine/keywords/analyzer.js';
import { KeywordEncoder } from '../../src/engine/keywords/encoder.js';
import { randomUnitVector, rng } from '../helpers.js';
import { pack } from '../../src/engine/packed-text.js';

export interface StoreHarness {
  /** A fresh, opened store of `dims` dimensions. */
  open(dims: number): Promise<VectorStore>;
  /** Closes `store` and opens the same data again (durability), when the backend persists. */
  reopen(store: VectorStore): Promise<VectorStore>;
  cleanup(): Promise<void>;
}

const DIMS = 32;

export function makeRecord(userId: string, vector: number[], over: Partial<MemoryRecord> = {}): MemoryRecord {
  const now = Date.now();
  return {
    id: randomUUID(),
    userId,
    agentId: '',
    sessionId: '',
    taskId: '',
    scope: 'USER',
    namespace: '',
    content: 'c',
    kind: 'fact',
    importance: 0.5,
    confidence: 1,
    tags: [],
    entities: [],
    createdAtMs: now,
    updatedAtMs: now,
    expiresAtMs: 0,
    pinned: false,
    version: 1,
    metadata: {},
    accessedAtMs: 0,
    accessCount: 0,
    embedding: Float32Array.from(vector),
    ...over,
  };
}

function bruteForce(records: MemoryRecord[], q: Float32Array, k: number, pred: (r: MemoryRecord) => boolean = () => true): string[] {
  return records
    .filter(pred)
    .map((r) => ({ id: r.id, s: r.embedding.reduce((acc, x, i) => acc + x * q[i]!, 0) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

export function vectorStoreContract(name: string, harness: StoreHarness): void {
  describe(`VectorStore contract: ${name}`, () => {
    let store: VectorStore;
    const r = rng(1234);
    const vec = () => randomUnitVector(DIMS, r);

    beforeAll(async () => {
      store = await harness.open(DIMS);
    });
    afterAll(async () => {
      await store?.close();
      await harness.cleanup();
    });

    it('upserts, gets in the order asked, and replaces by id', async () => {
      const u = `u-${randomUUID()}`;
      const a = makeRecord(u, vec(), { content: 'a' });
      const b = makeRecord(u, vec(), { content: 'b' });
      await store.upsert(u, [a, b]);
      const got = await store.get(u, [b.id, 'missing', a.id]);
      expect(got.map((x) => x.content)).toEqual(['b', 'a']);
      expect(Array.from(got[1]!.embedding)).toEqual(Array.from(a.embedding));
      await store.upsert(u, [{ ...a, content: 'a2', version: 2 }]);
      const [a2] = await store.get(u, [a.id]);
      expect(a2).toMatchObject({ content: 'a2', version: 2 });
      expect(await store.count(u)).toBe(2);
    });

    it('acknowledges concurrent single upserts from many callers, each durable, visible and its own tenant’s, and a rewrite of one id keeps the last', async () => {
      const users = [`u-${randomUUID()}`, `u-${randomUUID()}`, `u-${randomUUID()}`];
      const recs = Array.from({ length: 90 }, (_, i) => makeRecord(users[i % 3]!, vec(), { content: `single ${i}` }));
      await Promise.all(recs.map((rec) => store.upsert(rec.userId, [rec])));
      // The same id written again by callers at once, in order: the last acknowledged one wins.
      const target = recs[0]!;
      for (let round = 0; round < 3; round++) await Promise.all([2, 3, 4].map((v) => store.upsert(target.userId, [{ ...target, content: `v${round}-${v}`, version: v }])));
      await store.upsert(target.userId, [{ ...target, content: 'last', version: 5 }]);
      for (const u of users) expect(await store.count(u)).toBe(30);
      const got = await store.get(
        users[1]!,
        recs.filter((x) => x.userId === users[1]).map((x) => x.id),
      );
      expect(got.map((x) => x.content).sort()).toEqual(
        recs
          .filter((x) => x.userId === users[1])
          .map((x) => x.content)
          .sort(),
      );
      expect(await store.get(users[2]!, [recs[1]!.id])).toEqual([]);
      expect((await store.get(target.userId, [target.id]))[0]).toMatchObject({ content: 'last', version: 5 });
      const hits = await store.search(users[1]!, { vector: Float32Array.from(recs[4]!.embedding), k: 1, ef: 64, exact: false });
      expect(hits[0]!.record.id).toBe(recs[4]!.id);
    });

    it('keeps tenants apart in every call', async () => {
      const u1 = `u-${randomUUID()}`;
      const u2 = `u-${randomUUID()}`;
      const v = vec();
      const m = makeRecord(u1, v);
      await store.upsert(u1, [m]);
      await store.upsert(u2, [makeRecord(u2, vec())]);
      expect(await store.get(u2, [m.id])).toEqual([]);
      const hits = await store.search(u2, { vector: Float32Array.from(v), k: 10, ef: 64, exact: false });
      expect(hits.every((h) => h.record.userId === u2)).toBe(true);
      expect(await store.delete(u2, [m.id])).toEqual([]);
      expect(await store.count(u1)).toBe(1);
      expect((await store.scroll(u2, { limit: 10, newestFirst: true })).records.every((x) => x.userId === u2)).toBe(true);
    });

    it.each([
      ['small user (exact scan)', 40],
      ['large user (graph + unindexed tail)', 400],
    ])('returns the true nearest neighbours for a %s', async (_label, n) => {
      const u = `u-${randomUUID()}`;
      const recs = Array.from({ length: n }, () => makeRecord(u, vec()));
      for (let i = 0; i < recs.length; i += 100) await store.upsert(u, recs.slice(i, i + 100));
      let agree = 0;
      const queries = 20;
      for (let i = 0; i < queries; i++) {
        const q = Float32Array.from(vec());
        const truth = bruteForce(recs, q, 10);
        const exact = await store.search(u, { vector: q, k: 10, ef: 128, exact: true });
        expect(exact.map((h) => h.record.id)).toEqual(truth);
        const approx = await store.search(u, { vector: q, k: 10, ef: 128, exact: false });
        agree += approx.filter((h) => truth.includes(h.record.id)).length;
        for (let j = 1; j < approx.length; j++) expect(approx[j - 1]!.similarity).toBeGreaterThanOrEqual(approx[j]!.similarity);
      }
      expect(agree / (queries * 10)).toBeGreaterThanOrEqual(0.95);
    });

    it('finds every just-acknowledged memory by its own vector, before any index catches up', async () => {
      const u = `u-${randomUUID()}`;
      const recs = Array.from({ length: 3000 }, () => makeRecord(u, vec()));
      for (let i = 0; i < recs.length; i += 250) await store.upsert(u, recs.slice(i, i + 250));
      const probes = [0, 1, 777, 1499, 2500, 2998, 2999];
      for (const j of probes) {
        const hits = await store.search(u, { vector: Float32Array.from(recs[j]!.embedding), k: 3, ef: 64, exact: false });
        expect(hits[0]!.record.id, `memory ${j}`).toBe(recs[j]!.id);
        expect(hits[0]!.similarity).toBeGreaterThan(0.9999);
        expect(hits[1]!.similarity).toBeLessThan(0.9999);
      }
      // Query vectors that are views into a larger buffer must work too.
      const big = new Float32Array(DIMS * 3);
      big.set(recs[2999]!.embedding, DIMS);
      const viaView = await store.search(u, { vector: big.subarray(DIMS, 2 * DIMS), k: 1, ef: 64, exact: true });
      expect(viaView[0]!.record.id).toBe(recs[2999]!.id);
    });

    it('gives each memory its nearest neighbours among the given ones (the kNN graph), never another user’s', async () => {
      const u = `u-${randomUUID()}`;
      const other = `u-${randomUUID()}`;
      // 600 memories: enough for the embedded store's graph (harness threshold 100) and a tail.
      const recs = Array.from({ length: 600 }, () => makeRecord(u, vec()));
      await store.upsert(u, recs.slice(0, 500));
      await store.upsert(
        other,
        Array.from({ length: 50 }, () => makeRecord(other, vec())),
      );
      await store.upsert(u, recs.slice(500));
      const ids = recs.map((x) => x.id);
      const vectors = new Float32Array(recs.length * DIMS);
      recs.forEach((x, i) => vectors.set(x.embedding, i * DIMS));
      const k = 8;
      const g = await store.neighborGraph(u, ids, vectors, k);
      expect(g.k).toBe(k);
      let agree = 0;
      for (let i = 0; i < recs.length; i++) {
        const row = Array.from(g.neighbors.subarray(i * k, (i + 1) * k));
        expect(row.includes(i), 'a memory is not its own neighbour').toBe(false);
        expect(row.every((t) => t >= 0 && t < recs.length)).toBe(true);
        const sims = Array.from(g.similarities.subarray(i * k, (i + 1) * k));
        for (let j = 1; j < k; j++) expect(sims[j]!).toBeLessThanOrEqual(sims[j - 1]! + 1e-6);
        const truth = new Set(
          bruteForce(
            recs.filter((_, x) => x !== i),
            recs[i]!.embedding,
            k,
          ),
        );
        agree += row.filter((t) => truth.has(ids[t]!)).length;
      }
      expect(agree / (recs.length * k)).toBeGreaterThanOrEqual(0.9);
      // A subset: neighbours come only from the subset.
      const sub = await store.neighborGraph(u, ids.slice(0, 40), vectors.slice(0, 40 * DIMS), 4);
      expect(Array.from(sub.neighbors).every((t) => t >= -1 && t < 40)).toBe(true);
    });

    it('applies filters to search, count, scroll and delete', async () => {
      const u = `u-${randomUUID()}`;
      const recs = Array.from({ length: 120 }, (_, i) =>
        makeRecord(u, vec(), { namespace: i % 2 ? 'odd' : 'even', tags: i % 3 === 0 ? ['three'] : [], importance: (i % 10) / 10, createdAtMs: 1_000 + i }),
      );
      await store.upsert(u, recs);
      const pred = (x: MemoryRecord) => x.namespace === 'odd' && x.tags.includes('three');
      const q = Float32Array.from(vec());
      const hits = await store.search(u, { vector: q, k: 5, ef: 64, exact: false, filter: { namespaces: ['odd'], tagsAny: ['three'] } });
      expect(hits.map((h) => h.record.id)).toEqual(bruteForce(recs, q, 5, pred));
      expect(await store.count(u, { namespaces: ['odd'], tagsAny: ['three'] })).toBe(recs.filter(pred).length);
      expect(await store.count(u, { minImportance: 0.5 })).toBe(recs.filter((x) => x.importance >= 0.5).length);
      expect(await store.count(u, { createdAfterMs: 1_100 })).toBe(20);
      const page = await store.scroll(u, { limit: 500, newestFirst: false, filter: { namespaces: ['even'] } });
      expect(page.records).toHaveLength(60);
      const deleted = await store.deleteByFilter(u, { tagsAny: ['three'] });
      expect(deleted.sort()).toEqual(
        recs
          .filter((x) => x.tags.includes('three'))
          .map((x) => x.id)
          .sort(),
      );
      expect(await store.count(u)).toBe(120 - deleted.length);
      const after = await store.search(u, { vector: q, k: 200, ef: 64, exact: false });
      expect(after.some((h) => h.record.tags.includes('three'))).toBe(false);
    });

    it('hides expired memories and drops hits under min similarity', async () => {
      const u = `u-${randomUUID()}`;
      const v = vec();
      const live = makeRecord(u, v);
      const expired = makeRecord(u, v, { expiresAtMs: Date.now() + 50 });
      await store.upsert(u, [live, expired]);
      await new Promise((res) => setTimeout(res, 80));
      expect((await store.get(u, [expired.id])).length).toBe(0);
      const hits = await store.search(u, { vector: Float32Array.from(v), k: 10, ef: 64, exact: true, minSimilarity: 0.99 });
      expect(hits.map((h) => h.record.id)).toEqual([live.id]);
    });

    it('scrolls in creation order both ways with cursors, no gaps or repeats', async () => {
      const u = `u-${randomUUID()}`;
      const recs = Array.from({ length: 57 }, (_, i) => makeRecord(u, vec(), { createdAtMs: 5_000 + Math.floor(i / 3) }));
      await store.upsert(u, recs);
      for (const newestFirst of [false, true]) {
        const ids: string[] = [];
        let after;
        for (let guard = 0; guard < 20; guard++) {
          const page: Awaited<ReturnType<VectorStore['scroll']>> = await store.scroll(u, { limit: 10, newestFirst, ...(after ? { after } : {}) });
          ids.push(...page.records.map((x) => x.id));
          if (!page.next) break;
          after = page.next;
        }
        expect(new Set(ids).size).toBe(57);
        const expected = [...recs].sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1)).map((x) => x.id);
        expect(ids).toEqual(newestFirst ? expected.reverse() : expected);
      }
    });

    it("scrolls one session's memories, kept right through replacements, deletes and a reopen", async () => {
      const u = `u-${randomUUID()}`;
      const recs = Array.from({ length: 90 }, (_, i) => makeRecord(u, vec(), { sessionId: `s${i % 3}`, createdAtMs: 9_000 + i }));
      await store.upsert(u, recs);
      const session = async (s: VectorStore, sid: string, newestFirst = true) => {
        const ids: string[] = [];
        let after;
        for (let guard = 0; guard < 20; guard++) {
          const page: Awaited<ReturnType<VectorStore['scroll']>> = await s.scroll(u, { filter: { sessionId: sid }, limit: 7, newestFirst, ...(after ? { after } : {}) });
          ids.push(...page.records.map((x) => x.id));
          if (!page.next) break;
          after = page.next;
        }
        return ids;
      };
      const expected = (sid: string, live: MemoryRecord[]) =>
        live
          .filter((r) => r.sessionId === sid)
          .sort((a, b) => b.createdAtMs - a.createdAtMs)
          .map((r) => r.id);
      expect(await session(store, 's1')).toEqual(expected('s1', recs));
      // A new vector for one (a new slot in the embedded store), a deletion, and a new memory.
      const moved = { ...recs[4]!, embedding: Float32Array.from(vec()), version: 2 };
      await store.upsert(u, [moved]);
      await store.delete(u, [recs[7]!.id]);
      const added = makeRecord(u, vec(), { sessionId: 's1', createdAtMs: 20_000 });
      await store.upsert(u, [added]);
      const live = [...recs.filter((r) => r.id !== recs[7]!.id && r.id !== moved.id), moved, added];
      expect(await session(store, 's1')).toEqual(expected('s1', live));
      expect(await session(store, 's1', false)).toEqual(expected('s1', live).reverse());
      store = await harness.reopen(store);
      expect(await session(store, 's1')).toEqual(expected('s1', live));
      expect(await session(store, 'nobody')).toEqual([]);
    });

    it('drops a tenant entirely', async () => {
      const u = `u-${randomUUID()}`;
      await store.upsert(u, [makeRecord(u, vec()), makeRecord(u, vec())]);
      expect(await store.dropTenant(u)).toBe(2);
      expect(await store.count(u)).toBe(0);
      expect(await store.search(u, { vector: Float32Array.from(vec()), k: 5, ef: 64, exact: false })).toEqual([]);
      expect(await store.dropTenant(u)).toBe(0);
    });

    it('keeps every acknowledged write across a close and reopen', async () => {
      const u = `u-${randomUUID()}`;
      const recs = Array.from({ length: 300 }, () => makeRecord(u, vec()));
      await store.upsert(u, recs.slice(0, 150));
      await store.upsert(u, recs.slice(150));
      const gone = recs.slice(0, 10).map((x) => x.id);
      await store.delete(u, gone);
      await store.upsert(u, [{ ...recs[20]!, content: 'changed', version: 2 }]);
      store = await harness.reopen(store);
      expect(await store.count(u)).toBe(290);
      expect(await store.get(u, gone)).toEqual([]);
      expect((await store.get(u, [recs[20]!.id]))[0]!.content).toBe('changed');
      const q = recs[200]!.embedding;
      const hits = await store.search(u, { vector: q, k: 1, ef: 64, exact: false });
      expect(hits[0]!.record.id).toBe(recs[200]!.id);
    });
    describe('lifecycle', () => {
      it('keeps superseded memories out of every default read, and in reads that ask for history', async () => {
        const u = `u-${randomUUID()}`;
        const v = vec();
        const current = makeRecord(u, v, { content: 'current' });
        const old = makeRecord(u, v, { content: 'old', supersededBy: current.id, validUntilMs: Date.now(), version: 2 });
        await store.upsert(u, [current, old]);
        const q = { vector: Float32Array.from(v), k: 10, ef: 64, exact: false };
        expect((await store.search(u, q)).map((h) => h.record.id)).toEqual([current.id]);
        expect((await store.search(u, { ...q, exact: true })).map((h) => h.record.id)).toEqual([current.id]);
        expect(await store.count(u)).toBe(1);
        expect((await store.scroll(u, { limit: 10, newestFirst: false })).records.map((r) => r.id)).toEqual([current.id]);
        const history = { includeSuperseded: true };
        expect((await store.search(u, { ...q, filter: history })).map((h) => h.record.id).sort()).toEqual([current.id, old.id].sort());
        expect(await store.count(u, history)).toBe(2);
        const [got] = await store.get(u, [old.id]);
        expect(got).toMatchObject({ supersededBy: current.id, content: 'old', version: 2 });
        expect(got!.validUntilMs).toBe(old.validUntilMs);
        store = await harness.reopen(store);
        expect((await store.get(u, [old.id]))[0]!.supersededBy).toBe(current.id);
        expect(await store.count(u)).toBe(1);
      });

      it('sets importance and packed content by version without a new one, and reads packed content as text', async () => {
        const u = `u-${randomUUID()}`;
        const text = 'a long text about gardens, '.repeat(40);
        const a = makeRecord(u, vec(), { content: text });
        const b = makeRecord(u, vec(), { content: 'b' });
        await store.upsert(u, [a, b]);
        const set = await store.setFields(u, [
          { id: a.id, version: 1, importance: 0.25, storedContent: pack(text) },
          { id: b.id, version: 7, importance: 0.9 }, // stale version: left alone
        ]);
        expect(set).toBeGreaterThanOrEqual(1);
        const [ga, gb] = await store.get(u, [a.id, b.id]);
        expect(ga).toMatchObject({ content: text, importance: 0.25, version: 1 });
        expect(gb!.importance).toBe(0.5);
        const hits = await store.search(u, { vector: a.embedding, k: 1, ef: 64, exact: true });
        expect(hits[0]!.record.content).toBe(text);
        expect((await store.scroll(u, { limit: 10, newestFirst: false, filter: { ids: [a.id] } })).records[0]!.content).toBe(text);
        // A deleted memory stays deleted.
        await store.delete(u, [b.id]);
        await store.setFields(u, [{ id: b.id, version: 1, importance: 0.1 }]);
        expect(await store.get(u, [b.id])).toEqual([]);
        store = await harness.reopen(store);
        expect((await store.get(u, [a.id]))[0]).toMatchObject({ content: text, importance: 0.25 });
      });

      it('lists its users and scrolls expired memories when asked', async () => {
        const u = `u-${randomUUID()}`;
        const expired = makeRecord(u, vec(), { expiresAtMs: Date.now() + 30 });
        const live = makeRecord(u, vec());
        await store.upsert(u, [expired, live]);
        await new Promise((res) => setTimeout(res, 60));
        expect((await store.scroll(u, { limit: 10, newestFirst: false })).records.map((r) => r.id)).toEqual([live.id]);
        const all = await store.scroll(u, { limit: 10, newestFirst: false, includeExpired: true });
        expect(all.records.map((r) => r.id).sort()).toEqual([expired.id, live.id].sort());
        expect(await store.users()).toContain(u);
        await store.dropTenant(u);
        expect(await store.users()).not.toContain(u);
      });
    });

    describe('keyword index', () => {
      const enc = new KeywordEncoder({ analyzer: new KeywordAnalyzer({ language: 'eng' }), k1: 1.2, b: 0.75, avgTerms: 16 });
      const withKw = (u: string, content: string, over: Partial<MemoryRecord> = {}) => makeRecord(u, vec(), { content, keywords: enc.document(u, content), ...over });
      const kwSearch = async (u: string, text: string, k = 10, filter?: MemoryFilter) =>
        (await store.searchHybrid(u, { keyword: { vector: enc.query(u, text), k, ...(filter ? { filter } : {}), withVectors: false } })).keyword;

      it('ranks by BM25 over the user’s own memories, filters, and keeps tenants apart', async () => {
        const u = `u-${randomUUID()}`;
        const other = `u-${randomUUID()}`;
        const target = withKw(u, 'Caroline adopted a golden retriever named Biscuit in May 2023', { tags: ['pets'] });
        const near = withKw(u, 'Caroline went hiking with friends');
        const noise = Array.from({ length: 30 }, (_, i) => withKw(u, `Melanie painted landscape number ${i} at the lake`));
        await store.upsert(u, [target, near, ...noise]);
        // Another user's memories full of the same words never show up, and never change u's ranking.
        await store.upsert(
          other,
          Array.from({ length: 20 }, () => withKw(other, 'golden retriever adopted Biscuit Caroline')),
        );
        const hits = await kwSearch(u, 'When did Caroline adopt her retriever?');
        expect(hits[0]!.record.id).toBe(target.id);
        expect(hits.map((h) => h.record.id)).toContain(near.id);
        expect(hits.every((h) => h.record.userId === u && h.score > 0)).toBe(true);
        expect(hits.some((h) => noise.some((n) => n.id === h.record.id))).toBe(false);
        expect((await kwSearch(u, 'retriever', 10, { tagsAny: ['nothing'] })).length).toBe(0);
        expect((await kwSearch(u, 'retriever', 10, { tagsAny: ['pets'] })).map((h) => h.record.id)).toEqual([target.id]);
        expect(await kwSearch(u, 'the and of')).toEqual([]); // only stop words: nothing to match
        // One call answers both retrievers.
        const both = await store.searchHybrid(u, { dense: { vector: target.embedding, k: 3, ef: 64, exact: true }, keyword: { vector: enc.query(u, 'Biscuit'), k: 3 } });
        expect(both.dense[0]!.record.id).toBe(target.id);
        expect(both.keyword.map((h) => h.record.id)).toEqual([target.id]);
      });

      it('follows updates and deletes, and keeps keywords across a reopen', async () => {
        const u = `u-${randomUUID()}`;
        const a = withKw(u, 'the violin recital is on Friday');
        const b = withKw(u, 'bought a new violin bow');
        await store.upsert(u, [a, b]);
        await store.upsert(u, [{ ...a, content: 'the piano recital is on Friday', keywords: enc.document(u, 'the piano recital is on Friday'), version: 2 }]);
        await store.delete(u, [b.id]);
        expect(await kwSearch(u, 'violin')).toEqual([]);
        expect((await kwSearch(u, 'piano')).map((h) => h.record.id)).toEqual([a.id]);
        store = await harness.reopen(store);
        expect((await kwSearch(u, 'piano recital')).map((h) => h.record.id)).toEqual([a.id]);
        expect(await kwSearch(u, 'violin')).toEqual([]);
      });

      it('backfills memories written without keywords, guarded by their version', async () => {
        const u = `u-${randomUUID()}`;
        const old1 = makeRecord(u, vec(), { content: 'an old memory about sailing' });
        const old2 = makeRecord(u, vec(), { content: 'another old memory about rowing' });
        await store.upsert(u, [old1, old2]);
        const missing = (await store.withoutKeywords(10_000)).find((g) => g.userId === u);
        expect(missing?.memories.map((m) => m.id).sort()).toEqual([old1.id, old2.id].sort());
        // old2 was rewritten (version 2) after the backfill read it: the stale update must not land.
        await store.upsert(u, [{ ...old2, content: 'rowing, rewritten', version: 2, keywords: enc.document(u, 'rowing, rewritten') }]);
        await store.setFields(u, [
          { id: old1.id, version: 1, keywords: enc.document(u, old1.content) },
          { id: old2.id, version: 1, keywords: enc.document(u, old2.content) },
        ]);
        expect((await kwSearch(u, 'sailing')).map((h) => h.record.id)).toEqual([old1.id]);
        expect((await kwSearch(u, 'rewritten')).map((h) => h.record.id)).toEqual([old2.id]);
        expect((await kwSearch(u, 'memory')).map((h) => h.record.id)).toEqual([old1.id]);
        expect((await store.withoutKeywords(10_000)).find((g) => g.userId === u)).toBeUndefined();
        // A memory deleted since the backfill read it is skipped, not an error.
        await store.delete(u, [old1.id]);
        await store.setFields(u, [{ id: old1.id, version: 1, keywords: enc.document(u, old1.content) }]);
        expect(await store.get(u, [old1.id])).toEqual([]);
      });
    });
  });
}
