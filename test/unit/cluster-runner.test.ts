/** The HDBSCAN worker's lifecycle: a stopped worker's exit never fails a job sent to its successor. */
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterRunner } from '../../src/clusters/cluster-runner.js';
import type { KnnDistances } from '../../src/clusters/hdbscan.js';
import { CancelledError } from '../../src/errors.js';
import { rng } from '../helpers.js';

/** A kNN graph over random points on a line: enough work to keep the worker busy a while. */
function lineGraph(n: number, k: number, seed: number): KnnDistances {
  const r = rng(seed);
  const xs = Array.from({ length: n }, () => r() * 1000).sort((a, b) => a - b);
  const neighbors = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const near: { j: number; d: number }[] = [];
    for (let j = Math.max(0, i - k); j <= Math.min(n - 1, i + k); j++) if (j !== i) near.push({ j, d: Math.abs(xs[i]! - xs[j]!) });
    near.sort((a, b) => a.d - b.d);
    for (let x = 0; x < k; x++) {
      neighbors[i * k + x] = near[x]!.j;
      distances[i * k + x] = near[x]!.d;
    }
  }
  return { n, k, neighbors, distances };
}

describe('ClusterRunner', () => {
  const runner = new ClusterRunner(10);
  afterAll(() => runner.close());
  const o = { minClusterSize: 10, minSamples: 5 };

  it('runs the job after a cancelled one on a fresh worker, unharmed by the old one exiting', async () => {
    const g = lineGraph(60_000, 10, 1);
    const ac = new AbortController();
    const first = runner.run(g, o, undefined, ac.signal);
    const second = runner.run(g, o);
    setTimeout(() => ac.abort(new CancelledError()), 5);
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    const r = await second;
    expect(r.labels).toHaveLength(60_000);
  });

  it('runs a job after the idle worker was stopped', async () => {
    const g = lineGraph(2_000, 10, 2);
    await runner.run(g, o);
    await new Promise((r) => setTimeout(r, 30)); // the idle timer (10 ms) stopped the worker
    expect((await runner.run(g, o)).labels).toHaveLength(2_000);
  });

  it('clusters the same with vectors shared on a SharedArrayBuffer as with a copy', async () => {
    // Two separated groups on a line whose kNN graphs do not meet: the vectors bridge them.
    const g = lineGraph(400, 5, 3);
    const copied = new Float32Array(400 * 2);
    for (let i = 0; i < 400; i++) copied.set([i < 200 ? i : i + 10_000, 0], i * 2);
    const shared = new Float32Array(new SharedArrayBuffer(copied.byteLength));
    shared.set(copied);
    const a = await runner.run(g, o, { vectors: copied, dims: 2 });
    const b = await runner.run(g, o, { vectors: shared, dims: 2 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(shared[2 * 399]).toBe(10_399); // the caller's vectors are intact after the run
  });
});
