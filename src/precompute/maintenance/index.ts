/**
 * Maintenance (DESIGN §6): TTL, decay, compression, archival and GC as per-user runs of the
 * precompute scheduler (leases, deadlines, pacing, job_runs rows), or, for a dry run, at once
 * and without writing. `maintenance` runs the five in order; its counts are prefixed by kind.
 */
import { archiveJob } from './archive.js';
import { compressJob } from './compress.js';
import type { Counts, MaintenanceDeps, MaintenanceRun } from './context.js';
import { decayJob } from './decay.js';
import { gcJob } from './gc.js';
import { ttlJob } from './ttl.js';
import type { MaintenanceKind } from '../scheduler.js';

type Step = Exclude<MaintenanceKind, 'maintenance'>;
const STEPS: readonly Step[] = ['ttl', 'decay', 'compress', 'archive', 'gc'];

export class MaintenanceJobs {
  constructor(private readonly d: MaintenanceDeps) {}

  private enabled(step: Step): boolean {
    const o = this.d.o;
    if (step === 'gc') return Object.values(o.gc).some((r) => r.enabled);
    if (step === 'archive') return o.archive.enabled && this.d.archive !== undefined;
    return o[step].enabled;
  }

  /** One run of `kind` for run.userId; a step turned off counts nothing. */
  async run(kind: MaintenanceKind, run: MaintenanceRun): Promise<Counts> {
    if (kind !== 'maintenance') return this.enabled(kind) ? this.step(kind, run) : { disabled: 1 };
    const out: Counts = {};
    for (const step of STEPS) {
      if (!this.enabled(step)) continue;
      const counts = await this.step(step, run);
      for (const [k, n] of Object.entries(counts)) out[`${step}.${k}`] = n;
    }
    return out;
  }

  private step(step: Step, run: MaintenanceRun): Promise<Counts> {
    switch (step) {
      case 'ttl':
        return ttlJob(this.d, run);
      case 'decay':
        return decayJob(this.d, run);
      case 'compress':
        return compressJob(this.d, run);
      case 'archive':
        return archiveJob(this.d, run);
      case 'gc':
        return gcJob(this.d, run);
    }
  }
}
