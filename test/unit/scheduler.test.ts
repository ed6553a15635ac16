/**
 * PrecomputeScheduler with a controllable clock, recording into a real (embedded) metadata
 * store: no overlap per (user, kind), concurrency, bounded queue, deadlines, cancellation on
 * shutdown, intervals, cross-instance leases.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPGlite } from '../../src/metadata/pglite/index.js';
import { SqlMetadataStore } from '../../src/metadata/sql-metadata-store.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createLogger } from '../../src/observability/logger.js';
import { ManualClock } from '../../src/precompute/clock.js';
import { PrecomputeScheduler, type JobContext, type JobHandler, type JobKind, type SchedulerOptions } from '../../src/precompute/scheduler.js';
import { tempDir } from '../helpers.js';

let dir = '';
let metadata: SqlMetadataStore;
beforeAll(async () => {
  dir = await tempDir('me-sched-');
  metadata = new SqlMetadataStore({ kind: 'pglite', db: await openPGlite(join(dir, 'md')) });
  await metadata.open();
});
afterAll(async () => {
  await metadata?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A handler whose runs the test finishes by hand; it records overlap per user. */
function controllable() {
  const running = new Map<string, number>();
  let maxOverlap = 0;
  let maxParallel = 0;
  const calls: JobContext[] = [];
  const finishers: (() => void)[] = [];
  const handler: JobHandler = (ctx) => {
    calls.push(ctx);
    running.set(ctx.userId, (running.get(ctx.userId) ?? 0) + 1);
    maxOverlap = Math.max(maxOverlap, running.get(ctx.userId)!);
    maxParallel = Math.max(
      maxParallel,
      [...running.values()].reduce((a, b) => a + b, 0),
    );
    return new Promise((resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      finishers.push(() => resolve({ done: 1 }));
    }).finally(() => running.set(ctx.userId, running.get(ctx.userId)! - 1)) as Promise<Record<string, number>>;
  };
  return {
    handler,
    calls,
    finishNext: () => finishers.shift()?.(),
    get maxOverlap() {
      return maxOverlap;
    },
    get maxParallel() {
      return maxParallel;
    },
    get waiting() {
      return finishers.length;
    },
  };
}

function scheduler(handler: JobHandler, over: Partial<SchedulerOptions> = {}, metrics = new Metrics()) {
  const clock = (over.clock as ManualClock | undefined) ?? new ManualClock(Date.now());
  const handlers = { clusters: handler, profile: handler, summaries: handler, similarity: handler, ttl: handler } as Record<JobKind | 'ttl', JobHandler>;
  const s = new PrecomputeScheduler(handlers, metadata, metrics, createLogger('silent'), {
    concurrency: 2,
    queueMax: 100,
    jobTimeoutMs: 60_000,
    leaseMs: 30_000,
    intervals: { clusters: 0, profile: 3_600_000, summaries: 0, similarity: 0 },
    tickMs: 60_000,
    minGapMs: 0,
    ...over,
    clock,
  });
  return { s, clock, metrics };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('PrecomputeScheduler', () => {
  it('never runs one kind twice at once for a user: triggers join the queued run, one follow-up after a running one', async () => {
    const h = controllable();
    const { s } = scheduler(h.handler);
    const first = await s.enqueue('u1', 'profile', 'memories');
    await until(() => h.calls.length === 1);
    // While it runs: the next trigger queues one follow-up; more triggers join that one.
    const second = await s.enqueue('u1', 'profile', 'memories');
    const third = await s.enqueue('u1', 'profile', 'session');
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect(s.status(second!)?.status).toBe('QUEUED');
    expect(s.status(first!)?.status).toBe('RUNNING');
    h.finishNext();
    expect((await s.wait(first!)).status).toBe('SUCCEEDED');
    await until(() => h.calls.length === 2);
    h.finishNext();
    expect((await s.wait(second!)).status).toBe('SUCCEEDED');
    expect(h.maxOverlap).toBe(1);
    // Recorded with outcome and counts.
    const row = await metadata.getJobRun('u1', first!);
    expect(row).toMatchObject({ status: 'SUCCEEDED', kind: 'profile', trigger: 'memories', counts: { done: 1 } });
    await s.close();
  });

  it('holds a triggered follow-up until the minimum gap after the last run; a request does not wait', async () => {
    const h = controllable();
    const { s, clock } = scheduler(h.handler, { minGapMs: 30_000 });
    const first = await s.enqueue('gap', 'profile', 'memories');
    await until(() => h.calls.length === 1);
    const next = await s.enqueue('gap', 'profile', 'profile-change');
    h.finishNext();
    await s.wait(first!);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(1);
    expect(s.status(next!)?.status).toBe('QUEUED');
    clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(1);
    clock.advance(1_000);
    await until(() => h.calls.length === 2);
    h.finishNext();
    await s.wait(next!);
    // A trigger now is held again — until someone asks for it.
    const third = await s.enqueue('gap', 'profile', 'memories');
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(2);
    expect(await s.enqueue('gap', 'profile', 'request')).toBe(third);
    await until(() => h.calls.length === 3);
    h.finishNext();
    expect((await s.wait(third!)).status).toBe('SUCCEEDED');
    await s.close();
  });

  it('holds triggered runs while the service is busy (up to a limit), never requests', async () => {
    const h = controllable();
    let busy = true;
    const { s, clock } = scheduler(h.handler, { busy: () => busy, holdCheckMs: 100, maxHoldMs: 10_000 });
    const triggered = await s.enqueue('b1', 'summaries', 'memories');
    const asked = await s.enqueue('b2', 'summaries', 'request');
    await until(() => h.calls.length === 1);
    expect(h.calls[0]!.userId).toBe('b2');
    h.finishNext();
    await s.wait(asked!);
    clock.advance(500);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(1);
    busy = false;
    clock.advance(100);
    await until(() => h.calls.length === 2);
    h.finishNext();
    await s.wait(triggered!);
    // Busy for good: a held run still starts once it has waited maxHoldMs.
    busy = true;
    const late = await s.enqueue('b3', 'summaries', 'memories');
    clock.advance(9_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(2);
    clock.advance(1_100);
    await until(() => h.calls.length === 3);
    h.finishNext();
    expect((await s.wait(late!)).status).toBe('SUCCEEDED');
    await s.close();
  });

  it('paces maintenance runs by their own view of the load, other runs by the common one', async () => {
    let inPace = false;
    const asked = { common: 0, maintenance: 0 };
    const handler: JobHandler = async (ctx) => {
      const until = performance.now() + 10; // longer than any slice
      while (performance.now() < until);
      inPace = true;
      await ctx.pace();
      inPace = false;
      return {};
    };
    const { s } = scheduler(handler, {
      busy: () => {
        if (inPace) asked.common++;
        return false;
      },
      maintenanceBusy: () => {
        if (inPace) asked.maintenance++;
        return false;
      },
    });
    await s.wait((await s.enqueue('p1', 'ttl', 'request'))!);
    expect(asked).toEqual({ common: 0, maintenance: 1 });
    await s.wait((await s.enqueue('p1', 'profile', 'request'))!);
    expect(asked).toEqual({ common: 1, maintenance: 1 });
    await s.close();
  });

  it("an operator's pause: nothing starts, a running job waits at its next slice, its deadline does not count the pause, and the pause ends by itself", async () => {
    let steps = 0;
    const calls: string[] = [];
    const handler: JobHandler = async (ctx) => {
      calls.push(ctx.userId);
      if (ctx.userId !== 'p1') return { steps: 0 };
      while (!ctx.signal.aborted) {
        const until = performance.now() + 6; // longer than a slice
        while (performance.now() < until);
        steps++;
        await ctx.pace();
      }
      return { steps };
    };
    const metrics = new Metrics();
    const paused = async () => (await metrics.precomputePaused.get()).values[0]?.value;
    const { s, clock } = scheduler(handler, { jobTimeoutMs: 5_000 }, metrics);
    const t0 = clock.now();
    const p1 = await s.enqueue('p1', 'ttl', 'request');
    await until(() => steps >= 2);
    expect(s.pause(10_000)).toEqual({ pausedUntilMs: t0 + 10_000, running: 1, queued: 0 });
    expect(await paused()).toBe(1);
    // The step in flight ends at its slice, and then the job waits.
    await new Promise((r) => setTimeout(r, 30));
    const held = steps;
    await new Promise((r) => setTimeout(r, 60));
    expect(steps).toBe(held);
    const p2 = await s.enqueue('p2', 'ttl', 'request');
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual(['p1']);
    expect(s.pauseState()).toEqual({ pausedUntilMs: t0 + 10_000, running: 1, queued: 1 });
    // Past the 5 s deadline, but every ms of it was paused: the run is owed that time.
    clock.advance(6_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.status(p1!)?.status).toBe('RUNNING');
    // The pause ends by itself at 10 s: the job goes on and the queued run starts.
    clock.advance(4_000);
    await until(() => steps > held && calls.length === 2);
    expect(await paused()).toBe(0);
    expect(s.pauseState().pausedUntilMs).toBe(0);
    expect((await s.wait(p2!)).status).toBe('SUCCEEDED');
    // Its deadline is now 5 s of working time after it started: t0 + 15 s.
    clock.advance(4_990);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.status(p1!)?.status).toBe('RUNNING');
    clock.advance(20);
    const r = await s.wait(p1!);
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatch(/deadline/);
    await s.close();
  });

  it('resumes at once when told; a second pause moves the end; shutdown ends a paused job', async () => {
    let steps = 0;
    const handler: JobHandler = async (ctx) => {
      while (!ctx.signal.aborted) {
        const until = performance.now() + 6;
        while (performance.now() < until);
        steps++;
        await ctx.pace();
      }
      return {};
    };
    const { s, clock } = scheduler(handler);
    const t0 = clock.now();
    const id = await s.enqueue('r1', 'ttl', 'request');
    await until(() => steps >= 1);
    s.pause(60_000);
    expect(s.pause(120_000).pausedUntilMs).toBe(t0 + 120_000);
    clock.advance(60_000);
    expect(s.pauseState().pausedUntilMs).toBe(t0 + 120_000);
    await new Promise((r) => setTimeout(r, 30));
    const held = steps;
    expect(s.pause(0).pausedUntilMs).toBe(0);
    await until(() => steps > held + 2);
    s.pause(60_000);
    await new Promise((r) => setTimeout(r, 30));
    const done = s.wait(id!);
    await s.close();
    expect((await done).status).toBe('CANCELLED');
  });

  it('runs different users side by side up to the concurrency, and the gauge counts them', async () => {
    const h = controllable();
    const metrics = new Metrics();
    const running = async () => (await metrics.precomputeRunning.get()).values[0]?.value;
    const { s } = scheduler(h.handler, { concurrency: 2 }, metrics);
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((u) => s.enqueue(u, 'clusters', 'request')));
    await until(() => h.calls.length === 2);
    expect(s.queueDepth()).toBe(2);
    expect(await running()).toBe(2);
    for (let i = 0; i < 4; i++) {
      await until(() => h.waiting > 0);
      h.finishNext();
    }
    for (const id of ids) expect((await s.wait(id!)).status).toBe('SUCCEEDED');
    expect(h.maxParallel).toBe(2);
    await until(async () => (await running()) === 0);
    await s.close();
  });

  it('bounds the queue: a trigger that finds it full is dropped and counted', async () => {
    const h = controllable();
    const metrics = new Metrics();
    const { s } = scheduler(h.handler, { concurrency: 1, queueMax: 2 }, metrics);
    await s.enqueue('a', 'profile', 'x');
    await until(() => h.calls.length === 1);
    expect(await s.enqueue('b', 'profile', 'x')).toBeDefined();
    expect(await s.enqueue('c', 'profile', 'x')).toBeDefined();
    expect(await s.enqueue('d', 'profile', 'x')).toBeUndefined();
    expect((await metrics.precomputeDropped.get()).values.find((v) => v.labels.kind === 'profile')?.value).toBe(1);
    expect((await metrics.precomputeQueueDepth.get()).values[0]?.value).toBe(2);
    await s.close();
  });

  it('stops a run at its deadline (the clock says when) and records it FAILED', async () => {
    const h = controllable();
    const { s, clock } = scheduler(h.handler, { jobTimeoutMs: 5_000 });
    const id = await s.enqueue('u-deadline', 'summaries', 'request');
    await until(() => h.calls.length === 1);
    clock.advance(4_999);
    expect(s.status(id!)?.status).toBe('RUNNING');
    clock.advance(2);
    const r = await s.wait(id!);
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatch(/deadline/);
    expect(h.calls[0]!.signal.aborted).toBe(true);
    await until(async () => (await metadata.getJobRun('u-deadline', id!))?.status === 'FAILED');
    await s.close();
  });

  it('cancels running and queued runs on shutdown', async () => {
    const h = controllable();
    const { s } = scheduler(h.handler, { concurrency: 1 });
    const running = await s.enqueue('x', 'profile', 'request', { record: true });
    await until(() => h.calls.length === 1);
    const queued = await s.enqueue('y', 'profile', 'request', { record: true });
    const rRunning = s.wait(running!);
    const rQueued = s.wait(queued!);
    await s.close();
    expect((await rRunning).status).toBe('CANCELLED');
    expect((await rQueued).status).toBe('CANCELLED');
    expect((await metadata.getJobRun('y', queued!))?.status).toBe('CANCELLED');
    expect(await s.enqueue('z', 'profile', 'x')).toBeUndefined();
  });

  it('re-runs dirty users when their interval has passed, and only then', async () => {
    const h = controllable();
    const { s, clock } = scheduler(h.handler, { tickMs: 60_000 });
    s.start();
    s.markDirty('u-int', 'profile');
    s.markDirty('u-int', 'clusters'); // interval 0: triggers only
    clock.advance(60_000);
    await until(() => h.calls.length === 1);
    expect(h.calls[0]).toMatchObject({ userId: 'u-int', trigger: 'interval' });
    h.finishNext();
    await until(() => s.lastRunAt('u-int', 'profile') > 0);
    // Dirty again soon after: not before an hour since the last run.
    s.markDirty('u-int', 'profile');
    clock.advance(30 * 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(1);
    clock.advance(31 * 60_000);
    await until(() => h.calls.length === 2);
    h.finishNext();
    // Not dirty: no more runs.
    clock.advance(2 * 3_600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.calls.length).toBe(2);
    await s.close();
  });

  it('skips a run that another instance holds, and takes over after that instance dies', async () => {
    const a = controllable();
    const b = controllable();
    const sa = scheduler(a.handler, { leaseMs: 300 }).s;
    const sb = scheduler(b.handler, { leaseMs: 300 }).s;
    const ia = await sa.enqueue('shared', 'clusters', 'request');
    await until(() => a.calls.length === 1);
    const ib = await sb.enqueue('shared', 'clusters', 'request');
    expect((await sb.wait(ib!)).status).toBe('SKIPPED');
    expect(b.calls.length).toBe(0);
    // A stops renewing (its clock never moves) and its lease runs out: B's next run takes over.
    await new Promise((r) => setTimeout(r, 400));
    const ib2 = await sb.enqueue('shared', 'clusters', 'request');
    await until(() => b.calls.length === 1);
    b.finishNext();
    expect((await sb.wait(ib2!)).status).toBe('SUCCEEDED');
    expect((await metadata.getJobRun('shared', ia!))?.status).toBe('FAILED');
    a.finishNext();
    await sa.close();
    await sb.close();
  });
});
