/**
 * Foreground load for yielding background work, from the gRPC server's own counters sampled
 * every 250 ms over the last 1–1.25 s: calls started (a high rate of small calls) and the share
 * of time at least one call was in flight (a few heavy calls, such as bulk RememberBatch).
 * Not event-loop utilization: a running job's own work would make the service look busy to it.
 */
export class LoadMonitor {
  private readonly calls: number[] = [];
  private readonly occupied: number[] = [];
  private lastCalls = 0;
  private lastOccupied = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly started: () => number,
    private readonly occupiedMs: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {}
  start(): void {
    this.lastCalls = this.started();
    this.lastOccupied = this.occupiedMs();
    this.lastAt = this.now();
    this.timer ??= setInterval(() => this.sample(), 250);
    this.timer.unref();
  }
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
  private sample(): void {
    const calls = this.started();
    const occupied = this.occupiedMs();
    this.calls.push(calls - this.lastCalls);
    this.occupied.push(occupied - this.lastOccupied);
    this.lastCalls = calls;
    this.lastOccupied = occupied;
    this.lastAt = this.now();
    if (this.calls.length > 4) {
      this.calls.shift();
      this.occupied.shift();
    }
  }
  /** Calls started over the last 1–1.25 s: four full samples and the one being counted. */
  rate(): number {
    return this.calls.reduce((a, b) => a + b, 0) + (this.started() - this.lastCalls);
  }
  /** Share of the same span during which at least one call was in flight (0–1). */
  occupancy(): number {
    const span = this.occupied.length * 250 + (this.now() - this.lastAt);
    if (span <= 0) return 0;
    return Math.min(1, (this.occupied.reduce((a, b) => a + b, 0) + (this.occupiedMs() - this.lastOccupied)) / span);
  }
  busy(maxRate: number, maxOccupancy: number): boolean {
    return this.rate() >= maxRate || this.occupancy() >= maxOccupancy;
  }
}
