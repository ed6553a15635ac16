/**
 * RedisTier: the shared L2 cache on ioredis, plus the invalidation bus (pub/sub) and the
 * per-user generations that make strong invalidation work across instances.
 *
 * Availability: Redis is never a dependency. Commands time out fast (`commandTimeoutMs`), the
 * offline queue is off (a call while disconnected fails at once instead of waiting), and a
 * breaker stops calling Redis for `breakerOpenMs` after `breakerFailures` consecutive failures,
 * then lets one call through to probe. While open, reads miss L2 and fall through to L3, writes
 * to L2 are skipped, and strong invalidations still happen locally. ioredis reconnects by
 * itself, so L2 returns when Redis does.
 */
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../../../observability/metrics.js';
import type { Codec } from '../codecs.js';
import { cacheKeys, USER_KEYSPACES, userPrefix, type UserGenerations, type UserKeyspace } from '../keys.js';

export interface RedisTierOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  breakerFailures: number;
  breakerOpenMs: number;
  hotSetMax: number;
}

export interface InvalidationMessage {
  /** Sending instance. */
  from: string;
  userId: string;
  /** The user's cache generation (0 in a message that only announces new artifacts). */
  generation: number;
  /** The user's artifact generation, when new precomputed artifacts were written. */
  artifacts?: number;
  ids: string[];
  /** Epoch ms when sent, to measure propagation. */
  sentAt: number;
  /** The whole user was erased: drop everything of theirs. */
  wholeUser?: boolean;
}

type BreakerState = 'closed' | 'open' | 'half-open';

/** How often batched hot-set updates are written. */
const HOT_FLUSH_MS = 200;

/** Marks a pending invalidation of a whole user (never a memory id: those are UUIDs). */
const WHOLE_USER = '*';

export class RedisTier {
  readonly instanceId = randomUUID();
  private readonly client: Redis;
  private readonly sub: Redis;
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private onMessage: ((m: InvalidationMessage) => void) | undefined;
  private onResubscribe: (() => void) | undefined;
  private readonly channel: string;
  /** Users whose invalidation could not reach Redis: replayed when it returns; L2 misses for them until then. */
  private readonly pending = new Map<string, Set<string>>();
  private replaying = false;
  private readonly hotPending = new Map<string, Map<string, number>>();
  private hotTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: RedisTierOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    const common = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs,
      connectTimeout: Math.max(500, o.commandTimeoutMs * 10),
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
      lazyConnect: true,
      // Commands issued in the same tick go out as one pipeline: fewer syscalls under load.
      enableAutoPipelining: true,
    };
    this.client = new Redis(o.url, common);
    this.sub = new Redis(o.url, { ...common, commandTimeout: undefined, enableOfflineQueue: true });
    this.channel = `${o.keyPrefix}invalidate`;
    this.client.on('error', () => undefined); // failures are counted per call; never crash
    this.sub.on('error', () => undefined);
    this.sub.on('message', (_channel: string, text: string) => {
      try {
        const m = JSON.parse(text) as InvalidationMessage;
        if (m.from === this.instanceId) return;
        this.metrics.invalidationsReceived.inc();
        this.metrics.invalidationPropagation.observe(Math.max(0, Date.now() - m.sentAt) / 1000);
        this.onMessage?.(m);
      } catch (err) {
        this.log.warn({ err }, 'bad invalidation message');
      }
    });
    // Messages sent while we were disconnected are lost: whoever listens must forget what it
    // learned from the bus (generations) and ask Redis again.
    this.sub.on('ready', () => this.onResubscribe?.());
    this.metrics.breakerState.set(0);
  }

  /** Connects both connections; resolves even if Redis is down (L2 then stays bypassed). */
  async connect(): Promise<void> {
    await Promise.all([this.client.connect().catch(() => undefined), this.sub.connect().catch(() => undefined)]);
    await this.sub.subscribe(this.channel).catch((err: unknown) => this.log.warn({ err }, 'redis subscribe failed; will retry on reconnect'));
  }

  /** Handlers for invalidations from other instances and for a (re)established subscription. */
  listen(onMessage: (m: InvalidationMessage) => void, onResubscribe: () => void): void {
    this.onMessage = onMessage;
    this.onResubscribe = onResubscribe;
  }

  get breaker(): BreakerState {
    return this.state;
  }

  /** Runs a Redis call through the breaker; undefined when skipped or failed. */
  private async guarded<T>(op: (r: Redis) => Promise<T>): Promise<T | undefined> {
    if (this.state === 'open') {
      if (Date.now() - this.openedAt < this.o.breakerOpenMs || this.probing) return undefined;
      this.state = 'half-open';
      this.metrics.breakerState.set(2);
    }
    if (this.state === 'half-open') {
      if (this.probing) return undefined;
      this.probing = true;
    }
    try {
      const out = await op(this.client);
      if (this.state !== 'closed') this.log.info('redis reachable again: L2 back on');
      this.state = 'closed';
      this.failures = 0;
      this.metrics.breakerState.set(0);
      if (this.pending.size > 0 && !this.replaying) void this.replayPending();
      return out;
    } catch (err) {
      this.failures++;
      if (this.state === 'half-open' || this.failures >= this.o.breakerFailures) {
        this.log.warn({ err: String(err) }, 'redis failing: L2 bypassed');
        this.state = 'open';
        this.openedAt = Date.now();
        this.metrics.breakerState.set(1);
      }
      return undefined;
    } finally {
      this.probing = false;
    }
  }

  private k(key: string): string {
    return this.o.keyPrefix + key;
  }

  async get<T>(key: string, codec: Codec<T>): Promise<T | undefined> {
    const b = await this.guarded((r) => r.getBuffer(this.k(key)));
    if (!b) {
      this.metrics.cacheMisses.inc({ tier: 'l2', kind: codec.kind });
      return undefined;
    }
    this.metrics.cacheHits.inc({ tier: 'l2', kind: codec.kind });
    return codec.decode(b);
  }

  /** A value and the user's last-write time in one round trip (search results). */
  async getWithLastWrite<T>(key: string, userId: string, codec: Codec<T>): Promise<{ value?: T; lastWrite: number } | undefined> {
    if (this.pending.has(userId)) return undefined;
    const r = await this.guarded((c) => c.mgetBuffer(this.k(key), this.k(cacheKeys.record('lastWrite', userId))));
    if (!r) {
      this.metrics.cacheMisses.inc({ tier: 'l2', kind: codec.kind });
      return undefined;
    }
    const [v, w] = r;
    if (v) this.metrics.cacheHits.inc({ tier: 'l2', kind: codec.kind });
    else this.metrics.cacheMisses.inc({ tier: 'l2', kind: codec.kind });
    return { ...(v ? { value: codec.decode(v) } : {}), lastWrite: w ? Number(w.toString()) : 0 };
  }

  async set<T>(key: string, value: T, codec: Codec<T>, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    await this.guarded((r) => r.set(this.k(key), codec.encode(value), 'PX', ttlMs));
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.guarded((r) => r.del(...keys.map((k) => this.k(k))));
  }

  /** Records that the user has new memories now (search results before it become stale sooner). */
  async noteWrite(userId: string, at: number): Promise<void> {
    await this.guarded((r) => r.set(this.k(cacheKeys.record('lastWrite', userId)), String(at), 'PX', 3_600_000));
  }

  /** When the user last wrote, as Redis knows it (0 when unknown there); undefined if unreachable. */
  async lastWrite(userId: string): Promise<number | undefined> {
    if (this.pending.has(userId)) return undefined;
    const w = await this.guarded((r) => r.get(this.k(cacheKeys.record('lastWrite', userId))));
    return w === undefined ? undefined : w === null ? 0 : Number(w);
  }

  /** The user's generations as Redis knows them (0 when never bumped); undefined if unreachable. */
  async generations(userId: string): Promise<UserGenerations | undefined> {
    if (this.pending.has(userId)) return undefined;
    const v = await this.guarded((r) => r.mget(this.k(cacheKeys.record('generation', userId)), this.k(cacheKeys.record('artifacts', userId))));
    return v === undefined ? undefined : { gen: Number(v[0] ?? 0), artifacts: Number(v[1] ?? 0) };
  }

  /** Bumps the user's artifact generation and tells every instance; undefined if unreachable. */
  async bumpArtifacts(userId: string): Promise<number | undefined> {
    const artifacts = await this.guarded((r) => r.incr(this.k(cacheKeys.record('artifacts', userId))));
    if (artifacts === undefined) return undefined;
    const msg: InvalidationMessage = { from: this.instanceId, userId, generation: 0, artifacts, ids: [], sentAt: Date.now() };
    await this.guarded((r) => r.publish(this.channel, JSON.stringify(msg)));
    return artifacts;
  }

  /** True while an invalidation of this user still has to reach Redis (its L2 data is suspect). */
  suspect(userId: string): boolean {
    return this.pending.has(userId);
  }

  private async replayPending(): Promise<void> {
    this.replaying = true;
    try {
      for (const [userId, ids] of [...this.pending]) {
        this.pending.delete(userId);
        const gen = await this.invalidate(
          userId,
          [...ids].filter((id) => id !== WHOLE_USER),
          ids.has(WHOLE_USER),
        );
        if (gen === undefined) break; // failed again: re-queued
        this.onMessage?.({ from: this.instanceId, userId, generation: gen, ids: [], sentAt: Date.now() });
      }
    } finally {
      this.replaying = false;
    }
  }

  /** Bumps the user's generation in Redis and tells every instance; resolves with the new one. */
  async invalidate(userId: string, ids: readonly string[], wholeUser = false): Promise<number | undefined> {
    const gen = await this.guarded(async (r) => {
      const keys = ids.map((id) => this.k(cacheKeys.memory(userId, id)));
      const tx = r.multi();
      if (keys.length > 0) tx.del(...keys);
      tx.incr(this.k(cacheKeys.record('generation', userId)));
      const res = await tx.exec();
      const last = res?.[res.length - 1];
      if (!last || last[0]) throw last?.[0] ?? new Error('redis transaction aborted');
      return Number(last[1]);
    });
    if (gen === undefined) {
      const set = this.pending.get(userId) ?? new Set<string>();
      for (const id of ids) set.add(id);
      if (wholeUser) set.add(WHOLE_USER);
      this.pending.set(userId, set);
      return undefined;
    }
    const msg: InvalidationMessage = { from: this.instanceId, userId, generation: gen, ids: [...ids], sentAt: Date.now(), ...(wholeUser ? { wholeUser } : {}) };
    const sent = await this.guarded((r) => r.publish(this.channel, JSON.stringify(msg)));
    if (sent !== undefined) this.metrics.invalidationsSent.inc();
    return gen;
  }

  /**
   * Hot memories of a user: a sorted set by last access, capped at hotSetMax. Best effort and
   * batched: accesses are collected and written every HOT_FLUSH_MS in one pipeline, so reads
   * do not pay a Redis round trip for bookkeeping.
   */
  touchHot(userId: string, ids: readonly string[], at: number): void {
    if (ids.length === 0) return;
    let m = this.hotPending.get(userId);
    if (!m) this.hotPending.set(userId, (m = new Map()));
    for (const id of ids) m.set(id, at);
    if (!this.hotTimer) {
      this.hotTimer = setTimeout(() => void this.flushHot(), HOT_FLUSH_MS);
      this.hotTimer.unref();
    }
  }

  private async flushHot(): Promise<void> {
    this.hotTimer = undefined;
    const batch = [...this.hotPending];
    this.hotPending.clear();
    if (batch.length === 0) return;
    await this.guarded((r) => {
      const p = r.pipeline();
      for (const [userId, m] of batch) {
        const key = this.k(cacheKeys.record('hot', userId));
        p.zadd(key, ...[...m].flatMap(([id, at]) => [at, id]));
        p.zremrangebyrank(key, 0, -(this.o.hotSetMax + 1));
        p.pexpire(key, 86_400_000);
      }
      return p.exec();
    });
  }

  async hot(userId: string, limit: number): Promise<string[]> {
    if (this.hotPending.has(userId)) await this.flushHot();
    return (await this.guarded((r) => r.zrevrange(this.k(cacheKeys.record('hot', userId)), 0, limit - 1))) ?? [];
  }

  /**
   * Removes everything of a user from Redis (ForgetUser): every keyspace keys.ts lists, and the
   * user's bookkeeping except the generations (they only ever grow, so nothing cached under an
   * older one can come back); returns how many keys.
   */
  async dropUser(userId: string): Promise<number> {
    const n = await this.guarded(async (r) => {
      let removed = 0;
      // Glob characters in a user id must match literally, or "*" would sweep every user.
      const literal = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');
      for (const keyspace of Object.keys(USER_KEYSPACES) as UserKeyspace[]) {
        const pattern = `${literal(this.k(userPrefix(keyspace, userId)))}*`;
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) removed += await r.del(...keys);
        } while (cursor !== '0');
      }
      removed += await r.del(this.k(cacheKeys.record('hot', userId)), this.k(cacheKeys.record('lastWrite', userId)));
      return removed;
    });
    return n ?? 0;
  }

  /** Keys, bytes used and keys evicted by Redis (from INFO/DBSIZE), for the metrics. */
  async stats(): Promise<{ keys: number; bytes: number; evicted: number } | undefined> {
    return this.guarded(async (r) => {
      const [keys, memory, stats] = await Promise.all([r.dbsize(), r.info('memory'), r.info('stats')]);
      const field = (text: string, name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return { keys, bytes: field(memory, 'used_memory'), evicted: field(stats, 'evicted_keys') };
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.hotTimer);
    await this.flushHot().catch(() => undefined);
    this.client.disconnect();
    this.sub.disconnect();
  }
}
