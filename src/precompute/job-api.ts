/** TriggerPrecompute and GetJob: runs asked for by callers, and the state of any run. */
import type { CallContext } from '../engine/memory-engine.js';
import * as v from '../engine/validate.js';
import { DeadlineExceededError, InvalidArgumentError, NotFoundError, ResourceExhaustedError, UnimplementedError } from '../errors.js';
import type { JobRun, MetadataStore } from '../metadata/metadata-store.js';
import { JOB_KINDS, type JobKind, type PrecomputeScheduler } from './scheduler.js';

export class JobApi {
  constructor(
    private readonly d: { scheduler: PrecomputeScheduler; metadata: MetadataStore },
    private readonly o: { enabled: boolean; queueMax: number },
  ) {}

  async trigger(_ctx: CallContext, rawUserId: string, rawJob: string): Promise<JobRun> {
    const userId = v.checkUserId(rawUserId);
    const job = rawJob.trim().toLowerCase();
    if (job === 'maintenance') throw new UnimplementedError('maintenance jobs (decay, TTL, compression, archival, GC) are not built yet');
    if (!(JOB_KINDS as readonly string[]).includes(job)) throw new InvalidArgumentError('job', `must be one of ${JOB_KINDS.join(', ')}, got ${v.echo(rawJob)}`);
    if (!this.o.enabled) throw new UnimplementedError('precompute is turned off on this deployment (PRECOMPUTE=false)');
    const id = await this.d.scheduler.enqueue(userId, job as JobKind, 'request', { record: true });
    if (!id) throw new ResourceExhaustedError(`the precompute queue is full (${this.o.queueMax}); try again later`);
    return this.d.scheduler.status(id)!;
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
