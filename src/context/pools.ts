/**
 * Candidate pools: the query-independent part of a section (a topic's, an entity's or a time
 * window's memories, newest first, at most `poolMax`, with their vectors), cached in L1/L2 so
 * each query only scores them, and so they can be loaded ahead of the turn that needs them
 * (prefetch). A pool that could not hold every match says so; the section then adds a filtered
 * search for the query, so a large entity or topic loses nothing relevant.
 *
 * Freshness is that of cached searches: deletes and corrections move the user's generation (the
 * key changes), a new memory reaches a pool once it is older than the search lag bound.
 * Prefetched keys are remembered (bounded) until a request reads them: that is "prefetch used".
 */
import { poolCodec, type CachedPool } from '../engine/cache/codecs.js';
import { preciseNow, type CacheCoherence } from '../engine/cache/coherence.js';
import { withinWriteLag } from '../engine/cache/freshness.js';
import { cacheKeys, type UserGenerations } from '../engine/cache/keys.js';
import { visible } from '../engine/filter.js';
import type { ServedBy, TieredCache } from '../engine/cache/tiered-cache.js';
import type { MemoryObserver } from '../engine/memory-engine.js';
import type { MemoryFilter, MemoryRecord } from '../engine/types.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import type { Metrics } from '../observability/metrics.js';

/**
 * What a pool holds: the memories of one topic, entity or time window. `filter` says which
 * memories belong; `ids` (a topic's members, an entity's memories as the profile compiled them)
 * and `centre` (a topic's centroid) let it load without scanning the user's memories.
 */
export interface PoolSource {
  kind: 'topic' | 'entity' | 'window';
  /** Identifies the pool within its kind (topic id, entity name, window bounds). */
  key: string;
  filter: MemoryFilter;
  ids?: readonly string[];
  /** How many memories belong, when known (more than `ids` holds: the pool is truncated). */
  count?: number;
  centre?: Float32Array;
}

/** The user's generations, and whether L2 may be used for them (CacheCoherence.generation). */
export type Generations = UserGenerations & { l2?: boolean };

export interface PoolOptions {
  /** Most memories a pool holds. */
  poolMax: number;
  /** A cached pool older than this is reloaded once the user has written since. */
  maxLagMs: number;
  /** Most prefetched keys remembered until used. */
  prefetchMemory: number;
}

/** Sessions whose last local write the pools remember (the oldest are forgotten first). */
const MAX_SESSIONS = 100_000;

export class CandidatePools {
  private readonly prefetched = new Map<string, PoolSource['kind']>();
  /** This instance's last write per user and session (sub-ms clock), for session pool freshness. */
  private readonly sessionWrites = new Map<string, number>();
  /** The latest write time forgotten from `sessionWrites`: a session not in it may have been written until then. */
  private forgottenUpTo = 0;

  constructor(
    private readonly d: { store: VectorStore; cache: TieredCache; coherence: CacheCoherence; metrics: Metrics },
    private readonly o: PoolOptions,
  ) {}

  async read(userId: string, g: Generations, source: PoolSource, signal: AbortSignal | undefined): Promise<{ pool: CachedPool; tier: ServedBy }> {
    const key = cacheKeys.contextPool(userId, g, source.kind, source.key);
    const got = await this.load(userId, key, source, signal, g);
    this.d.metrics.contextCacheReads.inc({ source: source.kind, tier: got.tier });
    if (got.tier !== 'L3' && this.prefetched.delete(key)) this.d.metrics.contextPrefetch.inc({ kind: source.kind, outcome: 'used' });
    const now = Date.now();
    const live = got.pool.records.filter((r) => visible(r, now));
    return { pool: live.length === got.pool.records.length ? got.pool : { ...got.pool, records: live }, tier: got.tier };
  }

  /**
   * A session's memories, newest first. Cached in L1 only, and served only while the user has not
   * written since it was read (this instance's writes, and with Redis every instance's): what the
   * conversation holds must include the turn just remembered.
   */
  async readSession(userId: string, g: Generations, sessionId: string, foreignWrite: number, signal: AbortSignal | undefined): Promise<{ pool: CachedPool; tier: ServedBy }> {
    const key = cacheKeys.sessionPool(userId, g.gen, sessionId);
    // This instance's writes are known per session; another instance's only per user (`foreignWrite`, CacheCoherence.lastForeignWrite).
    const lastWrite = Math.max(this.sessionWrites.get(`${userId}\u0000${sessionId}`) ?? this.forgottenUpTo, foreignWrite);
    const cached = this.d.cache.l1.get<CachedPool>(key, 'search');
    if (cached && lastWrite < cached.at) {
      this.d.metrics.contextCacheReads.inc({ source: 'session', tier: 'L1' });
      return { pool: cached, tier: 'L1' };
    }
    const at = preciseNow();
    const page = await this.d.store.scroll(userId, { filter: { sessionId }, limit: this.o.poolMax, newestFirst: true, withVectors: true, ...(signal ? { signal } : {}) });
    const truncated = page.next !== undefined;
    const pool = { at, records: page.records, truncated, total: truncated ? await this.d.store.count(userId, { sessionId }, signal ? { signal } : {}) : page.records.length };
    this.d.cache.l1.set(key, pool, this.d.cache.ttlFor('l1', 'search'), poolCodec.bytes(pool));
    this.d.metrics.contextCacheReads.inc({ source: 'session', tier: 'L3' });
    return { pool, tier: 'L3' };
  }

  /**
   * What the engine tells the pools: new memories of a session join its cached pool (removals
   * and erasure need nothing here: they move the user's generation, so every pool key changes).
   */
  readonly observer: MemoryObserver = {
    written: (userId, records, previous) => {
      const now = preciseNow();
      for (const r of records) {
        if (!r.sessionId) continue;
        const k = `${userId}\u0000${r.sessionId}`;
        this.sessionWrites.delete(k);
        this.sessionWrites.set(k, now);
        if (this.sessionWrites.size > MAX_SESSIONS) {
          const [oldest, at] = this.sessionWrites.entries().next().value!;
          this.sessionWrites.delete(oldest);
          this.forgottenUpTo = Math.max(this.forgottenUpTo, at);
        }
      }
      if (previous === undefined) void this.sessionWritten(userId, records).catch(() => undefined);
    },
    removed: async () => undefined,
    userErased: async () => undefined,
    sessionStarted: () => undefined,
  };

  /**
   * Write-through for sessions: new memories of a session this instance holds a pool of join it
   * at once, so the next turn reads the conversation from L1 and it is complete. (A pool read
   * before the write and not updated here is older than the write, and is reloaded.)
   */
  async sessionWritten(userId: string, records: readonly MemoryRecord[]): Promise<void> {
    const g = await this.d.coherence.generation(userId);
    const bySession = new Map<string, MemoryRecord[]>();
    for (const r of records) if (r.sessionId) bySession.set(r.sessionId, [...(bySession.get(r.sessionId) ?? []), r]);
    for (const [sessionId, added] of bySession) {
      const key = cacheKeys.sessionPool(userId, g.gen, sessionId);
      const cached = this.d.cache.l1.get<CachedPool>(key, 'search');
      if (!cached) continue;
      const ids = new Set(added.map((r) => r.id));
      const merged = [...added, ...cached.records.filter((r) => !ids.has(r.id))].sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : -1));
      const pool = { at: preciseNow(), records: merged.slice(0, this.o.poolMax), truncated: cached.truncated || merged.length > this.o.poolMax, total: cached.total + added.length };
      this.d.cache.l1.set(key, pool, this.d.cache.ttlFor('l1', 'search'), poolCodec.bytes(pool));
    }
  }

  /** Loads a pool ahead of need; true when it was not cached yet (a prefetch issued). */
  async prefetch(userId: string, g: Generations, source: PoolSource, signal?: AbortSignal): Promise<boolean> {
    const key = cacheKeys.contextPool(userId, g, source.kind, source.key);
    const got = await this.load(userId, key, source, signal, g);
    if (got.tier !== 'L3') return false;
    if (this.prefetched.size >= this.o.prefetchMemory) this.prefetched.delete(this.prefetched.keys().next().value!);
    this.prefetched.set(key, source.kind);
    this.d.metrics.contextPrefetch.inc({ kind: source.kind, outcome: 'issued' });
    return true;
  }

  /**
   * A pool from the store: by id when the ids are known (the most central members of a large
   * topic, by its centroid), else the newest `poolMax` matches of the filter.
   */
  private async fetch(userId: string, source: PoolSource, signal: AbortSignal | undefined): Promise<{ records: MemoryRecord[]; truncated: boolean; total: number }> {
    const opts = signal ? { signal } : {};
    const ids = source.ids;
    if (ids && ids.length > this.o.poolMax && source.centre) {
      const hits = await this.d.store.search(userId, { vector: source.centre, k: this.o.poolMax, filter: { ids: [...ids] }, ef: 0, exact: true, withVectors: true }, opts);
      return { records: hits.map((h) => h.record).sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : 1)), truncated: true, total: ids.length };
    }
    if (ids && ids.length <= this.o.poolMax) {
      const records = (await this.d.store.get(userId, ids, opts)).sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : 1));
      const total = Math.max(source.count ?? ids.length, records.length);
      return { records, truncated: total > ids.length, total };
    }
    const page = await this.d.store.scroll(userId, { filter: source.filter, limit: this.o.poolMax, newestFirst: true, withVectors: true, ...opts });
    const truncated = page.next !== undefined;
    return { records: page.records, truncated, total: truncated ? await this.d.store.count(userId, source.filter, opts) : page.records.length };
  }

  private async load(userId: string, key: string, source: PoolSource, signal: AbortSignal | undefined, g: Generations): Promise<{ pool: CachedPool; tier: ServedBy }> {
    const now = Date.now();
    const fresh = (p: CachedPool, lastWrite?: number) => withinWriteLag(p.at, lastWrite, now, this.o.maxLagMs);
    const got = await this.d.cache.get(key, poolCodec, async () => ({ at: now, ...(await this.fetch(userId, source, signal)) }), { valid: fresh, lastWriteOf: userId, useL2: g.l2 !== false });
    return { pool: got!.value, tier: got!.tier };
  }
}
