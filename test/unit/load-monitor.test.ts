/** The foreground load signal background work yields to: call rate and time with calls in flight. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoadMonitor } from '../../src/observability/load-monitor.js';

describe('LoadMonitor', () => {
  let now = 0;
  let started = 0;
  let occupied = 0;
  const step = (ms: number, calls: number, busyMs: number) => {
    started += calls;
    occupied += busyMs;
    now += ms;
    vi.advanceTimersByTime(ms);
  };
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    now = started = occupied = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is busy at a high call rate, and calm again about a second after it stops', () => {
    const m = new LoadMonitor(
      () => started,
      () => occupied,
      () => now,
    );
    m.start();
    for (let t = 0; t < 8; t++) step(250, 5, 10); // 20 calls/s, 4% of the time in flight
    expect(m.rate()).toBe(20);
    expect(m.occupancy()).toBeCloseTo(0.04, 5);
    expect(m.busy(50, 0.25)).toBe(false);
    started += 25;
    expect(m.busy(50, 0.25)).toBe(false); // 45 over the last second
    step(250, 0, 0);
    started += 25;
    expect(m.busy(50, 0.25)).toBe(true); // 65
    for (let t = 0; t < 5; t++) step(250, 0, 0);
    expect(m.rate()).toBe(0);
    expect(m.busy(50, 0.25)).toBe(false);
    m.stop();
  });

  it('is busy while a few heavy calls keep the server occupied, at a low call rate', () => {
    const m = new LoadMonitor(
      () => started,
      () => occupied,
      () => now,
    );
    m.start();
    for (let t = 0; t < 4; t++) step(250, t % 2, 240); // 2 calls/s, in flight 96% of the time
    expect(m.rate()).toBe(2);
    expect(m.occupancy()).toBeCloseTo(0.96, 5);
    expect(m.busy(50, 0.25)).toBe(true);
    for (let t = 0; t < 4; t++) step(250, 0, 0);
    expect(m.occupancy()).toBe(0);
    expect(m.busy(50, 0.25)).toBe(false);
    m.stop();
  });
});
