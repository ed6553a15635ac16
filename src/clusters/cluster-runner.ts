/**
 * ClusterRunner: runs HDBSCAN in a worker thread, one job at a time, started on first use and
 * stopped when idle (no thread is kept for a service that never clusters). A job that outlives
 * its signal terminates the worker (HDBSCAN has no cancellation points); the next job starts a
 * fresh one.
 */
import type { Worker } from 'node:worker_threads';
import { CancelledError, UnavailableError } from '../errors.js';
import { startModuleWorker } from '../worker-thread.js';
import type { HdbscanOptions, HdbscanResult, KnnDistances } from './hdbscan.js';

interface Pending {
  /** The worker the job was sent to: only its exit fails the job. */
  worker: Worker;
  resolve: (r: HdbscanResult & { ms: number }) => void;
  reject: (e: unknown) => void;
}

export class ClusterRunner {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private chain: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly idleMs = 30_000) {}

  run(g: KnnDistances, o: HdbscanOptions, points?: { vectors: Float32Array; dims: number }, signal?: AbortSignal): Promise<HdbscanResult & { ms: number }> {
    const job = this.chain.then(() => this.runNow(g, o, points, signal));
    this.chain = job.catch(() => undefined);
    return job;
  }

  private runNow(g: KnnDistances, o: HdbscanOptions, points: { vectors: Float32Array; dims: number } | undefined, signal?: AbortSignal): Promise<HdbscanResult & { ms: number }> {
    if (this.closed) return Promise.reject(new UnavailableError('the cluster runner is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new CancelledError());
    clearTimeout(this.idleTimer);
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<HdbscanResult & { ms: number }>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(signal!.reason instanceof Error ? signal!.reason : new CancelledError());
        void this.stopWorker();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        this.idleTimer = setTimeout(() => void this.stopWorker(), this.idleMs);
        this.idleTimer.unref();
      };
      this.pending.set(id, {
        worker: w,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      // Copies (not transfers): callers keep their graph. Vectors on a SharedArrayBuffer are shared, not copied.
      w.postMessage({ id, n: g.n, k: g.k, neighbors: g.neighbors, distances: g.distances, vectors: points?.vectors, dims: points?.dims ?? 0, ...o });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startModuleWorker('hdbscan-worker', import.meta.url);
    w.unref();
    w.on('message', (m: { id: number; error?: string } & HdbscanResult & { ms: number }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`clustering failed: ${m.error}`));
      else p.resolve(m);
    });
    // A worker stopped when idle or after a cancelled job exits a little later, possibly after
    // the next job went to its successor: fail only the jobs that were sent to this one.
    const fail = (why: string) => {
      for (const [id, p] of this.pending) {
        if (p.worker !== w) continue;
        this.pending.delete(id);
        p.reject(new UnavailableError(why));
      }
      if (this.worker === w) this.worker = undefined;
    };
    w.on('error', (e) => fail(`clustering worker crashed: ${e.message}`));
    w.on('exit', (code) => fail(`clustering worker exited (${code})`));
    this.worker = w;
    return w;
  }

  private async stopWorker(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.stopWorker();
  }
}
