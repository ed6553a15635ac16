/**
 * An in-memory VectorStore for unit tests of what sits above the port (MemoryEngine): exact
 * search, creation-order scroll with cursors, the shared filter semantics, and a switch that
 * makes writes fail, to see what the caller does then.
 */
import { compileFilter } from '../../src/engine/filter.js';
import type { AccessStats, KeywordHit, MemoryFilter, MemoryRecord, VectorHit } from '../../src/engine/types.js';
import { idf, valueOf } from '../../src/engine/sparse-vector.js';
import type { HybridHits, HybridQuery, FieldUpdate, NeighborGraph, ScrollOptions, ScrollPage, StoreStats, VectorQuery, VectorStore } from '../../src/engine/vector/vector-store.js';

export class InMemoryVectorStore implements VectorStore {
  readonly kind = 'in-memory';
  private readonly byUser = new Map<string, Map<string, MemoryRecord>>();
  /** Set to make every write fail with it. */
  failWrites: Error | undefined;

  constructor(readonly dimensions: number) {}

  private of(userId: string): Map<string, MemoryRecord> {
    let m = this.byUser.get(userId);
    if (!m) this.byUser.set(userId, (m = new Map()));
    return m;
  }

  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async ready(): Promise<void> {}

  async upsert(userId: string, records: MemoryRecord[]): Promise<void> {
    if (this.failWrites) throw this.failWrites;
    for (const r of records) this.of(userId).set(r.id, r);
  }

  async get(userId: string, ids: readonly string[]): Promise<MemoryRecord[]> {
    const now = Date.now();
    return ids.map((id) => this.of(userId).get(id)).filter((r): r is MemoryRecord => r !== undefined && (r.expiresAtMs === 0 || r.expiresAtMs > now));
  }

  async delete(userId: string, ids: readonly string[]): Promise<string[]> {
    if (this.failWrites) throw this.failWrites;
    return ids.filter((id) => this.of(userId).delete(id));
  }

  async deleteByFilter(userId: string, filter: MemoryFilter): Promise<string[]> {
    const match = compileFilter(filter, Date.now());
    return this.delete(
      userId,
      [...this.of(userId).values()].filter(match).map((r) => r.id),
    );
  }

  async search(userId: string, q: VectorQuery): Promise<VectorHit[]> {
    const match = compileFilter(q.filter, Date.now());
    const hits: VectorHit[] = [];
    for (const r of this.of(userId).values()) {
      if (!match(r)) continue;
      let similarity = 0;
      for (let i = 0; i < q.vector.length; i++) similarity += q.vector[i]! * r.embedding[i]!;
      if (q.minSimilarity === undefined || similarity >= q.minSimilarity) hits.push({ record: r, similarity });
    }
    return hits.sort((a, b) => b.similarity - a.similarity).slice(0, q.k);
  }

  async searchHybrid(userId: string, q: HybridQuery): Promise<HybridHits> {
    const dense = q.dense ? await this.search(userId, q.dense) : [];
    const keyword: KeywordHit[] = [];
    if (q.keyword) {
      const match = compileFilter(q.keyword.filter, Date.now());
      const all = [...this.of(userId).values()].filter((r) => r.keywords);
      const df = (t: number) => all.filter((r) => valueOf(r.keywords!, t) !== 0).length;
      for (const r of all) {
        if (!match(r)) continue;
        let score = 0;
        q.keyword.vector.indices.forEach((t, i) => {
          const v = valueOf(r.keywords!, t);
          if (v !== 0) score += idf(all.length, df(t)) * v * q.keyword!.vector.values[i]!;
        });
        if (score > 0) keyword.push({ record: r, score });
      }
      keyword.sort((a, b) => b.score - a.score).splice(q.keyword.k);
    }
    return { dense, keyword };
  }

  async withoutKeywords(limit: number): Promise<{ userId: string; memories: MemoryRecord[] }[]> {
    const out: { userId: string; memories: MemoryRecord[] }[] = [];
    for (const [userId, m] of this.byUser) {
      const memories = [...m.values()].filter((r) => !r.keywords).slice(0, limit);
      if (memories.length > 0) out.push({ userId, memories });
    }
    return out;
  }

  async setFields(userId: string, items: readonly FieldUpdate[]): Promise<number> {
    let n = 0;
    for (const it of items) {
      const r = this.of(userId).get(it.id);
      if (r && r.version === it.version) {
        this.of(userId).set(it.id, { ...r, ...(it.keywords ? { keywords: it.keywords } : {}), ...(it.importance !== undefined ? { importance: it.importance } : {}) });
        n++;
      }
    }
    return n;
  }

  async users(): Promise<string[]> {
    return [...this.byUser.entries()].filter(([, m]) => m.size > 0).map(([u]) => u);
  }

  async searchBatch(userId: string, queries: VectorQuery[]): Promise<VectorHit[][]> {
    return Promise.all(queries.map((q) => this.search(userId, q)));
  }

  async scroll(userId: string, o: ScrollOptions): Promise<ScrollPage> {
    const match = compileFilter(o.filter, o.includeExpired ? 0 : Date.now());
    const order = (a: MemoryRecord, b: MemoryRecord) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const all = [...this.of(userId).values()].filter(match).sort((a, b) => (o.newestFirst ? -order(a, b) : order(a, b)));
    const after = o.after;
    const start = after ? all.findIndex((r) => (o.newestFirst ? -1 : 1) * order(r, { ...r, createdAtMs: after.createdAtMs, id: after.id }) > 0) : 0;
    const records = start < 0 ? [] : all.slice(start, start + o.limit);
    const last = records[records.length - 1];
    return start >= 0 && start + o.limit < all.length && last ? { records, next: { createdAtMs: last.createdAtMs, id: last.id } } : { records };
  }

  async count(userId: string, filter?: MemoryFilter): Promise<number> {
    return [...this.of(userId).values()].filter(compileFilter(filter, Date.now())).length;
  }

  async dropTenant(userId: string): Promise<number> {
    const n = this.of(userId).size;
    this.byUser.delete(userId);
    return n;
  }

  async neighborGraph(): Promise<NeighborGraph> {
    throw new Error('not used by these tests');
  }

  touch(userId: string, ids: readonly string[], stats: AccessStats): void {
    for (const id of ids) {
      const r = this.of(userId).get(id);
      if (r) this.of(userId).set(id, { ...r, accessedAtMs: stats.accessedAtMs, accessCount: r.accessCount + stats.accessCount });
    }
  }

  stats(): StoreStats {
    let memories = 0;
    for (const m of this.byUser.values()) memories += m.size;
    return { memories };
  }
}
