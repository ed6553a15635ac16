/**
 * CacheCoherence: the consistency model of the caches (README "Consistency").
 *
 * Strong (deletes, updates, corrections, user erasure): `invalidate` drops this instance's
 * copies, deletes the memories from Redis and bumps the user's generation there (part of every
 * search-cache key, so every cached search of the user is unreachable at once), and publishes
 * it; other instances adopt the generation and drop their copies when the message arrives.
 * An instance learns a user's generation from Redis before it first uses L2 for that user.
 * Without Redis (or while it is down) the same holds on this instance; others then catch up
 * within their L1 TTL, and the invalidation is replayed to Redis when it returns.
 */
import type { L1Cache } from './l1-cache.js';
import type { InvalidationMessage, RedisTier } from './redis/index.js';

export class CacheCoherence {
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly l1: L1Cache,
    private readonly l2: RedisTier | undefined,
  ) {
    l2?.listen(
      (m) => this.apply(m),
      () => {
        // Messages may have been missed while disconnected: forget learned generations.
        for (const u of [...this.generations.keys()]) if (!l2.suspect(u)) this.generations.delete(u);
      },
    );
  }

  /** The user's generation, and whether L2 may be used for the user right now. */
  async generation(userId: string): Promise<{ gen: number; l2: boolean }> {
    const known = this.generations.get(userId);
    if (!this.l2) return { gen: known ?? 0, l2: false };
    if (this.l2.suspect(userId)) return { gen: known ?? 0, l2: false };
    if (known !== undefined) return { gen: known, l2: true };
    const remote = await this.l2.generation(userId);
    if (remote === undefined) return { gen: 0, l2: false };
    this.generations.set(userId, Math.max(remote, this.generations.get(userId) ?? 0));
    return { gen: this.generations.get(userId)!, l2: true };
  }

  /** Strong invalidation; resolves once this instance and Redis no longer hold the entries. */
  async invalidate(userId: string, ids: readonly string[], wholeUser = false): Promise<number> {
    let dropped = this.dropLocal(userId, ids, wholeUser);
    if (wholeUser && this.l2) dropped += await this.l2.dropUser(userId);
    const remote = this.l2 ? await this.l2.invalidate(userId, ids, wholeUser) : undefined;
    // Locally the generation always moves forward, so this instance's cached searches go now.
    const local = (this.generations.get(userId) ?? 0) + 1;
    this.generations.set(userId, Math.max(local, remote ?? 0));
    return dropped;
  }

  /** A message from another instance (or our own replay after a Redis outage). */
  private apply(m: InvalidationMessage): void {
    this.generations.set(m.userId, Math.max(m.generation, this.generations.get(m.userId) ?? 0));
    this.dropLocal(m.userId, m.ids, m.wholeUser ?? false);
  }

  private dropLocal(userId: string, ids: readonly string[], wholeUser: boolean): number {
    if (wholeUser) return this.l1.deletePrefix(`m:${userId}\u0000`) + this.l1.deletePrefix(`s:${userId}\u0000`);
    let n = 0;
    for (const id of ids) if (this.l1.delete(`m:${userId}\u0000${id}`)) n++;
    return n;
  }
}
