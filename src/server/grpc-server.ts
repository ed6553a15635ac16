/**
 * The gRPC edge: memory.v1.MemoryService, grpc.health.v1 and server reflection.
 * Every call gets a CallContext whose AbortSignal fires on the caller's deadline, on the
 * caller's cancellation and on forced shutdown; errors become statuses in status.ts only.
 */
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallContext, MemoryEngine } from '../engine/memory-engine.js';
import { CancelledError, DeadlineExceededError, UnavailableError, UnimplementedError } from '../errors.js';
import type { MemoryServiceHandlers } from '../generated/memory/v1/MemoryService.js';
import type { PrecomputeService } from '../precompute/index.js';
import type { Metrics } from '../observability/metrics.js';
import * as map from './mapping.js';
import { loadMemoryProto } from './proto.js';
import { authorize, usersOf, type ApiKeyAuthenticator } from './auth.js';
import { toServiceError } from './status.js';
import { checkRequestText } from '../engine/validate.js';

export const SERVICE_NAME = 'memory.v1.MemoryService';
/** stop() waits this long for open connections' last calls (health checks) before forcing. */
const STOP_WAIT_MS = 1000;

type Handler<Req, Res> = (req: Req, ctx: CallContext) => Promise<Res>;

export class GrpcServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  private readonly inflight = new Set<AbortController>();
  private started = 0;
  /** Time with at least one call in flight: closed intervals, and when the open one began. */
  private occupiedMs = 0;
  private occupiedSince = 0;
  private serializeProfile: (v: unknown) => Buffer = () => Buffer.alloc(0);
  /** Serialized GetProfile responses of L1-cached profiles (dropped with the cached object). */
  private readonly profileBytes = new WeakMap<object, Buffer>();
  private draining = false;
  /** Resolves drain() once the last in-flight call has ended. */
  private onIdle: (() => void) | undefined;
  port = 0;

  private readonly engine: MemoryEngine;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly auth: ApiKeyAuthenticator | undefined;
  private readonly precompute: PrecomputeService | undefined;

  constructor(d: {
    engine: MemoryEngine;
    metrics: Metrics;
    log: Logger;
    maxMessageBytes: number;
    /** API-key authentication; undefined when auth is off. */
    auth?: ApiKeyAuthenticator;
    precompute?: PrecomputeService;
  }) {
    this.engine = d.engine;
    this.metrics = d.metrics;
    this.log = d.log;
    this.auth = d.auth;
    this.precompute = d.precompute;
    const maxMessageBytes = d.maxMessageBytes;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const { definition, proto } = loadMemoryProto();
    this.health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' });
    this.health.addToServer(this.server);
    new ReflectionService(definition).addToServer(this.server);
    // GetProfile answers from L1 with bytes serialized once per cached profile (serializing a
    // profile's ~60 memories costs ~10× the rest of the call); everything else as usual.
    const service = { ...proto.memory.v1.MemoryService.service };
    const serializeProfile = service.GetProfile.responseSerialize;
    service.GetProfile = { ...service.GetProfile, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serializeProfile(v as never)) };
    this.serializeProfile = serializeProfile as (v: unknown) => Buffer;
    this.server.addService(service, this.handlers());
  }

  /** Calls started since this server was made (a load signal for background work). */
  startedCount(): number {
    return this.started;
  }

  /** Milliseconds during which at least one call was in flight, since this server was made. */
  occupiedTimeMs(): number {
    return this.occupiedMs + (this.inflight.size > 0 ? performance.now() - this.occupiedSince : 0);
  }

  async listen(address: string): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this.port;
  }

  setServing(serving: boolean): void {
    const s = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', s);
    this.health.setStatus(SERVICE_NAME, s);
  }

  /**
   * Drain: health says NOT_SERVING and new calls are refused with UNAVAILABLE, while in-flight
   * calls finish for up to `graceMs`; the rest are then cancelled. The port stays open, so an
   * orchestrator's health check keeps seeing NOT_SERVING until stop().
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    this.setServing(false);
    if (this.inflight.size > 0) {
      const settled = new Promise<void>((resolve) => (this.onIdle = resolve));
      const timer = setTimeout(() => {
        for (const c of this.inflight) c.abort(new UnavailableError('the server is shutting down'));
      }, graceMs);
      await settled;
      clearTimeout(timer);
    }
  }

  /** Closes the port: last, once everything behind it is closed. */
  async stop(): Promise<void> {
    this.draining = true;
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.server.forceShutdown(), STOP_WAIT_MS);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private context(call: grpc.ServerUnaryCall<unknown, unknown>): { ctx: CallContext; controller: AbortController; cleanup: () => void; authorization: string | undefined } {
    const md = call.metadata;
    const first = (k: string) => {
      const v = md.get(k)[0];
      return typeof v === 'string' && v.length <= 128 ? v : undefined;
    };
    const requestId = first('x-request-id') ?? randomUUID();
    const actor = first('x-actor-id') ?? 'anonymous';
    const controller = new AbortController();
    const deadline = call.getDeadline();
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? Number(deadline) : undefined;
    let timer: NodeJS.Timeout | undefined;
    if (deadlineMs !== undefined) {
      timer = setTimeout(() => controller.abort(new DeadlineExceededError()), Math.max(0, deadlineMs - Date.now()));
    }
    const onCancel = () => controller.abort(new CancelledError());
    call.on('cancelled', onCancel);
    if (this.inflight.size === 0) this.occupiedSince = performance.now();
    this.inflight.add(controller);
    this.started++;
    const ctx: CallContext = { signal: controller.signal, requestId, actor, ...(deadlineMs !== undefined ? { deadlineMs } : {}) };
    const auth = md.get('authorization')[0];
    return {
      ctx,
      controller,
      authorization: typeof auth === 'string' ? auth : undefined,
      cleanup: () => {
        clearTimeout(timer);
        call.removeListener('cancelled', onCancel);
        if (this.inflight.delete(controller) && this.inflight.size === 0) {
          this.occupiedMs += performance.now() - this.occupiedSince;
          this.onIdle?.();
          this.onIdle = undefined;
        }
      },
    };
  }

  private unary<Req, Res>(method: string, fn: Handler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const end = this.metrics.grpcDuration.startTimer({ method });
      if (this.draining) {
        this.metrics.grpcRequests.inc({ method, code: 'UNAVAILABLE' });
        end();
        callback({ code: grpc.status.UNAVAILABLE, details: 'the server is shutting down' });
        return;
      }
      const { ctx, controller, cleanup, authorization } = this.context(call as grpc.ServerUnaryCall<unknown, unknown>);
      const work = async (): Promise<Res> => {
        checkRequestText(call.request);
        if (this.auth) {
          const p = await this.auth.authenticate(authorization);
          authorize(p, method, usersOf(call.request));
          ctx.actor = ctx.actor === 'anonymous' ? `key:${p.keyId}` : `key:${p.keyId}/${ctx.actor}`;
        }
        return fn(call.request, ctx);
      };
      // The work stops at the deadline: whichever settles first answers.
      const aborted = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      Promise.race([work(), aborted]).then(
        (res) => {
          this.metrics.grpcRequests.inc({ method, code: 'OK' });
          callback(null, res);
        },
        (err: unknown) => {
          const se = toServiceError(err, ctx.requestId, this.log);
          this.metrics.grpcRequests.inc({ method, code: grpc.status[se.code] });
          callback(se as grpc.ServiceError);
        },
      ).finally(() => {
        cleanup();
        end();
      });
    };
  }

  private pre(): PrecomputeService {
    if (!this.precompute) throw new UnimplementedError('precompute is not available on this server');
    return this.precompute;
  }

  private notYet<Req, Res>(method: string, what: string): grpc.handleUnaryCall<Req, Res> {
    return this.unary<Req, Res>(method, async () => {
      throw new UnimplementedError(`${method} is not available yet: ${what}`);
    });
  }

  private handlers(): MemoryServiceHandlers {
    const e = this.engine;
    return {
      Remember: this.unary('Remember', async (r, ctx) => e.remember(ctx, r.userId, map.memoryInputIn(r.memory))),
      RememberBatch: this.unary('RememberBatch', async (r, ctx) => ({
        results: await e.rememberBatch(
          ctx,
          r.userId,
          r.items.map((i) => map.memoryInputIn(i)),
        ),
      })),
      Get: this.unary('Get', async (r, ctx) => map.memoryOut(await e.get(ctx, r.userId, r.id), r.includeEmbedding)),
      List: this.unary('List', async (r, ctx) => {
        const filter = map.filterIn(r.filter);
        const page = await e.list(ctx, r.userId, { ...(filter ? { filter } : {}), pageSize: r.pageSize, pageToken: r.pageToken, oldestFirst: r.oldestFirst });
        return { memories: page.records.map((m) => map.memoryOut(m, r.includeEmbedding)), nextPageToken: page.nextPageToken };
      }),
      Update: this.unary('Update', async (r, ctx) => map.memoryOut(await e.update(ctx, r.userId, r.id, map.patchIn(r)), false)),
      Forget: this.unary('Forget', async (r, ctx) => {
        const deleted = await e.forget(ctx, r.userId, r.ids, map.filterIn(r.filter));
        return { deletedCount: deleted.length, deletedIds: deleted };
      }),
      ForgetUser: this.unary('ForgetUser', async (r, ctx) => e.forgetUser(ctx, r.userId)),
      Search: this.unary('Search', async (r, ctx) => {
        const res = await e.search(ctx, r.userId, map.searchIn(r));
        return { hits: res.hits.map((h) => map.hitOut(h, r.includeEmbedding)), tier: `TIER_${res.tier}`, tookMs: res.tookMs };
      }),
      SearchBatch: this.unary('SearchBatch', async (r, ctx) => {
        const res = await e.searchBatch(
          ctx,
          r.searches.map((s) => s.userId),
          r.searches.map((s) => map.searchIn(s)),
        );
        return {
          results: res.map((x, i) => ({ hits: x.hits.map((h) => map.hitOut(h, r.searches[i]!.includeEmbedding)), tier: `TIER_${x.tier}`, tookMs: x.tookMs })),
        };
      }),
      AssembleContext: this.notYet('AssembleContext', 'context assembly is not built yet'),
      StreamContext: (call) => {
        // A server stream answers with a status through its 'error' event: that ends the call
        // with the status (destroy() would drop the call without one and leave the client hanging).
        const se = toServiceError(new UnimplementedError('StreamContext is not available yet: staged context streaming is not built yet'), randomUUID(), this.log);
        this.metrics.grpcRequests.inc({ method: 'StreamContext', code: 'UNIMPLEMENTED' });
        call.emit('error', se);
      },
      WarmSession: this.unary('WarmSession', async (r, ctx) => ({ memoriesLoaded: await e.warmSession(ctx, r.userId, r.sessionId) })),
      GetProfile: this.unary('GetProfile', async (r, ctx) => {
        const { profile, tier } = await this.pre().reads.getProfile(ctx, r.userId);
        if (tier !== 'L1') return map.profileOut(profile, tier);
        let bytes = this.profileBytes.get(profile);
        if (!bytes) this.profileBytes.set(profile, (bytes = this.serializeProfile(map.profileOut(profile, tier))));
        return bytes as unknown as ReturnType<typeof map.profileOut>;
      }),
      ListTopics: this.unary('ListTopics', async (r, ctx) => {
        const { topics, tier } = await this.pre().reads.listTopics(ctx, r.userId);
        return { topics: topics.map((t) => map.topicOut(t, r.includeMembers, r.includeCentroid)), tier: `TIER_${tier}` };
      }),
      GetTopic: this.unary('GetTopic', async (r, ctx) => map.topicOut((await this.pre().reads.getTopic(ctx, r.userId, r.topicId)).topic, true, true)),
      GetSummary: this.unary('GetSummary', async (r, ctx) => {
        const { summary, tier } = await this.pre().reads.getSummary(ctx, r.userId, r.kind, r.key);
        return map.summaryOut(summary, tier);
      }),
      TriggerPrecompute: this.unary('TriggerPrecompute', async (r, ctx) => map.jobOut(await this.pre().jobs.trigger(ctx, r.userId, r.job))),
      GetJob: this.unary('GetJob', async (r, ctx) => map.jobOut(await this.pre().jobs.getJob(ctx, r.userId, r.jobId))),
      GetRelated: this.unary('GetRelated', async (r, ctx) => {
        const res = await this.pre().reads.getRelated(ctx, r.userId, r.id, r.topK);
        return { hits: res.hits.map((h) => ({ memory: map.memoryOut(h.memory, false), score: h.similarity, similarity: h.similarity })), precomputed: res.precomputed };
      }),
      CreateTask: this.unary('CreateTask', async (r, ctx) =>
        map.taskOut(await e.createTask(ctx, r.userId, { id: r.id, agentId: r.agentId, title: r.title, metadata: r.metadata })),
      ),
      UpdateTaskStatus: this.unary('UpdateTaskStatus', async (r, ctx) => {
        return map.taskOut(await e.updateTaskStatus(ctx, r.userId, r.id, map.taskStatusIn(r.status)));
      }),
      GetTask: this.unary('GetTask', async (r, ctx) => map.taskOut(await e.getTask(ctx, r.userId, r.id))),
      ListTasks: this.unary('ListTasks', async (r, ctx) => {
        const status = map.taskStatusIn(r.status);
        const page = await e.listTasks(ctx, r.userId, { ...(status ? { status } : {}), pageSize: r.pageSize, pageToken: r.pageToken });
        return { tasks: page.items.map(map.taskOut), nextPageToken: page.nextPageToken };
      }),
      ListAuditEvents: this.unary('ListAuditEvents', async (r, ctx) => {
        const page = await e.listAuditEvents(ctx, r.userId, { pageSize: r.pageSize, pageToken: r.pageToken, operation: r.operation });
        return { events: page.items.map(map.auditOut), nextPageToken: page.nextPageToken };
      }),
    };
  }
}
