/**
 * Every Qdrant request goes through `QdrantTransport.call`: one timeout per attempt, the caller's
 * deadline/cancellation, retries with backoff for idempotent calls on transient failures, metrics,
 * and the single translation of Qdrant and socket errors into the service's errors.
 */
import { QdrantClient } from '@qdrant/js-client-rest';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { MemoryError, ResourceExhaustedError, throwIfAborted, UnavailableError } from '../../../errors.js';
import type { Metrics } from '../../../observability/metrics.js';
import { sleep } from '../../../sleep.js';

export type QdrantApi = ReturnType<QdrantClient['api']>;

export interface TransportOptions {
  url: string;
  apiKey?: string;
  /** Bound of one attempt when the caller has no tighter deadline. */
  timeoutMs: number;
  /** Extra attempts for idempotent calls after a transient failure. */
  retries: number;
  /**
   * Reuse connections (default). false: one connection per request, which costs a TCP
   * handshake and leaves a TIME_WAIT socket per request (port exhaustion at high rates); an
   * escape hatch for a proxy in front of Qdrant that stalls reused connections.
   */
  keepAlive?: boolean;
  /**
   * Ask for compressed responses (off by default). Qdrant's REST server (actix) leaves
   * Nagle's algorithm on, and a compressed response is sent chunked, in several small writes:
   * the last one waits for the client's delayed ACK — 40 ms on Linux — on every reused
   * connection where requests come one at a time. Uncompressed responses (a few KB here) go
   * out in one write and do not wait.
   */
  compression?: boolean;
  log: Logger;
  metrics?: Metrics;
}

/** A collection (or alias) that does not exist. Callers decide what that means. */
export class CollectionMissingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollectionMissingError';
  }
}

/** Qdrant answered and refused the request (not transient). */
export class QdrantRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QdrantRequestError';
  }
}

const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface Translated {
  error: Error;
  transient: boolean;
}

function socketCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return code;
    const errors = (cur as { errors?: unknown[] }).errors; // AggregateError (happy eyeballs)
    if (Array.isArray(errors)) for (const x of errors) if (socketCode(x)) return socketCode(x);
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function qdrantMessage(data: unknown): string {
  const s = (data as { status?: { error?: unknown } } | undefined)?.status?.error;
  return typeof s === 'string' ? s : typeof data === 'string' ? data.slice(0, 300) : '';
}

/** The one mapping of Qdrant/transport failures to service errors. */
export function translateQdrantError(e: unknown, op: string, timeoutMs: number): Translated {
  if (e instanceof MemoryError || e instanceof CollectionMissingError || e instanceof QdrantRequestError) return { error: e, transient: false };
  const status = (e as { status?: unknown }).status;
  if (typeof status === 'number') {
    const msg = qdrantMessage((e as { data?: unknown }).data);
    const cause = { cause: e };
    // Every call here names a collection or an alias, and a missing one is what Qdrant answers
    // 404 for (a missing point is an empty result, not a 404).
    if (status === 404) return { error: new CollectionMissingError(`qdrant ${op}: not found ${msg}`.trim(), cause), transient: false };
    if (status === 401 || status === 403) return { error: new UnavailableError(`qdrant refused ${op}: check QDRANT_API_KEY (${status})`, cause), transient: false };
    if (status === 429) return { error: new ResourceExhaustedError(`qdrant is rate limiting ${op}`, cause), transient: false };
    if (status === 502 || status === 503 || status === 504) return { error: new UnavailableError(`qdrant ${op} failed: ${status} ${msg}`.trim(), cause), transient: true };
    if (status >= 500) return { error: new UnavailableError(`qdrant ${op} failed: ${status} ${msg}`.trim(), cause), transient: false };
    return { error: new QdrantRequestError(status, `qdrant rejected ${op}: ${status} ${msg}`.trim(), cause), transient: false };
  }
  const name = (e as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { error: new UnavailableError(`qdrant did not answer ${op} within ${timeoutMs} ms`, { cause: e }), transient: true };
  }
  const code = socketCode(e);
  if (code) return { error: new UnavailableError(`qdrant is unreachable (${code}) during ${op}`, { cause: e }), transient: true };
  if (e instanceof TypeError && /fetch failed|terminated/i.test(e.message)) {
    return { error: new UnavailableError(`qdrant connection failed during ${op}: ${e.message}`, { cause: e }), transient: true };
  }
  return { error: e instanceof Error ? e : new Error(String(e)), transient: false };
}

export class QdrantTransport {
  readonly client: QdrantClient;
  readonly api: QdrantApi;
  /** Replaces the client's pooled dispatcher when connections must not be reused. */
  private readonly dispatcher: Dispatcher | undefined;

  constructor(private readonly o: TransportOptions) {
    // No client-level timeout (each call brings its own signal) and no version probe at
    // construction: readiness checks the version and says what is missing.
    const headers = o.compression ? {} : { 'accept-encoding': 'identity' };
    this.client = new QdrantClient({ url: o.url, ...(o.apiKey ? { apiKey: o.apiKey } : {}), headers, timeout: Infinity, checkCompatibility: false });
    this.api = this.client.api();
    this.dispatcher = o.keepAlive === false ? new Agent({ pipelining: 0, bodyTimeout: 0, headersTimeout: 0 }) : undefined;
  }

  /**
   * Runs `fn` with a signal that fires at the caller's deadline/cancellation or after the
   * attempt timeout. Idempotent calls are retried on transient failures while time is left.
   */
  async call<T>(op: string, fn: (init: { signal: AbortSignal }) => Promise<{ data: { result?: T } }>, o: { signal?: AbortSignal; idempotent?: boolean } = {}): Promise<T> {
    const data = await this.callRaw<{ result?: T }>(op, fn, o);
    return data.result as T;
  }

  /** Like `call`, for the few endpoints whose body is not wrapped in `result` (the root). */
  async callRaw<T>(op: string, fn: (init: { signal: AbortSignal }) => Promise<{ data: T }>, o: { signal?: AbortSignal; idempotent?: boolean } = {}): Promise<T> {
    const attempts = (o.idempotent ?? true) ? this.o.retries + 1 : 1;
    const t0 = performance.now();
    let outcome = 'ok';
    try {
      for (let attempt = 1; ; attempt++) {
        throwIfAborted(o.signal);
        const timeout = AbortSignal.timeout(this.o.timeoutMs);
        const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
        try {
          // The per-call init is merged over the client's, so a dispatcher given here wins.
          const res = await fn((this.dispatcher ? { signal, dispatcher: this.dispatcher } : { signal }) as { signal: AbortSignal });
          return res.data;
        } catch (e) {
          throwIfAborted(o.signal); // the caller's deadline, not Qdrant, ended it
          const t = translateQdrantError(e, op, this.o.timeoutMs);
          if (!t.transient || attempt >= attempts) {
            outcome = t.error instanceof CollectionMissingError ? 'missing' : t.transient ? 'unavailable' : 'error';
            throw t.error;
          }
          this.o.metrics?.qdrantRetries.inc({ op });
          this.o.log.debug({ op, attempt, err: t.error.message }, 'qdrant call failed; retrying');
          await sleep(Math.min(25 * 2 ** (attempt - 1), 200) * (0.5 + Math.random()), o.signal);
        }
      }
    } catch (e) {
      if (outcome === 'ok') outcome = 'aborted';
      throw e;
    } finally {
      this.o.metrics?.qdrantRequests.inc({ op, outcome });
      this.o.metrics?.qdrantRetries.inc({ op }, 0); // every op that ran has a retries series, 0 until one happens
      this.o.metrics?.qdrantDuration.observe({ op }, (performance.now() - t0) / 1000);
    }
  }
}
