/**
 * The edge's middleware: each concern of a call is one step, and a call runs through the chain
 * outermost first — metrics, the request log, drain gate, load accounting, deadline and
 * cancellation, the text rule, authentication — then the handler. Unary calls use it today; the streaming RPCs run
 * through the same chain (their handler is the part that writes the stream).
 */
import type * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallContext } from '../engine/memory-engine.js';
import { checkRequestText } from '../engine/validate.js';
import { CancelledError, DeadlineExceededError, UnavailableError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import { authorize, usersOf, type ApiKeyAuthenticator } from './auth.js';
import { statusNameOf } from './status.js';

/** One call as the steps see it. */
export interface EdgeCall {
  method: string;
  request: unknown;
  metadata: grpc.Metadata;
  /** The caller's deadline (epoch ms), if it set one. */
  deadlineMs: number | undefined;
  /** Calls `listener` when the client cancels; returns the unsubscribe. */
  onCancelled(listener: () => void): () => void;
  /** What handlers get: request id, actor, and (once the deadline step ran) the signal. */
  ctx: CallContext;
}

export type Next = () => Promise<unknown>;
export type Step = (call: EdgeCall, next: Next) => Promise<unknown>;

/** Runs `handler` inside `steps`, the first step outermost. */
export function compose(steps: readonly Step[], handler: (call: EdgeCall) => Promise<unknown>): (call: EdgeCall) => Promise<unknown> {
  return (call) => {
    const run = (i: number): Promise<unknown> => (i === steps.length ? handler(call) : steps[i]!(call, () => run(i + 1)));
    return run(0);
  };
}

/** An EdgeCall for a grpc-js server call; request id and actor come from the call's metadata. */
export function edgeCall(method: string, call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): EdgeCall {
  const md = call.metadata;
  const first = (k: string) => {
    const v = md.get(k)[0];
    return typeof v === 'string' && v.length <= 128 ? v : undefined;
  };
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? Number(deadline) : undefined;
  return {
    method,
    request: call.request,
    metadata: md,
    deadlineMs,
    onCancelled: (listener) => {
      call.on('cancelled', listener);
      return () => call.removeListener('cancelled', listener);
    },
    ctx: { requestId: first('x-request-id') ?? randomUUID(), actor: first('x-actor-id') ?? 'anonymous', ...(deadlineMs !== undefined ? { deadlineMs } : {}) },
  };
}

/** Latency histogram and a count by status code per method (draining refusals included). */
export function countCalls(metrics: Metrics): Step {
  return async (call, next) => {
    const end = metrics.grpcDuration.startTimer({ method: call.method });
    try {
      const res = await next();
      metrics.grpcRequests.inc({ method: call.method, code: 'OK' });
      return res;
    } catch (err) {
      metrics.grpcRequests.inc({ method: call.method, code: statusNameOf(err) });
      throw err;
    } finally {
      end();
    }
  };
}

/**
 * One line per call at debug: method, user, status, milliseconds, the tier that served it (when
 * the response says) and the request id. Free when debug is off.
 */
export function logCalls(log: Logger): Step {
  return async (call, next) => {
    if (!log.isLevelEnabled('debug')) return next();
    const started = performance.now();
    let code = 'OK';
    let res: unknown;
    try {
      res = await next();
      return res;
    } catch (err) {
      code = statusNameOf(err);
      throw err;
    } finally {
      const request = call.request as { userId?: unknown } | undefined;
      const tier = (res as { tier?: unknown } | undefined)?.tier;
      log.debug(
        {
          method: call.method,
          user: typeof request?.userId === 'string' && request.userId ? request.userId : undefined,
          code,
          ms: Math.round((performance.now() - started) * 100) / 100,
          tier: typeof tier === 'string' ? tier : undefined,
          requestId: call.ctx.requestId,
        },
        'call',
      );
    }
  };
}

/** While the server drains, new calls are refused (health keeps answering NOT_SERVING). */
export function refuseWhileDraining(draining: () => boolean): Step {
  return (_call, next) => (draining() ? Promise.reject(new UnavailableError('the server is shutting down')) : next());
}

/**
 * Calls in flight: their count and the time during which at least one was (the load signal
 * background work yields to), and a way to cancel them all or wait until there are none.
 */
export class InflightCalls {
  private readonly calls = new Set<AbortController>();
  private started = 0;
  private occupiedMs = 0;
  private occupiedSince = 0;
  private idle: (() => void)[] = [];

  get size(): number {
    return this.calls.size;
  }

  /** Calls started so far. */
  startedCount(): number {
    return this.started;
  }

  /** Milliseconds during which at least one call was in flight. */
  occupiedTimeMs(): number {
    return this.occupiedMs + (this.calls.size > 0 ? performance.now() - this.occupiedSince : 0);
  }

  add(c: AbortController): void {
    if (this.calls.size === 0) this.occupiedSince = performance.now();
    this.calls.add(c);
    this.started++;
  }

  delete(c: AbortController): void {
    if (!this.calls.delete(c) || this.calls.size > 0) return;
    this.occupiedMs += performance.now() - this.occupiedSince;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  abortAll(reason: unknown): void {
    for (const c of this.calls) c.abort(reason);
  }

  /** Resolves once no call is in flight. */
  settled(): Promise<void> {
    return this.calls.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}

/**
 * Every call gets an AbortSignal that fires at the caller's deadline, on the caller's
 * cancellation and when the drain cancels what is left; the call answers at once then, whether
 * or not the work below has stopped yet.
 */
export function abortable(inflight: InflightCalls): Step {
  return async (call, next) => {
    const controller = new AbortController();
    call.ctx.signal = controller.signal;
    const timer = call.deadlineMs !== undefined ? setTimeout(() => controller.abort(new DeadlineExceededError()), Math.max(0, call.deadlineMs - Date.now())) : undefined;
    const unsubscribe = call.onCancelled(() => controller.abort(new CancelledError()));
    inflight.add(controller);
    const aborted = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(controller.signal.reason);
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      return await Promise.race([next(), aborted]);
    } finally {
      clearTimeout(timer);
      unsubscribe();
      inflight.delete(controller);
    }
  };
}

/** The one rule for characters (validate.ts), on every string of every request. */
export function checkText(): Step {
  return (call, next) => {
    checkRequestText(call.request);
    return next();
  };
}

/** API keys: who is calling, whether the key may act for the request's users, and the actor it stamps. */
export function authenticate(auth: ApiKeyAuthenticator): Step {
  return async (call, next) => {
    const header = call.metadata.get('authorization')[0];
    const p = await auth.authenticate(typeof header === 'string' ? header : undefined);
    authorize(p, call.method, usersOf(call.request));
    call.ctx.actor = call.ctx.actor === 'anonymous' ? `key:${p.keyId}` : `key:${p.keyId}/${call.ctx.actor}`;
    return next();
  };
}
