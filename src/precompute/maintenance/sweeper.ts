/**
 * MaintenanceSweeper: every MAINTENANCE_INTERVAL_MS, queues a `maintenance` run for every user
 * the store knows, a few at a time (it waits for queued runs before adding more, so a large
 * deployment never fills the precompute queue). Timers come from the Clock; close() stops it.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { PrecomputeScheduler } from '../scheduler.js';

export class MaintenanceSweeper {
  private timer: TimerHandle | undefined;
  private sweeping: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    private readonly d: { scheduler: PrecomputeScheduler; users: () => Promise<string[]>; log: Logger },
    private readonly o: { intervalMs: number; inflight: number; clock: Clock },
  ) {}

  start(): void {
    if (this.o.intervalMs > 0) this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.o.clock.after(this.o.intervalMs, () => {
      this.sweeping = this.sweep()
        .catch((err: unknown) => this.d.log.warn({ err }, 'maintenance sweep failed; next one at the next interval'))
        .finally(() => this.schedule());
    });
  }

  /** Queues a run for every user and resolves when all have finished. */
  async sweep(): Promise<number> {
    const users = await this.d.users();
    const running = new Set<Promise<unknown>>();
    let queued = 0;
    for (const userId of users) {
      if (this.closed) break;
      while (running.size >= this.o.inflight) await Promise.race(running);
      const id = await this.d.scheduler.enqueue(userId, 'maintenance', 'interval');
      if (!id) continue;
      queued++;
      const done: Promise<unknown> = this.d.scheduler.wait(id).then(
        () => running.delete(done),
        () => running.delete(done),
      );
      running.add(done);
    }
    await Promise.all(running);
    this.d.log.info({ users: users.length, queued }, 'maintenance sweep done');
    return queued;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await this.sweeping;
  }
}
