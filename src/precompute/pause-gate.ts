/**
 * PauseGate: an operator's pause of this instance's background jobs, for a bounded time.
 *
 * While paused, the scheduler starts no run and a running job waits at its next slice (within
 * a few ms), holding its place; the pause ends by itself at `until` (a forgotten pause cannot
 * stop maintenance for good) or when resumed. Paused time is tracked so a run's deadline
 * counts only the time it was allowed to work.
 */
import type { Clock, TimerHandle } from './clock.js';

export interface PauseState {
  /** Epoch ms the pause ends at; 0 = not paused. */
  pausedUntilMs: number;
}

export class PauseGate {
  private untilMs = 0;
  private sinceMs = 0;
  /** Paused time of pauses that have ended. */
  private endedPausesMs = 0;
  private timer: TimerHandle | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly o: { clock: Clock; onResume: () => void }) {}

  get paused(): boolean {
    return this.untilMs !== 0;
  }

  state(): PauseState {
    return { pausedUntilMs: this.untilMs };
  }

  /** Pauses until `durationMs` from now (a pause in force is moved to the new end). */
  pauseFor(durationMs: number): void {
    const now = this.o.clock.now();
    if (!this.paused) this.sinceMs = now;
    this.untilMs = now + durationMs;
    this.timer?.cancel();
    this.timer = this.o.clock.after(durationMs, () => this.resume());
  }

  resume(): void {
    if (!this.paused) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.endedPausesMs += this.o.clock.now() - this.sinceMs;
    this.untilMs = 0;
    for (const w of this.waiters.splice(0)) w();
    this.o.onResume();
  }

  /** Total time paused so far, the current pause included: a run's deadline is owed what this grew by. */
  pausedMs(): number {
    return this.endedPausesMs + (this.paused ? this.o.clock.now() - this.sinceMs : 0);
  }

  /** Resolves at once when not paused, else when the pause ends or `signal` fires. */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this.paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
