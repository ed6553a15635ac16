/** TriggerPrecompute, GetJob and PauseBackgroundJobs: runs asked for by callers, the state of any run, an operator's pause. */
import type { CallContext } from '../engine/memory-engine.js';
import * as v from '../engine/validate.js';
import { DeadlineExceededError, InvalidArgumentError, NotFoundError, ResourceExhaustedError, UnimplementedError } from '../errors.js';
import type { JobRun, MetadataStore } from '../metadata/metadata-store.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { MaintenanceJobs } from './maintenance/index.js';
import { isMaintenance, JOB_KINDS, type BackgroundJobsState, MAINTENANCE_KINDS, type MaintenanceKind, type PrecomputeScheduler, type RunKind } from './scheduler.js';

const KINDS: readonly string[] = [...JOB_KINDS, ...MAINTENANCE_KINDS];
/** The longest pause one call may ask for: a pause always ends by itself. */
export const MAX_PAUSE_MS = 86_400_000;

export class JobApi {
  constructor(
    private readonly d: { scheduler: PrecomputeScheduler; metadata: MetadataStore; maintenance: MaintenanceJobs; log: Logger },
    private readonly o: { enabled: boolean; queueMax: number; clock: Clock },
  ) {}

  async trigger(ctx: CallContext, rawUserId: string, rawJob: string, dryRun = false): Promise<JobRun> {
    const userId = v.checkUserId(rawUserId);
    const job = rawJob.trim().toLowerCase();
    if (!KINDS.includes(job)) throw new InvalidArgumentError('job', `must be one of ${KINDS.join(', ')}, got ${v.echo(rawJob)}`);
    if (dryRun && !isMaintenance(job)) throw new InvalidArgumentError('dry_run', `only maintenance jobs have a dry run (${MAINTENANCE_KINDS.join(', ')})`);
    if (dryRun) return this.dryRun(ctx, userId, job as MaintenanceKind);
    if (!this.o.enabled) throw new UnimplementedError('precompute is turned off on this deployment (PRECOMPUTE=false)');
    const id = await this.d.scheduler.enqueue(userId, job as RunKind, 'request', { record: true });
    if (!id) throw new ResourceExhaustedError(`the precompute queue is full (${this.o.queueMax}); try again later`);
    return this.d.scheduler.status(id)!;
  }

  /** Runs a maintenance job at once without writing; recorded as `<kind>:dry-run` so real runs never wait for it. */
  private async dryRun(ctx: CallContext, userId: string, kind: MaintenanceKind): Promise<JobRun> {
    const id = randomUUID();
    const run = { id, userId, kind: `${kind}:dry-run`, trigger: 'request' };
    const queuedAtMs = this.o.clock.now();
    await this.d.metadata.startJobRun(run, 60_000);
    const signal = ctx.signal ?? new AbortController().signal;
    try {
      const counts = await this.d.maintenance.run(kind, { userId, trigger: 'request', signal, startedAtMs: queuedAtMs, pace: () => Promise.resolve(), dryRun: true });
      await this.d.metadata.finishJobRun(id, 'SUCCEEDED', counts, '');
      return { ...run, status: 'SUCCEEDED', queuedAtMs, startedAtMs: queuedAtMs, finishedAtMs: this.o.clock.now(), counts, error: '' };
    } catch (err) {
      await this.d.metadata.finishJobRun(id, 'FAILED', {}, err instanceof Error ? err.message : String(err)).catch(() => undefined);
      throw err;
    }
  }

  async getJob(_ctx: CallContext, rawUserId: string, rawId: string): Promise<JobRun> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('job_id', rawId, true);
    const local = this.d.scheduler.status(id);
    if (local && local.userId === userId) return local;
    const stored = await this.d.metadata.getJobRun(userId, id);
    if (!stored) throw new NotFoundError(`job ${id} not found`);
    return stored;
  }

  /** Pauses this instance's runs for `durationMs` (0 resumes them); answers the state after. */
  pause(ctx: CallContext, rawDurationMs: number): BackgroundJobsState {
    const durationMs = Number(rawDurationMs);
    if (!Number.isSafeInteger(durationMs) || durationMs < 0 || durationMs > MAX_PAUSE_MS) {
      throw new InvalidArgumentError('duration_ms', `must be a whole number of ms from 0 (resume) to ${MAX_PAUSE_MS} (24 h), got ${v.echo(String(rawDurationMs))}`);
    }
    if (!this.o.enabled) throw new UnimplementedError('precompute is turned off on this deployment (PRECOMPUTE=false)');
    const state = this.d.scheduler.pause(durationMs);
    this.d.log.info({ durationMs, actor: ctx.actor, requestId: ctx.requestId, ...state }, durationMs > 0 ? 'background jobs paused' : 'background jobs resumed');
    return state;
  }

  /** Waits for a run to finish (tests, benchmarks). */
  waitForJob(id: string, timeoutMs = 60_000): Promise<JobRun> {
    return Promise.race([
      this.d.scheduler.wait(id),
      new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new DeadlineExceededError(`job ${id} did not finish in ${timeoutMs} ms`)), timeoutMs);
        t.unref();
      }),
    ]);
  }
}
