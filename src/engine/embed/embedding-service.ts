/**
 * EmbeddingService: what the engine calls to embed. Wraps an Embedder with
 * - a cache by (model, sha1(text)): L1 always; L2 too for `shared` texts (queries, which repeat
 *   across instances; memory texts rarely do, so they do not fill Redis);
 * - micro-batching without a timer on the idle path: while fewer than `maxInflight` provider
 *   calls run, texts go out at the end of the current tick (callers in the same tick share the
 *   call); texts that arrive while the calls are busy form the next batch (up to `batchMax`).
 *   So one caller pays no wait, and under load batches grow by themselves. `batchWaitMs` adds
 *   an optional wait for providers that charge per request.
 */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../../errors.js';
import { embeddingCodec } from '../cache/codecs.js';
import type { TieredCache } from '../cache/tiered-cache.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Embedder } from './embedder.js';
import { cacheKeys } from '../cache/keys.js';

interface Waiter {
  text: string;
  resolve: (v: Float32Array) => void;
  reject: (e: unknown) => void;
}

export class EmbeddingService {
  private pending: Waiter[] = [];
  private scheduled = false;
  private inflight = 0;

  constructor(
    private readonly embedder: Embedder,
    private readonly cache: TieredCache,
    private readonly metrics: Metrics,
    private readonly o: { batchMax: number; batchWaitMs: number; maxInflight: number },
  ) {}

  get modelId(): string {
    return this.embedder.modelId;
  }

  async embed(texts: readonly string[], signal?: AbortSignal, shared = false): Promise<Float32Array[]> {
    throwIfAborted(signal);
    const keys = texts.map((t) => cacheKeys.embedding(this.embedder.modelId, createHash('sha1').update(t).digest('base64url')));
    let out: Float32Array[];
    if (shared) {
      const got = await Promise.all(keys.map((k, i) => this.cache.get(k, embeddingCodec, () => this.enqueue(texts[i]!))));
      out = got.map((g) => g!.value);
    } else {
      const l1 = this.cache.l1;
      const ttl = this.cache.ttlFor('l1', 'embedding');
      out = await Promise.all(
        keys.map(async (k, i) => {
          const hit = l1.get<Float32Array>(k, 'embedding');
          if (hit) return hit;
          const v = await this.enqueue(texts[i]!);
          l1.set(k, v, ttl, embeddingCodec.bytes(v));
          return v;
        }),
      );
    }
    throwIfAborted(signal);
    return out;
  }

  private enqueue(text: string): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inflight >= this.o.maxInflight) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.o.batchWaitMs > 0) setTimeout(go, this.o.batchWaitMs);
    else setImmediate(go);
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inflight < this.o.maxInflight) {
      const batch = this.pending.splice(0, this.o.batchMax);
      this.inflight++;
      this.metrics.embedBatchSize.observe(batch.length);
      const end = this.metrics.embedDuration.startTimer();
      this.embedder
        .embed(batch.map((w) => w.text))
        .then(
          (vecs) => batch.forEach((w, i) => w.resolve(vecs[i]!)),
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          end();
          this.inflight--;
          this.schedule();
        });
    }
  }
}
