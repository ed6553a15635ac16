/**
 * CacheCoherence: the consistency model of the caches (README "Consistency").
 *
 * Strong (deletes, updates, corrections, user erasure): `invalidate` drops this instance's
 * copies, deletes the memories from Redis and bumps the user's generation there (part of every
 * search-cache and artifact key, so every cached search and artifact of the user is
 * unreachable at once), and publishes it; other instances adopt the generation and drop their
 * copies when the message arrives. Erasure drops every keyspace of the user (keys.ts lists them).
 *
 * New precomputed artifacts: `artifactsChanged` bumps the user's artifact generation (also part
 * of every artifact key) the same way, so no instance serves an artifact older than the newest
 * run once the message has arrived — with no per-key bookkeeping.
 *
 * An instance learns a user's generations from Redis before it first uses L2 for that user.
 * Without Redis (or while it is down) the same holds on this instance; others then catch up
 * within their L1 TTL, and the invalidation is replayed to Redis when it returns.
 */
import { cacheKeys, USER_KEYSPACES, userPrefix, type UserGenerations, type UserKeyspace } from './keys.js';
import type { L1Cache } from './l1-cache.js';
import type { InvalidationMessage, RedisTier } from './redis/index.js';

/** Epoch milliseconds with a fraction: orders a write and a read within one millisecond. */
export const preciseNow = () => performance.timeOrigin + performance.now();

/** Users whose last write this instance remembers (the oldest are forgotten first). */
const MAX_WRITERS = 100_000;

export class CacheCoherence {
  private readonly known = new Map<string, UserGenerations>();
  /** The time this instance last told Redis the user wrote. */
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly l1: L1Cache,
    private readonly l2: RedisTier | undefined,
  ) {
    l2?.listen(
      (m) => this.apply(m),
      () => {
        // Messages may have been missed while disconnected: forget learned generations.
        for (const u of [...this.known.keys()]) if (!l2.suspect(u)) this.known.delete(u);
      },
    );
  }

  /** The user's generations, and whether L2 may be used for the user right now. */
  async generation(userId: string): Promise<UserGenerations & { l2: boolean }> {
    const known = this.known.get(userId);
    const local = known ?? { gen: 0, artifacts: 0 };
    if (!this.l2 || this.l2.suspect(userId)) return { ...local, l2: false };
    if (known) return { ...known, l2: true };
    const remote = await this.l2.generations(userId);
    if (remote === undefined) return { ...local, l2: false };
    const merged = this.adopt(userId, remote);
    return { ...merged, l2: true };
  }

  /**
   * The user has new memories, durable and searchable, from now on: Redis learns the time, and
   * this instance remembers which time it sent (so it can tell its own write from another's).
   */
  noteWrite(userId: string): void {
    const sent = Date.now();
    this.writes.delete(userId);
    this.writes.set(userId, sent);
    if (this.writes.size > MAX_WRITERS) this.writes.delete(this.writes.keys().next().value!);
    void this.l2?.noteWrite(userId, sent);
  }

  /**
   * The latest write of the user by another instance, as Redis knows it (0 without Redis, or
   * when the last one Redis has is this instance's own); "now" when Redis is unreachable.
   */
  async lastForeignWrite(userId: string): Promise<number> {
    if (!this.l2) return 0;
    const remote = this.l2.suspect(userId) ? undefined : await this.l2.lastWrite(userId);
    if (remote === undefined) return preciseNow();
    return remote === this.writes.get(userId) ? 0 : remote;
  }

  /** Strong invalidation; resolves once this instance and Redis no longer hold the entries. */
  async invalidate(userId: string, ids: readonly string[], wholeUser = false): Promise<number> {
    let dropped = this.dropLocal(userId, ids, wholeUser);
    if (wholeUser && this.l2) dropped += await this.l2.dropUser(userId);
    const remote = this.l2 ? await this.l2.invalidate(userId, ids, wholeUser) : undefined;
    // Locally the generation always moves forward, so this instance's cached searches go now.
    const cur = this.known.get(userId) ?? { gen: 0, artifacts: 0 };
    this.known.set(userId, { ...cur, gen: Math.max(cur.gen + 1, remote ?? 0) });
    return dropped;
  }

  /** A run wrote new artifacts: cached ones of the user become unreachable (eventual elsewhere). */
  async artifactsChanged(userId: string): Promise<void> {
    const remote = this.l2 ? await this.l2.bumpArtifacts(userId) : undefined;
    const cur = this.known.get(userId) ?? { gen: 0, artifacts: 0 };
    this.known.set(userId, { ...cur, artifacts: Math.max(cur.artifacts + 1, remote ?? 0) });
  }

  private adopt(userId: string, g: Partial<UserGenerations>): UserGenerations {
    const cur = this.known.get(userId) ?? { gen: 0, artifacts: 0 };
    const next = { gen: Math.max(cur.gen, g.gen ?? 0), artifacts: Math.max(cur.artifacts, g.artifacts ?? 0) };
    this.known.set(userId, next);
    return next;
  }

  /** A message from another instance (or our own replay after a Redis outage). */
  private apply(m: InvalidationMessage): void {
    this.adopt(m.userId, { gen: m.generation, ...(m.artifacts !== undefined ? { artifacts: m.artifacts } : {}) });
    this.dropLocal(m.userId, m.ids, m.wholeUser ?? false);
  }

  private dropLocal(userId: string, ids: readonly string[], wholeUser: boolean): number {
    if (wholeUser) return this.l1.deletePrefixes((Object.keys(USER_KEYSPACES) as UserKeyspace[]).map((keyspace) => userPrefix(keyspace, userId)));
    let n = 0;
    for (const id of ids) if (this.l1.delete(cacheKeys.memory(userId, id))) n++;
    return n;
  }
}
