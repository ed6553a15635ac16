/**
 * Worker thread that runs HDBSCAN (seconds of CPU at 100k points) off the event loop that
 * serves requests. Messages in: {id, n, k, neighbors, distances, vectors?, dims, minClusterSize,
 * minSamples}; out: {id, labels, probabilities, clusterCount, stabilities, ms} or {id, error}.
 */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../thread-priority.js';
import { hdbscan } from './hdbscan.js';

interface Job {
  id: number;
  n: number;
  k: number;
  neighbors: Int32Array;
  distances: Float32Array;
  vectors?: Float32Array;
  dims: number;
  minClusterSize: number;
  minSamples: number;
}

// Lowest CPU priority: the request threads win the CPU, and clustering takes the time left over.
lowerThreadPriority(19);

const port = parentPort!;
port.on('message', (job: Job) => {
  const t0 = performance.now();
  try {
    const r = hdbscan(
      { n: job.n, k: job.k, neighbors: job.neighbors, distances: job.distances },
      { minClusterSize: job.minClusterSize, minSamples: job.minSamples },
      job.vectors ? { vectors: job.vectors, dims: job.dims } : undefined,
    );
    port.postMessage({ id: job.id, labels: r.labels, probabilities: r.probabilities, clusterCount: r.clusterCount, stabilities: r.stabilities, ms: performance.now() - t0 }, [
      r.labels.buffer as ArrayBuffer,
      r.probabilities.buffer as ArrayBuffer,
    ]);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
