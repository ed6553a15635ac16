/**
 * TieredCache: L1 (in-process) → L2 (Redis, when configured) → L3 (a loader, i.e. the vector
 * store). Reads fill upward; concurrent misses for the same key share one load (single flight).
 * Deletes go to both tiers and resolve once Redis has them too.
 */
import type { Metrics } from '../../observability/metrics.js';
import type { CacheKind, Codec } from './codecs.js';
import type { L1Cache } from './l1-cache.js';
import type { RedisTier } from './redis/index.js';

export type ServedBy = 'L1' | 'L2' | 'L3';

export interface GetOptions<T> {
  /** False rejects a cached value; `lastWriteMs` is given for L2 reads with `lastWriteOf`. */
  valid?: (value: T, lastWriteMs?: number) => boolean;
  /** Fetch this user's last-write time with the L2 value (search results). */
  lastWriteOf?: string;
  /** False: this read neither reads nor fills L2. */
  useL2?: boolean;
}

export class TieredCache {
  private readonly flights = new Map<string, Promise<{ value: unknown; tier: ServedBy } | undefined>>();

  constructor(
    readonly l1: L1Cache,
    readonly l2: RedisTier | undefined,
    private readonly metrics: Metrics,
    private readonly ttl: { l1: Record<CacheKind, number>; l2: Record<CacheKind, number> },
  ) {}

  /**
   * The value from the highest tier that has it, or from `load` (then cached in both tiers).
   * `valid` rejects a cached value (it is then loaded again); with `lastWriteOf`, the L2 read
   * also fetches that user's last-write time in the same round trip and hands it to `valid`.
   * `useL2: false` skips L2 for this read (the user's L2 data is suspect).
   */
  async get<T extends object>(key: string, codec: Codec<T>, load: () => Promise<T | undefined>, o: GetOptions<T> = {}): Promise<{ value: T; tier: ServedBy } | undefined> {
    const valid = o.valid ?? (() => true);
    const local = this.l1.get<T>(key, codec.kind);
    if (local !== undefined && valid(local)) return { value: local, tier: 'L1' };
    const inflight = this.flights.get(key);
    if (inflight) {
      this.metrics.singleFlightCoalesced.inc({ kind: codec.kind });
      return (await inflight) as { value: T; tier: ServedBy } | undefined;
    }
    const useL2 = this.l2 !== undefined && o.useL2 !== false;
    // An invalidation while this flight reads means what it read may be what was removed: it is
    // returned (the read began before the removal finished) but not cached.
    const invalidations = this.l1.invalidations;
    const cacheable = () => this.l1.invalidations === invalidations;
    const flight = (async () => {
      if (this.l2 && useL2) {
        const remote = o.lastWriteOf !== undefined ? await this.l2.getWithLastWrite(key, o.lastWriteOf, codec) : { value: await this.l2.get(key, codec) };
        if (remote?.value !== undefined && valid(remote.value, 'lastWrite' in remote ? remote.lastWrite : undefined)) {
          if (cacheable()) this.l1.set(key, remote.value, this.ttl.l1[codec.kind], codec.bytes(remote.value));
          return { value: remote.value, tier: 'L2' as const };
        }
      }
      const loaded = await load();
      if (loaded === undefined) return undefined;
      if (cacheable()) {
        this.l1.set(key, loaded, this.ttl.l1[codec.kind], codec.bytes(loaded));
        if (this.l2 && useL2) void this.l2.set(key, loaded, codec, this.ttl.l2[codec.kind]);
      }
      return { value: loaded, tier: 'L3' as const };
    })();
    this.flights.set(key, flight);
    try {
      return (await flight) as { value: T; tier: ServedBy } | undefined;
    } finally {
      this.flights.delete(key);
    }
  }

  async set<T extends object>(key: string, value: T, codec: Codec<T>): Promise<void> {
    this.l1.set(key, value, this.ttl.l1[codec.kind], codec.bytes(value));
    if (this.l2) await this.l2.set(key, value, codec, this.ttl.l2[codec.kind]);
  }

  ttlFor(tier: 'l1' | 'l2', kind: CacheKind): number {
    return this.ttl[tier][kind];
  }
}
