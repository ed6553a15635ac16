/** The foreground load signal background work yields to: calls over the last second, calls in flight. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoadMonitor } from '../../src/observability/load-monitor.js';

describe('LoadMonitor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is busy at the call rate over the last second, and calm again a second after it stops', () => {
    let started = 0;
    let inflight = 0;
    const m = new LoadMonitor(
      () => started,
      () => inflight,
    );
    m.start();
    // 20 calls/s for 2 s: below 50/s.
    for (let t = 0; t < 8; t++) {
      started += 5;
      vi.advanceTimersByTime(250);
    }
    expect(m.rate()).toBe(20);
    expect(m.busy(50, 4)).toBe(false);
    // 100 calls/s: busy within a quarter of a second.
    started += 25;
    expect(m.busy(50, 4)).toBe(false);
    vi.advanceTimersByTime(250);
    started += 25;
    expect(m.busy(50, 4)).toBe(true);
    // Quiet: a second later no longer busy.
    vi.advanceTimersByTime(1250);
    expect(m.rate()).toBe(0);
    expect(m.busy(50, 4)).toBe(false);
    // Calls in flight count on their own.
    inflight = 4;
    expect(m.busy(50, 4)).toBe(true);
    m.stop();
  });
});
