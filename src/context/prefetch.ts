/**
 * Predictive prefetch: after a context is assembled (or a session warmed), what the next turn
 * will probably need is loaded into L1/L2 in the background, while the service is not busy
 * (the same load signal that holds back precompute):
 *   - a topic the turn drifts towards (the next-closest topics, or one the turns name) → its pool;
 *   - a time reference in the recent turns → that window's pool;
 *   - an entity named in the turns → its pool;
 *   - a follow-up is the likeliest next turn → the memories just sent are kept hot.
 * One pending plan per user (the newest replaces an older one); while the service is busy the
 * plans wait (up to a bound), then are dropped.
 * CandidatePools counts what was issued and what a later request used.
 */
import type { Logger } from 'pino';
import type { CacheCoherence } from '../engine/cache/coherence.js';
import type { TieredCache } from '../engine/cache/tiered-cache.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import type { Metrics } from '../observability/metrics.js';
import { memoriesById } from './memories-by-id.js';
import type { CandidatePools, PoolSource } from './pools.js';

export interface PrefetchPlan {
  sources: PoolSource[];
  /** Ids of memories to keep hot (in L1 and L2, and in the user's hot set). */
  keep: string[];
}

export interface PrefetchOptions {
  /** True while foreground load is high: the round is skipped. */
  busy: () => boolean;
  /** Wait before a round, so the answer goes out first. */
  delayMs: number;
  /** While busy, pending plans wait up to this long (checking every `delayMs`), then are dropped. */
  maxHoldMs: number;
  /** Most users with a pending plan. */
  maxPending: number;
  /** Most pools loaded per round. */
  maxSources: number;
}

export class Prefetcher {
  private readonly pending = new Map<string, { make: () => Promise<PrefetchPlan>; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly d: { pools: CandidatePools; store: VectorStore; cache: TieredCache; coherence: CacheCoherence; metrics: Metrics; log: Logger },
    private readonly o: PrefetchOptions,
  ) {}

  /** Queues a plan for `userId` (made lazily, when its round runs). */
  schedule(userId: string, plan: () => Promise<PrefetchPlan>): void {
    if (this.closed) return;
    this.pending.delete(userId);
    this.pending.set(userId, { make: plan, at: Date.now() });
    if (this.pending.size > this.o.maxPending) this.pending.delete(this.pending.keys().next().value!);
    this.wake();
  }

  private wake(): void {
    if (this.closed || this.running) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.pending.size > 0) this.wake();
      });
    }, this.o.delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      if (this.o.busy()) {
        // Hold the plans a while (a conversation pauses between turns); drop those held too long.
        const now = Date.now();
        for (const [userId, p] of this.pending)
          if (now - p.at > this.o.maxHoldMs) {
            this.pending.delete(userId);
            this.d.metrics.contextPrefetch.inc({ kind: 'round', outcome: 'skipped_busy' });
          }
        return;
      }
      const [userId, { make }] = this.pending.entries().next().value!;
      this.pending.delete(userId);
      try {
        await this.round(userId, await make());
      } catch (err) {
        this.d.log.debug({ err, userId }, 'prefetch round failed');
      }
    }
  }

  private async round(userId: string, plan: PrefetchPlan): Promise<void> {
    const { signal } = this.controller;
    const g = await this.d.coherence.generation(userId);
    const seen = new Set<string>();
    for (const s of plan.sources) {
      const id = `${s.kind}:${s.key}`;
      if (seen.has(id) || seen.size >= this.o.maxSources || this.closed) continue;
      seen.add(id);
      await this.d.pools.prefetch(userId, g, s, signal);
    }
    if (plan.keep.length === 0 || this.closed) return;
    const { fromStore } = await memoriesById(this.d, userId, plan.keep, signal);
    this.d.metrics.contextPrefetch.inc({ kind: 'memory', outcome: 'kept' }, fromStore);
    this.d.cache.l2?.touchHot(userId, plan.keep, Date.now());
  }

  /** Stops: pending rounds are dropped, a running one stops at its next step. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.controller.abort();
    await this.running?.catch(() => undefined);
  }
}
