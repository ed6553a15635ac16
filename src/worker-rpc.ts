/**
 * Calls into a worker thread as promises: each request carries an id, the worker answers with
 * the same id and a value or an error. Errors cross as their name, message and plain fields
 * (such as a Postgres SQLSTATE `code`), since an Error's class does not survive the copy. When
 * the worker dies, every call in flight fails with the error `stopped` makes, and so does every
 * later call: the owner decides whether to start a new worker.
 */
import { parentPort, type Worker } from 'node:worker_threads';

interface Reply {
  id: number;
  value?: unknown;
  error?: { name: string; message: string; fields: Record<string, unknown> };
}

export interface WorkerClientOptions {
  worker: Worker;
  /** The error calls fail with once the worker is gone (`why` says how it went). */
  stopped: (why: string) => Error;
}

export class WorkerClient {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private gone: Error | undefined;
  private readonly worker: Worker;

  constructor(private readonly o: WorkerClientOptions) {
    this.worker = o.worker;
    this.worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error.fields, { name: m.error.name }));
      else p.resolve(m.value);
    });
    this.worker.on('error', (err) => this.fail(`crashed: ${err.message}`));
    this.worker.on('exit', (code) => this.fail(`exited with code ${code}`));
  }

  /** False once the worker has stopped (crashed, exited or terminated). */
  get alive(): boolean {
    return this.gone === undefined;
  }

  call<T>(request: object): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request });
    });
  }

  async terminate(): Promise<void> {
    this.fail('terminated');
    await this.worker.terminate();
  }

  private fail(why: string): void {
    this.gone ??= this.o.stopped(why);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(this.gone);
    }
  }
}

/** The worker's side: answers each request with what `handle` resolves to or the error it throws. */
export function serveRequests(handle: (request: never) => Promise<unknown>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests runs in a worker thread');
  port.on('message', ({ id, request }: { id: number; request: never }) => {
    handle(request).then(
      (value) => port.postMessage({ id, value } satisfies Reply),
      (err: unknown) => port.postMessage({ id, error: errorFields(err) } satisfies Reply),
    );
  });
}

function errorFields(err: unknown): NonNullable<Reply['error']> {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  return { name: err.name, message: err.message, fields };
}
