/**
 * Triggers: what the write path tells precompute (the MemoryObserver hooks), turned into runs.
 *
 *   - every `everyN` new memories of a user: profile, summaries, similarity (incremental over
 *     the memories added since); topics after max(everyN, reclusterFraction × the user's
 *     memories) new ones;
 *   - a new memory that matters for the profile (importance ≥ 0.8, a preference, pinned), and
 *     any removal that touched precomputed data: profile ("profile-change");
 *   - session start (WarmSession): profile, when missing or older than its interval;
 *   - every write marks the user dirty for every kind, for the interval runs.
 * `removed` and `userErased` are strong: they resolve once no stored artifact uses what went.
 */
import type { Logger } from 'pino';
import type { MemoryObserver } from '../engine/memory-engine.js';
import type { MemoryRecord } from '../engine/types.js';
import type { VectorStore } from '../engine/vector/vector-store.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { Metrics } from '../observability/metrics.js';
import { pruneArtifact } from './artifacts.js';
import type { Clock } from './clock.js';
import { JOB_KINDS, type JobKind, type PrecomputeScheduler } from './scheduler.js';

/** New memories remembered per user for the next incremental similarity pass (past it: a rebuild). */
const MAX_PENDING_SIMILAR = 1000;

export interface TriggerOptions {
  enabled: boolean;
  everyN: number;
  reclusterFraction: number;
  /** The profile's re-run interval: a session start finds it stale past this. */
  profileIntervalMs: number;
  clock: Clock;
}

export class PrecomputeTriggers implements MemoryObserver {
  private readonly added = new Map<string, { sinceRun: number; sinceClusters: number }>();
  private readonly pendingSimilar = new Map<string, Set<string>>();

  constructor(
    private readonly d: { scheduler: PrecomputeScheduler; store: VectorStore; metadata: MetadataStore; metrics: Metrics; log: Logger },
    private readonly o: TriggerOptions,
  ) {}

  /** Queues a run (joined with one already queued); failures are logged, never thrown. */
  enqueue(userId: string, kind: JobKind, trigger: string): void {
    if (!this.o.enabled) return;
    void this.d.scheduler.enqueue(userId, kind, trigger).catch((err: unknown) => this.d.log.warn({ err, userId, kind }, 'could not queue a precompute run'));
  }

  /** The memories added since the last similarity run took them (undefined: too many, or none noted). */
  takeAddedForSimilarity(userId: string): string[] | undefined {
    const pending = this.pendingSimilar.get(userId);
    this.pendingSimilar.delete(userId);
    return pending && pending.size <= MAX_PENDING_SIMILAR ? [...pending] : undefined;
  }

  written(userId: string, records: readonly MemoryRecord[], previous?: readonly MemoryRecord[]): void {
    if (!this.o.enabled || records.length === 0) return;
    const { scheduler } = this.d;
    for (const kind of JOB_KINDS) scheduler.markDirty(userId, kind);
    // An update counts like a new memory only when its text or vector changed; otherwise
    // (importance, tags, pinning) it refreshes the profile only when it enters or leaves
    // the profile's sources. The interval jobs pick up the rest.
    const fresh = previous ? records.filter((r, i) => r.content !== previous[i]?.content || r.embedding !== previous[i]?.embedding) : records;
    const inProfile = (r: MemoryRecord | undefined) => r !== undefined && (r.importance >= 0.8 || r.kind === 'preference' || r.pinned);
    const profileChanged = previous ? records.some((r, i) => inProfile(r) !== inProfile(previous[i]) || (inProfile(r) && fresh.includes(r))) : records.some(inProfile);
    if (profileChanged) this.enqueue(userId, 'profile', 'profile-change');
    if (fresh.length === 0) return;
    const c = this.added.get(userId) ?? { sinceRun: 0, sinceClusters: 0 };
    c.sinceRun += fresh.length;
    c.sinceClusters += fresh.length;
    this.added.set(userId, c);
    let pending = this.pendingSimilar.get(userId);
    if (!pending) this.pendingSimilar.set(userId, (pending = new Set()));
    for (const r of fresh) if (pending.size <= MAX_PENDING_SIMILAR) pending.add(r.id);
    if (c.sinceRun < this.o.everyN) return;
    c.sinceRun = 0;
    this.enqueue(userId, 'profile', 'memories');
    this.enqueue(userId, 'summaries', 'memories');
    this.enqueue(userId, 'similarity', 'memories');
    void this.d.store.count(userId).then(
      (total) => {
        if (c.sinceClusters >= Math.max(this.o.everyN, this.o.reclusterFraction * total)) {
          c.sinceClusters = 0;
          this.enqueue(userId, 'clusters', 'memories');
        }
      },
      (err: unknown) => this.d.log.debug({ err, userId }, 'memory count for the clustering trigger failed'),
    );
  }

  /** Strong: before this resolves, no stored artifact uses the removed memories. */
  async removed(userId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pendingSimilar.get(userId)?.delete(id);
    const changed = await this.d.metadata.removeFromPrecomputed(userId, ids, pruneArtifact);
    if (changed > 0) {
      this.d.metrics.precomputeRemovals.inc(changed);
      this.enqueue(userId, 'profile', 'profile-change');
    }
    for (const kind of JOB_KINDS) this.d.scheduler.markDirty(userId, kind);
  }

  /** Erasure: stops the user's runs; the metadata store drops the artifacts, the caches their copies. */
  async userErased(userId: string): Promise<void> {
    this.added.delete(userId);
    this.pendingSimilar.delete(userId);
    await this.d.scheduler.cancelUser(userId);
  }

  sessionStarted(userId: string): void {
    if (!this.o.enabled) return;
    const last = this.d.scheduler.lastRunAt(userId, 'profile');
    if (last === 0 || this.o.clock.now() - last >= this.o.profileIntervalMs) this.enqueue(userId, 'profile', 'session');
  }
}
