/**
 * PrecomputeScheduler: runs background jobs per (user, kind) inside the service.
 *
 * - Triggers enqueue a (user, kind); a second trigger while one is queued joins it (one run
 *   serves both), and one while it runs queues exactly one follow-up run. A triggered follow-up
 *   waits until `minGapMs` after the previous run, and while the service is busy with
 *   requests (up to `maxHoldMs`); requests for a run do not wait. So the same kind
 *   never runs twice at once for a user here; across instances the metadata store's lease
 *   does the same (a run that finds another instance's live lease is SKIPPED).
 * - The queue is bounded (`queueMax`): a trigger that finds it full is dropped and counted.
 * - Each run has a deadline (`jobTimeoutMs`); its signal also fires on shutdown. A run is
 *   recorded in the metadata store (start, end, outcome, counts); its lease is renewed while
 *   it runs, so a crashed instance's lease runs out and the next run takes over.
 * - Intervals: users marked dirty for a kind are re-run once their last run of that kind is
 *   older than that kind's interval (checked every `tickMs`).
 * - An operator may pause this instance's runs for a bounded time (PauseGate): nothing starts
 *   and running jobs wait at their next slice; a run's deadline does not count paused time.
 * - Timers come from the Clock (tests drive it) and never keep the process alive.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { CancelledError, DeadlineExceededError, MemoryError } from '../errors.js';
import type { JobRun, JobStatus, MetadataStore } from '../metadata/metadata-store.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock, TimerHandle } from './clock.js';
import { PauseGate, type PauseState } from './pause-gate.js';
import { timeSlicer, type Slice } from './slicer.js';

export const JOB_KINDS = ['clusters', 'profile', 'summaries', 'similarity'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
/** Lifecycle work per user; `maintenance` runs the other five in this order. */
export const MAINTENANCE_KINDS = ['ttl', 'decay', 'compress', 'archive', 'gc', 'maintenance'] as const;
export type MaintenanceKind = (typeof MAINTENANCE_KINDS)[number];
/** Every kind of run the scheduler knows. */
export type RunKind = JobKind | MaintenanceKind;

/** Whether `kind` names a maintenance job (it may be a caller's raw, unchecked string). */
export function isMaintenance(kind: string): kind is MaintenanceKind {
  return (MAINTENANCE_KINDS as readonly string[]).includes(kind);
}

export interface JobContext {
  userId: string;
  trigger: string;
  /** Fires at the run's deadline or on shutdown. */
  signal: AbortSignal;
  /** When the run started (epoch ms), before it read anything. */
  startedAtMs: number;
  /** Call between units of work: gives the event loop a turn, and pauses while the service is busy. */
  pace: Slice;
}

/** An operator's pause as PauseBackgroundJobs answers it: its end, and the runs it holds. */
export interface BackgroundJobsState extends PauseState {
  /** Runs in progress, paused ones included. */
  running: number;
  queued: number;
}

/** What one kind of job does; resolves with counts for the run record. */
export type JobHandler = (ctx: JobContext) => Promise<Record<string, number>>;

export interface SchedulerOptions {
  concurrency: number;
  queueMax: number;
  jobTimeoutMs: number;
  leaseMs: number;
  /** Re-run interval per kind for dirty users (0 = only on triggers). */
  intervals: Record<JobKind, number>;
  tickMs: number;
  /**
   * A triggered run (any trigger but `request`) starts no sooner than this after the last run
   * of its kind for the user finished here: a bulk load does not recompile a profile per batch.
   */
  minGapMs: number;
  /**
   * Foreground load: while it says busy, queued runs wait (re-checked every `holdCheckMs`), up
   * to `maxHoldMs` per run, so background work yields to requests on a small machine instead
   * of competing with them; requests for a run (`request` trigger) do not wait.
   */
  busy?: () => boolean;
  holdCheckMs?: number;
  maxHoldMs?: number;
  /** Share of the time a running job works while `busy` says so (see timeSlicer). */
  busyShare?: number;
  /**
   * Foreground load as maintenance runs see it (`busy` when not given). Housekeeping has no
   * deadline worth a foreground millisecond, so it can take a stricter view: any traffic at all.
   */
  maintenanceBusy?: () => boolean;
  /** Slice length of maintenance runs (ms; timeSlicer's default when not given). */
  maintenanceSliceMs?: number;
  clock: Clock;
}

interface Entry {
  id: string;
  /** keyOf(userId, kind), made once: the queue is scanned by it on every pump. */
  key: Key;
  userId: string;
  kind: RunKind;
  trigger: string;
  queuedAtMs: number;
  startedAtMs: number;
  /** Held back to `minGapMs` after the kind's last run for the user (every trigger but requests). */
  held: boolean;
  /** A QUEUED row exists in the metadata store. */
  recorded: boolean;
  waiters: ((r: JobRun) => void)[];
}

type Key = string;
const keyOf = (userId: string, kind: RunKind): Key => `${kind}\u0000${userId}`;

export class PrecomputeScheduler {
  private readonly queue: Entry[] = [];
  private readonly pending = new Map<Key, Entry>();
  private readonly running = new Map<Key, { entry: Entry; controller: AbortController; done: Promise<void> }>();
  private readonly byId = new Map<string, Entry>();
  private readonly lastRun = new Map<Key, number>();
  private readonly dirty = new Map<Key, { userId: string; kind: JobKind; since: number }>();
  private readonly recent = new Map<string, JobRun>();
  private tickTimer: TimerHandle | undefined;
  private wakeTimer: { at: number; handle: TimerHandle } | undefined;
  private holdTimer: TimerHandle | undefined;
  private closed = false;
  private pumpQueued = false;
  private readonly gate: PauseGate;

  constructor(
    private readonly handlers: Partial<Record<RunKind, JobHandler>>,
    private readonly metadata: MetadataStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly o: SchedulerOptions,
  ) {
    this.gate = new PauseGate({
      clock: o.clock,
      onResume: () => {
        this.metrics.precomputePaused.set(0);
        this.pump();
      },
    });
  }

  start(): void {
    this.scheduleTick();
  }

  /**
   * Asks for a run. Returns the id of the run that will serve it (a queued one it joined, or a
   * new one), or undefined when the queue is full (the trigger is dropped and counted).
   * `record`: write the QUEUED row now (for callers that read it back by id at once).
   */
  async enqueue(userId: string, kind: RunKind, trigger: string, o: { record?: boolean } = {}): Promise<string | undefined> {
    if (this.closed) return undefined;
    this.metrics.precomputeTriggers.inc({ kind, trigger });
    const key = keyOf(userId, kind);
    const queued = this.pending.get(key);
    if (queued) {
      if (trigger === 'request' && queued.held) {
        queued.held = false; // someone is waiting for it now
        this.pump();
      }
      if (o.record && !queued.recorded) await this.record(queued);
      return queued.id;
    }
    if (this.queue.length >= this.o.queueMax) {
      this.metrics.precomputeDropped.inc({ kind });
      this.log.warn({ userId, kind, trigger, queueMax: this.o.queueMax }, 'precompute queue full; trigger dropped');
      return undefined;
    }
    const e: Entry = { id: randomUUID(), key, userId, kind, trigger, queuedAtMs: this.o.clock.now(), startedAtMs: 0, held: trigger !== 'request', recorded: false, waiters: [] };
    this.queue.push(e);
    this.pending.set(key, e);
    this.byId.set(e.id, e);
    this.metrics.precomputeQueueDepth.set(this.queue.length);
    if (o.record) await this.record(e);
    this.pump();
    return e.id;
  }

  private async record(e: Entry): Promise<void> {
    await this.metadata.createJobRun({ id: e.id, userId: e.userId, kind: e.kind, trigger: e.trigger });
    e.recorded = true;
  }

  /** Resolves with the finished run (immediately if it already finished here recently). */
  wait(id: string): Promise<JobRun> {
    const done = this.recent.get(id);
    if (done) return Promise.resolve(done);
    const e = this.byId.get(id);
    if (!e) return Promise.reject(new MemoryError('NOT_FOUND', `job ${id} is not known to this instance`));
    return new Promise((resolve) => e.waiters.push(resolve));
  }

  /** A queued or running run as this instance knows it, or a recently finished one. */
  status(id: string): JobRun | undefined {
    const done = this.recent.get(id);
    if (done) return done;
    const e = this.byId.get(id);
    if (!e) return undefined;
    const isRunning = this.running.get(e.key)?.entry === e;
    return {
      id: e.id,
      userId: e.userId,
      kind: e.kind,
      status: isRunning ? 'RUNNING' : 'QUEUED',
      trigger: e.trigger,
      queuedAtMs: e.queuedAtMs,
      startedAtMs: e.startedAtMs,
      finishedAtMs: 0,
      counts: {},
      error: '',
    };
  }

  /** Marks a user's kind as changed: the interval tick re-runs it when due. */
  markDirty(userId: string, kind: JobKind): void {
    const key = keyOf(userId, kind);
    if (!this.dirty.has(key)) this.dirty.set(key, { userId, kind, since: this.o.clock.now() });
  }

  /** When this instance last finished a run of the kind for the user (0 = never). */
  lastRunAt(userId: string, kind: RunKind): number {
    return this.lastRun.get(keyOf(userId, kind)) ?? 0;
  }

  isBusy(userId: string, kind: RunKind): boolean {
    const key = keyOf(userId, kind);
    return this.pending.has(key) || this.running.has(key);
  }

  /** Cancels queued and running runs of a user (its data is being erased). */
  async cancelUser(userId: string): Promise<void> {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const e = this.queue[i]!;
      if (e.userId !== userId) continue;
      this.queue.splice(i, 1);
      this.pending.delete(e.key);
      this.settle(e, 'CANCELLED', {}, 'the user was erased');
    }
    this.metrics.precomputeQueueDepth.set(this.queue.length);
    for (const key of [...this.dirty.keys()]) if (this.dirty.get(key)!.userId === userId) this.dirty.delete(key);
    const runs = [...this.running.values()].filter((r) => r.entry.userId === userId);
    for (const r of runs) r.controller.abort(new CancelledError('the user was erased'));
    await Promise.all(runs.map((r) => r.done));
  }

  queueDepth(): number {
    return this.queue.length;
  }

  /** Pauses this instance's runs for `durationMs` (a pause in force gets the new end); 0 resumes them. */
  pause(durationMs: number): BackgroundJobsState {
    if (durationMs > 0 && !this.closed) {
      this.gate.pauseFor(durationMs);
      this.metrics.precomputePaused.set(1);
    } else this.gate.resume();
    return this.pauseState();
  }

  pauseState(): BackgroundJobsState {
    return { ...this.gate.state(), running: this.running.size, queued: this.queue.length };
  }

  /**
   * Starts what can start, once after the current synchronous work: a burst of triggers (an
   * interval tick enqueues thousands) scans the queue once, not once per trigger.
   */
  private pump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pumpNow();
    });
  }

  private pumpNow(): void {
    // Paused: nothing starts; the gate pumps when the pause ends.
    if (this.gate.paused) return;
    const now = this.o.clock.now();
    const busy = this.o.busy?.() ?? false;
    const maxHold = this.o.maxHoldMs ?? 60_000;
    let held = false;
    while (!this.closed && this.running.size < this.o.concurrency) {
      const i = this.queue.findIndex((e) => {
        if (this.dueAt(e) > now || this.running.has(e.key)) return false;
        if (busy && e.held && now - e.queuedAtMs < maxHold) {
          held = true;
          return false;
        }
        return true;
      });
      if (i < 0) break;
      const [e] = this.queue.splice(i, 1);
      this.pending.delete(e!.key);
      this.metrics.precomputeQueueDepth.set(this.queue.length);
      this.run(e!);
    }
    if (held && !this.holdTimer && !this.closed) {
      this.holdTimer = this.o.clock.after(this.o.holdCheckMs ?? 250, () => {
        this.holdTimer = undefined;
        this.pump();
      });
    }
    // Wake up when the earliest held-back run comes due.
    let next = Infinity;
    for (const e of this.queue) {
      const due = this.dueAt(e);
      if (due > now && due < next) next = due;
    }
    if (this.closed || next === Infinity || (this.wakeTimer && this.wakeTimer.at <= next)) return;
    this.wakeTimer?.handle.cancel();
    this.wakeTimer = {
      at: next,
      handle: this.o.clock.after(next - now, () => {
        this.wakeTimer = undefined;
        this.pump();
      }),
    };
  }

  private dueAt(e: Entry): number {
    if (!e.held) return 0;
    const last = this.lastRun.get(e.key);
    return last === undefined ? 0 : last + this.o.minGapMs;
  }

  private run(e: Entry): void {
    const key = e.key;
    const controller = new AbortController();
    // The deadline counts working time: when it comes due, time spent paused meanwhile is owed back.
    let pausedCounted = this.gate.pausedMs();
    const armDeadline = (ms: number): TimerHandle =>
      this.o.clock.after(ms, () => {
        const owed = this.gate.pausedMs() - pausedCounted;
        if (owed > 0 && !controller.signal.aborted) {
          pausedCounted += owed;
          deadline = armDeadline(owed);
        } else controller.abort(new DeadlineExceededError(`${e.kind} job ran past its ${this.o.jobTimeoutMs} ms deadline`));
      });
    let deadline = armDeadline(this.o.jobTimeoutMs);
    const pace = this.slicerFor(e.kind, controller.signal);
    const done = (async () => {
      e.startedAtMs = this.o.clock.now();
      const end = this.metrics.precomputeDuration.startTimer({ kind: e.kind });
      let status: Exclude<JobStatus, 'QUEUED' | 'RUNNING'> = 'SUCCEEDED';
      let counts: Record<string, number> = {};
      let error = '';
      let renew: TimerHandle | undefined;
      try {
        const claimed = await this.metadata.startJobRun({ id: e.id, userId: e.userId, kind: e.kind, trigger: e.trigger }, this.o.leaseMs);
        e.recorded = true;
        if (!claimed) {
          status = 'SKIPPED';
        } else {
          // One renewal in flight at a time: a clock that jumps (a test's ManualClock) fires
          // many beats at once, and each must not become a query of its own.
          let renewing = false;
          const beat = () => {
            renew = this.o.clock.after(Math.max(1, Math.floor(this.o.leaseMs / 3)), () => {
              if (!renewing) {
                renewing = true;
                this.metadata
                  .renewJobLease(e.id, this.o.leaseMs)
                  .catch((err: unknown) => this.log.warn({ err, id: e.id }, 'job lease renewal failed'))
                  .finally(() => (renewing = false));
              }
              beat();
            });
          };
          beat();
          const handler = this.handlers[e.kind] ?? (() => Promise.reject(new MemoryError('UNIMPLEMENTED', `no ${e.kind} jobs on this server`)));
          const signal = controller.signal;
          // The run settles at its deadline even if the handler is stuck in a call that ignores the signal.
          const stopped = new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
          counts = await Promise.race([handler({ userId: e.userId, trigger: e.trigger, signal, startedAtMs: this.o.clock.now(), pace }), stopped]);
        }
      } catch (err) {
        status = err instanceof CancelledError || (controller.signal.aborted && !(controller.signal.reason instanceof DeadlineExceededError)) ? 'CANCELLED' : 'FAILED';
        error = err instanceof Error ? err.message : String(err);
        if (status === 'FAILED') this.log.warn({ err, userId: e.userId, kind: e.kind }, 'precompute job failed');
      } finally {
        renew?.cancel();
        deadline.cancel();
        end();
      }
      this.metrics.precomputeRuns.inc({ kind: e.kind, outcome: status });
      if (e.recorded) {
        await this.metadata.finishJobRun(e.id, status, counts, error).catch((err: unknown) => this.log.warn({ err, id: e.id }, 'could not record the end of a job run'));
      }
      this.lastRun.set(key, this.o.clock.now());
      this.settle(e, status, counts, error);
      // A finished maintenance run's last stretch (its final writes) rests too, holding its slot
      // so the next run waits: thousands of small users' runs would otherwise never pause while
      // the service is busy. The run is recorded and its waiters have their answer already.
      if (isMaintenance(e.kind)) await pace();
    })();
    this.running.set(key, { entry: e, controller, done });
    this.metrics.precomputeRunning.set(this.running.size);
    void done.finally(() => {
      this.running.delete(key);
      this.metrics.precomputeRunning.set(this.running.size);
      this.pump();
    });
  }

  /** `signal`: a rest ends when the run is cancelled (shutdown). */
  private slicerFor(kind: RunKind, signal: AbortSignal): Slice {
    const maintenance = isMaintenance(kind);
    const busy = maintenance ? (this.o.maintenanceBusy ?? this.o.busy) : this.o.busy;
    const sliceMs = maintenance ? this.o.maintenanceSliceMs : undefined;
    return timeSlicer({
      ...(busy ? { busy } : {}),
      ...(this.o.busyShare !== undefined ? { busyShare: this.o.busyShare } : {}),
      ...(sliceMs !== undefined ? { sliceMs } : {}),
      signal,
      gate: this.gate,
    });
  }

  private settle(e: Entry, status: JobStatus, counts: Record<string, number>, error: string): void {
    const r: JobRun = { id: e.id, userId: e.userId, kind: e.kind, status, trigger: e.trigger, queuedAtMs: e.queuedAtMs, startedAtMs: e.startedAtMs, finishedAtMs: this.o.clock.now(), counts, error };
    this.byId.delete(e.id);
    this.recent.set(e.id, r);
    // Keep the last 1,000 finished runs for GetJob without a database round trip.
    if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value!);
    for (const w of e.waiters) w(r);
  }

  private scheduleTick(): void {
    if (this.closed || this.o.tickMs <= 0) return;
    this.tickTimer = this.o.clock.after(this.o.tickMs, () => {
      this.tick();
      this.scheduleTick();
    });
  }

  /** Enqueues every dirty (user, kind) whose interval has passed since its last run. */
  tick(): void {
    const now = this.o.clock.now();
    for (const [key, d] of [...this.dirty]) {
      const interval = this.o.intervals[d.kind];
      if (interval <= 0) continue;
      const last = this.lastRun.get(key) ?? 0;
      if (last !== 0 && now - last < interval) continue;
      if (this.pending.has(key) || this.running.has(key)) continue;
      this.dirty.delete(key);
      void this.enqueue(d.userId, d.kind, 'interval');
    }
  }

  /** Stops timers, cancels queued runs and the running ones (their signal fires), waits for them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tickTimer?.cancel();
    this.wakeTimer?.handle.cancel();
    this.holdTimer?.cancel();
    for (const e of this.queue.splice(0)) {
      this.pending.delete(e.key);
      if (e.recorded) await this.metadata.finishJobRun(e.id, 'CANCELLED', {}, 'the service shut down').catch(() => undefined);
      this.settle(e, 'CANCELLED', {}, 'the service shut down');
    }
    this.metrics.precomputeQueueDepth.set(0);
    const runs = [...this.running.values()];
    // A paused job waiting at a slice wakes up on its signal and sees it.
    for (const r of runs) r.controller.abort(new CancelledError('the service is shutting down'));
    await Promise.all(runs.map((r) => r.done));
    this.gate.resume();
  }
}
