/**
 * L1Cache: the in-process tier. One byte-bounded LRU with per-entry TTL for memories by id,
 * search results and query embeddings (keys are prefixed by kind). Microseconds per hit.
 * The caller states each entry's size; lru-cache evicts least recently used entries past
 * `maxBytes`.
 *
 * Entries expire lazily (on a read), so a one-off search result would stay until size evicts
 * it: under a steady load of distinct queries the cache filled to `maxBytes` with expired
 * results, hundreds of thousands of live objects that every major GC of the service marked
 * (its pauses grew with them). A sweep every `purgeEveryMs` drops what has expired, so the
 * cache holds about TTL × rate of results, not `maxBytes` of them. It works from one expiry
 * queue per TTL (cost: the entries that expired), because a pass over lru-cache's entries took
 * ~35 ms at 100k of them. Only TTLs up to `sweptTtlMaxMs` are queued: search results churn,
 * while memories and embeddings (30–60 min) are read again or pushed out by size, and a queue
 * of an hour of keys would cost more memory than it frees.
 */
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../../observability/metrics.js';
import { ExpiryQueue } from './expiry-queue.js';

/** ms after a queued entry's expiry before it is taken out: lru-cache reads its clock at most 1 ms late. */
const EXPIRY_MARGIN_MS = 2;
/** Entries one sweep drops at most (~3 µs each): a burst that expires at once is spread over several sweeps. */
const PURGE_BATCH = 2_000;

export class L1Cache {
  private readonly lru: LRUCache<string, object>;
  /**
   * Moves on every invalidation (delete, deletePrefixes). A fill that read its value before an
   * invalidation and lands after it would put back what the invalidation removed: TieredCache
   * compares this before and after its load and then leaves the value uncached.
   */
  invalidations = 0;

  private readonly metrics: Metrics;
  private readonly purgeTimer: NodeJS.Timeout | undefined;
  private readonly queues = new Map<number, ExpiryQueue>();
  private readonly sweptTtlMaxMs: number;

  constructor(o: {
    maxBytes: number;
    metrics: Metrics;
    /** How often expired entries are swept out (0 = never: they still expire on a read). */
    purgeEveryMs?: number;
    /** Entries with a longer TTL are left to expire on a read or to size eviction. */
    sweptTtlMaxMs?: number;
  }) {
    const metrics = o.metrics;
    this.metrics = metrics;
    this.sweptTtlMaxMs = o.sweptTtlMaxMs ?? 5 * 60_000;
    this.lru = new LRUCache<string, object>({
      maxSize: o.maxBytes,
      ttlAutopurge: false,
      allowStale: false,
      dispose: (_v, _k, reason) => {
        // evict: pushed out for size; expire: found past its TTL (entries expire lazily, on a read).
        if (reason === 'evict') metrics.cacheEvictions.inc({ tier: 'l1', reason: 'size' });
        else if (reason === 'expire') metrics.cacheEvictions.inc({ tier: 'l1', reason: 'ttl' });
      },
    });
    const every = o.purgeEveryMs ?? 1_000;
    if (every > 0) this.purgeTimer = setInterval(() => this.purgeExpired(), every).unref();
  }

  /** Drops queued entries that have expired (up to `limit` looked at); returns how many. */
  purgeExpired(limit = PURGE_BATCH): number {
    const now = performance.now() - EXPIRY_MARGIN_MS;
    let looked = 0;
    let dropped = 0;
    for (const q of this.queues.values()) {
      const keys = q.due(now, limit - looked);
      looked += keys.length;
      for (const key of keys) {
        // Set again since (a later expiry), evicted or invalidated: not this sweep's to drop.
        if (this.lru.getRemainingTTL(key) >= 0) continue;
        this.lru.get(key); // a read of an expired entry deletes it (reason "expire")
        dropped++;
      }
    }
    return dropped;
  }

  close(): void {
    clearInterval(this.purgeTimer);
  }

  get<T extends object>(key: string, kind: string): T | undefined {
    const v = this.lru.get(key) as T | undefined;
    if (v === undefined) this.metrics.cacheMisses.inc({ tier: 'l1', kind });
    else this.metrics.cacheHits.inc({ tier: 'l1', kind });
    return v;
  }

  set(key: string, value: object, ttlMs: number, bytes: number): void {
    if (ttlMs <= 0) return;
    this.lru.set(key, value, { ttl: ttlMs, size: Math.max(1, Math.ceil(bytes)) });
    if (ttlMs > this.sweptTtlMaxMs || this.purgeTimer === undefined) return;
    let q = this.queues.get(ttlMs);
    if (!q) this.queues.set(ttlMs, (q = new ExpiryQueue(ttlMs)));
    q.push(key, performance.now());
  }

  delete(key: string): boolean {
    this.invalidations++;
    return this.lru.delete(key);
  }

  /** Drops every key starting with one of `prefixes`; returns how many. One pass over all entries: for rare erasures. */
  deletePrefixes(prefixes: readonly string[]): number {
    this.invalidations++;
    let n = 0;
    for (const k of this.lru.keys()) if (prefixes.some((p) => k.startsWith(p)) && this.lru.delete(k)) n++;
    return n;
  }

  updateGauges(): void {
    this.metrics.cacheBytes.set({ tier: 'l1' }, this.lru.calculatedSize);
    this.metrics.cacheEntries.set({ tier: 'l1' }, this.lru.size);
  }
}
