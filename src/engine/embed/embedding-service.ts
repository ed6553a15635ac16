/**
 * EmbeddingService: what the engine calls to embed. Wraps an Embedder with
 * - a cache by (model, sha1(text)) in the L1 tier, so repeated queries cost nothing;
 * - micro-batching: texts from concurrent calls that arrive within `batchWaitMs` (or until
 *   `batchMax`) go to the provider in one call.
 */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../../errors.js';
import type { L1Cache } from '../cache/l1-cache.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Embedder } from './embedder.js';

interface Waiter {
  text: string;
  resolve: (v: Float32Array) => void;
  reject: (e: unknown) => void;
}

export class EmbeddingService {
  private pending: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly embedder: Embedder,
    private readonly cache: L1Cache,
    private readonly metrics: Metrics,
    private readonly o: { batchMax: number; batchWaitMs: number; ttlMs: number },
  ) {}

  get modelId(): string {
    return this.embedder.modelId;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    throwIfAborted(signal);
    const keys = texts.map((t) => `e:${this.embedder.modelId}:${createHash('sha1').update(t).digest('base64url')}`);
    const out: (Float32Array | undefined)[] = keys.map((k) => this.cache.get<Float32Array>(k, 'embedding'));
    const missing: number[] = [];
    out.forEach((v, i) => v === undefined && missing.push(i));
    if (missing.length > 0) {
      const vecs = await Promise.all(missing.map((i) => this.enqueue(texts[i]!)));
      missing.forEach((i, j) => {
        out[i] = vecs[j]!;
        this.cache.set(keys[i]!, vecs[j]!, this.o.ttlMs, vecs[j]!.byteLength + 64);
      });
    }
    throwIfAborted(signal);
    return out as Float32Array[];
  }

  private enqueue(text: string): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      if (this.pending.length >= this.o.batchMax) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.o.batchWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.o.batchMax);
    if (this.pending.length > 0) this.timer = setTimeout(() => this.flush(), 0);
    if (batch.length === 0) return;
    this.metrics.embedBatchSize.observe(batch.length);
    const end = this.metrics.embedDuration.startTimer();
    this.embedder.embed(batch.map((w) => w.text)).then(
      (vecs) => {
        end();
        batch.forEach((w, i) => w.resolve(vecs[i]!));
      },
      (err: unknown) => {
        end();
        for (const w of batch) w.reject(err);
      },
    );
  }
}
