/**
 * L1Cache: the in-process tier. One byte-bounded LRU with per-entry TTL for memories by id,
 * search results and query embeddings (keys are prefixed by kind). Microseconds per hit.
 * The caller states each entry's size; lru-cache evicts least recently used entries past
 * `maxBytes`.
 */
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../../observability/metrics.js';

export class L1Cache {
  private readonly lru: LRUCache<string, object>;
  /**
   * Moves on every invalidation (delete, deletePrefixes). A fill that read its value before an
   * invalidation and lands after it would put back what the invalidation removed: TieredCache
   * compares this before and after its load and then leaves the value uncached.
   */
  invalidations = 0;

  constructor(
    maxBytes: number,
    private readonly metrics: Metrics,
  ) {
    this.lru = new LRUCache<string, object>({
      maxSize: maxBytes,
      ttlAutopurge: false,
      allowStale: false,
      dispose: (_v, _k, reason) => {
        // evict: pushed out for size; expire: found past its TTL (entries expire lazily, on a read).
        if (reason === 'evict') metrics.cacheEvictions.inc({ tier: 'l1', reason: 'size' });
        else if (reason === 'expire') metrics.cacheEvictions.inc({ tier: 'l1', reason: 'ttl' });
      },
    });
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
