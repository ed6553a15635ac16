/** Background jobs' time slicing: a turn of the event loop between slices, a rest in proportion while busy. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timeSlicer } from '../../src/precompute/slicer.js';

describe('timeSlicer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'setImmediate'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const settled = (p: Promise<void>) => {
    let done = false;
    void p.then(() => (done = true));
    return () => done;
  };

  it('returns at once inside a slice, and gives the loop a turn after one', async () => {
    const slice = timeSlicer({ sliceMs: 5 });
    vi.advanceTimersByTime(2);
    const quick = settled(slice());
    await Promise.resolve();
    expect(quick()).toBe(true);

    vi.advanceTimersByTime(6);
    const turned = settled(slice());
    await Promise.resolve();
    expect(turned()).toBe(false); // waits for setImmediate, behind pending I/O
    await vi.advanceTimersByTimeAsync(0);
    expect(turned()).toBe(true);
  });

  it('rests in proportion to the work while busy, so the job keeps only its share', async () => {
    let busy = true;
    const slice = timeSlicer({ sliceMs: 5, busy: () => busy, busyShare: 0.2 });
    vi.advanceTimersByTime(10); // 10 ms of work at a 20% share: 40 ms of rest
    const rest = settled(slice());
    await vi.advanceTimersByTimeAsync(39);
    expect(rest()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(rest()).toBe(true);

    busy = false;
    vi.advanceTimersByTime(10);
    const free = settled(slice());
    await vi.advanceTimersByTimeAsync(0);
    expect(free()).toBe(true);
  });

  it('never rests longer than a second, and a share of 1 never rests', async () => {
    const long = timeSlicer({ sliceMs: 5, busy: () => true, busyShare: 0.01 });
    vi.advanceTimersByTime(500); // would be 49.5 s of rest
    const capped = settled(long());
    await vi.advanceTimersByTimeAsync(1000);
    expect(capped()).toBe(true);

    const full = timeSlicer({ sliceMs: 5, busy: () => true, busyShare: 1 });
    vi.advanceTimersByTime(50);
    const now = settled(full());
    await vi.advanceTimersByTimeAsync(0);
    expect(now()).toBe(true);
  });
});
