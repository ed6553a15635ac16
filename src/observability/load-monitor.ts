/**
 * Foreground load for yielding background work: gRPC calls started over the last second
 * (sampled every 250 ms) and calls in flight. Counted in requests, not event-loop
 * utilization, because a running job's own work would make the service look busy to it.
 */
export class LoadMonitor {
  private readonly window: number[] = [];
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly started: () => number,
    private readonly inflight: () => number,
  ) {}
  start(): void {
    this.last = this.started();
    this.timer ??= setInterval(() => {
      const now = this.started();
      this.window.push(now - this.last);
      this.last = now;
      if (this.window.length > 4) this.window.shift();
    }, 250);
    this.timer.unref();
  }
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
  /** Calls started over the last 1–1.25 s: four full samples and the one being counted. */
  rate(): number {
    return this.window.reduce((a, b) => a + b, 0) + (this.started() - this.last);
  }
  busy(maxRate: number, maxInflight: number): boolean {
    return this.inflight() >= maxInflight || this.rate() >= maxRate;
  }
}
