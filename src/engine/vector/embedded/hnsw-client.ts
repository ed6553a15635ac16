/**
 * Main-thread side of the HNSW worker: request/response over postMessage, 'added' watermarks,
 * and a restart when the worker dies (graphs are then rebuilt from the partitions, and until
 * they are, searches scan exactly: slower, never wrong).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { UnavailableError } from '../../../errors.js';

interface Pending {
  resolve: (v: Reply) => void;
  reject: (e: unknown) => void;
}

export interface Reply {
  keys?: Float64Array;
  /** Batch replies: results per query, and the row width. */
  counts?: Float64Array;
  count?: number;
  saved?: boolean;
  upTo?: number;
  size?: number;
  epoch?: number;
}

export interface HnswClientEvents {
  onAdded(key: string, upTo: number, epoch: number): void;
  onRestart(): void;
}

export class HnswClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing = false;

  constructor(
    private readonly events: HnswClientEvents,
    private readonly log: Logger,
  ) {}

  start(): void {
    const w = new Worker(new URL('./hnsw-worker.js', import.meta.url));
    w.on('message', (msg: { t: string; id?: number; key?: string; message?: string } & Reply) => {
      if (msg.t === 'added') this.events.onAdded(msg.key!, msg.upTo!, msg.epoch!);
      else if (msg.t === 'reply') this.settle(msg.id, (p) => p.resolve(msg));
      else if (msg.t === 'error') {
        if (msg.id !== undefined) this.settle(msg.id, (p) => p.reject(new UnavailableError(`index worker: ${msg.message}`)));
        else this.log.error({ key: msg.key, err: msg.message }, 'index worker failed an operation');
      }
    });
    w.on('error', (err) => this.log.error({ err }, 'index worker crashed'));
    w.on('exit', (code) => {
      const failure = new UnavailableError(`index worker exited with code ${code}`);
      for (const p of this.pending.values()) p.reject(failure);
      this.pending.clear();
      this.worker = undefined;
      if (!this.closing) {
        this.log.error({ code }, 'index worker exited; restarting and rebuilding graphs');
        this.start();
        this.events.onRestart();
      }
    });
    this.worker = w;
  }

  private settle(id: number | undefined, f: (p: Pending) => void): void {
    if (id === undefined) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    f(p);
  }

  /** Fire-and-forget mutation (applied in order by the worker). */
  post(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  request(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const w = this.worker;
    if (!w) return Promise.reject(new UnavailableError('index worker is not running'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...msg, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
