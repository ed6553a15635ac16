/**
 * HDBSCAN over a kNN graph: against the hdbscan-ts reference (full mutual-reachability graph),
 * against known clusters, and on edge cases.
 *
 * About the reference: hdbscan-ts selects clusters by comparing a cluster's stability with the
 * sum over *all* its descendants, and so on data with noise, or with small tight clusters, it
 * leaves large shares of clearly clustered points unlabelled (e.g. 148 of 200 points in four
 * tight blobs; 367 of 500 in six separated ones). It is a fair reference only on balanced,
 * well-separated clusters, which is what the agreement test uses; the other tests check the
 * known labels instead. (Offline, scikit-learn 1.9's HDBSCAN agreed with this implementation at
 * ARI 0.99–1.00 on noisy data up to 2,000 points; with a full graph the labels were identical.)
 */
import { HDBSCAN } from 'hdbscan-ts';
import { describe, expect, it } from 'vitest';
import { hdbscan, sortByWeight } from '../../src/clusters/hdbscan.js';
import { adjustedRandIndex, exactKnn } from '../../src/clusters/knn.js';
import { CONFIG_SPEC } from '../../src/config.js';
import { rng } from '../helpers.js';

/** The deployment default: the neighbours per memory the service clusters with. */
const K = CONFIG_SPEC.clusterKnnK.default;

/** Unit vectors around `clusters` random centres; `noise` of them uniform (label −1). */
function blobs(n: number, dims: number, clusters: number, seed: number, spread: number, noise = 0): { vectors: Float32Array; truth: Int32Array } {
  const r = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, g));
  const vectors = new Float32Array(n * dims);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const isNoise = noise > 0 && r() < noise;
    const c = i % clusters;
    truth[i] = isNoise ? -1 : c;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = isNoise ? g() : centres[c]![d]! + g() * spread;
      vectors[i * dims + d] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dims; d++) vectors[i * dims + d]! /= norm;
  }
  return { vectors, truth };
}

const OPTS = { minClusterSize: 10, minSamples: 5 };

describe('HDBSCAN over a kNN graph', () => {
  it.each([
    [600, 32, 6, 0.3, 1],
    [800, 32, 8, 0.3, 2],
    [1000, 64, 8, 0.4, 1],
  ])(
    'agrees with hdbscan-ts (full graph) on %i points, %i-d, %i clusters (ARI ≥ 0.95)',
    (n, dims, clusters, spread, seed) => {
      const { vectors, truth } = blobs(n, dims, clusters, seed * 1000 + n, spread);
      const rows = Array.from({ length: n }, (_, i) => Array.from(vectors.subarray(i * dims, (i + 1) * dims)));
      const reference = new HDBSCAN(OPTS).fit(rows);
      const mine = hdbscan(exactKnn(vectors, n, dims, K), OPTS, { vectors, dims });
      expect(adjustedRandIndex(mine.labels, reference)).toBeGreaterThanOrEqual(0.95);
      expect(adjustedRandIndex(mine.labels, truth)).toBeGreaterThanOrEqual(0.95);
      expect(mine.clusterCount).toBe(clusters);
    },
    60_000,
  );

  it.each([
    [500, 32, 6, 0.6, 0.05],
    [1000, 64, 8, 0.8, 0.05],
    [2000, 32, 12, 0.7, 0.1],
  ])(
    'recovers known clusters among noise: %i points, %i-d, %i clusters',
    (n, dims, clusters, spread, noise) => {
      const { vectors, truth } = blobs(n, dims, clusters, n + dims, spread, noise);
      const r = hdbscan(exactKnn(vectors, n, dims, K), OPTS, { vectors, dims });
      expect(r.clusterCount).toBe(clusters);
      expect(adjustedRandIndex(r.labels, truth)).toBeGreaterThanOrEqual(0.9);
      // Most of the uniform noise is left unassigned; clustered points mostly are not.
      let noiseKept = 0;
      let clusteredDropped = 0;
      for (let i = 0; i < n; i++) {
        if (truth[i] === -1 && r.labels[i] === -1) noiseKept++;
        if (truth[i] !== -1 && r.labels[i] === -1) clusteredDropped++;
      }
      expect(noiseKept / truth.filter((x) => x === -1).length).toBeGreaterThan(0.5);
      expect(clusteredDropped / truth.filter((x) => x !== -1).length).toBeLessThan(0.1);
      for (let i = 0; i < n; i++) expect(r.probabilities[i]!).toBeGreaterThanOrEqual(r.labels[i]! < 0 ? 0 : 0.0);
    },
    60_000,
  );

  it('gives the full-graph answer from the default k-NN graph', () => {
    const n = 600;
    const dims = 24;
    const { vectors } = blobs(n, dims, 5, 77, 0.5, 0.05);
    const sparse = hdbscan(exactKnn(vectors, n, dims, K), OPTS, { vectors, dims });
    const full = hdbscan(exactKnn(vectors, n, dims, n - 1), OPTS, { vectors, dims });
    expect(adjustedRandIndex(sparse.labels, full.labels)).toBeGreaterThanOrEqual(0.95);
  });

  it('splits parts the kNN graph leaves unconnected into their own clusters', () => {
    // Three tight groups far apart: with k = 5 the graph has no edge between them.
    const dims = 8;
    const { vectors, truth } = blobs(90, dims, 3, 5, 0.02);
    const r = hdbscan(exactKnn(vectors, 90, dims, 5), OPTS, { vectors, dims });
    expect(r.clusterCount).toBe(3);
    expect(adjustedRandIndex(r.labels, truth)).toBe(1);
    // Without the points, parts are joined at infinity: still three clusters here.
    expect(hdbscan(exactKnn(vectors, 90, dims, 5), OPTS).clusterCount).toBe(3);
  });

  it('handles tiny inputs, duplicates and bad options', () => {
    const dims = 4;
    const few = blobs(5, dims, 1, 1, 0.1).vectors;
    expect(Array.from(hdbscan(exactKnn(few, 5, dims, 4), OPTS).labels)).toEqual([-1, -1, -1, -1, -1]);
    // 40 identical points and 40 others identical: finite, two clusters.
    const dup = new Float32Array(80 * dims);
    for (let i = 0; i < 80; i++) dup[i * dims + (i < 40 ? 0 : 1)] = 1;
    const r = hdbscan(exactKnn(dup, 80, dims, 10), OPTS, { vectors: dup, dims });
    expect(r.clusterCount).toBe(2);
    expect(r.stabilities.every(Number.isFinite)).toBe(true);
    expect(() => hdbscan(exactKnn(dup, 80, dims, 3), OPTS)).toThrow(RangeError);
    expect(() => hdbscan(exactKnn(dup, 80, dims, 10), { minClusterSize: 1, minSamples: 5 })).toThrow(RangeError);
  });

  it('orders edge weights like a numeric sort (radix sort on float bits)', () => {
    const r = rng(3);
    const w = Float32Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? Infinity : r() * (i % 3 ? 1 : 1000)));
    const order = sortByWeight(w);
    for (let i = 1; i < order.length; i++) expect(w[order[i]!]!).toBeGreaterThanOrEqual(w[order[i - 1]!]!);
    expect(new Set(order).size).toBe(w.length);
  });

  it('computes the adjusted Rand index', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [5, 5, 7, 7])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeLessThan(0);
  });
});
