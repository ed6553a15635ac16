/**
 * The gRPC edge: memory.v1.MemoryService, grpc.health.v1 and server reflection.
 * Every call runs through the middleware chain (middleware.ts: metrics, drain gate, load
 * accounting, deadline and cancellation, the text rule, API keys), and gets a CallContext whose
 * AbortSignal fires on the caller's deadline, on the caller's cancellation and on forced
 * shutdown; errors become statuses in status.ts only.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { CallContext, MemoryEngine } from '../engine/memory-engine.js';
import { UnavailableError, UnimplementedError } from '../errors.js';
import type { MemoryServiceHandlers } from '../generated/memory/v1/MemoryService.js';
import type { PrecomputeService } from '../precompute/index.js';
import type { ContextAssembler } from '../context/assembler.js';
import type { Transfer } from '../engine/transfer/transfer.js';
import type { Metrics } from '../observability/metrics.js';
import * as map from './mapping.js';
import { loadMemoryProto, memoryProtoFile } from './proto.js';
import { withFloat32RequestVectors } from './request-vectors.js';
import { refuseMalformed, withMalformedRequests } from './malformed-requests.js';
import { addReflection, standardProtoSources } from './reflection.js';
import type { ApiKeyAuthenticator } from './auth.js';
import { abortable, authenticate, checkText, compose, countCalls, edgeCall, InflightCalls, logCalls, refuseWhileDraining, type Step } from './middleware.js';
import { toServiceError } from './status.js';

export const SERVICE_NAME = 'memory.v1.MemoryService';
/** stop() waits this long for open connections' last calls (health checks) before forcing. */
const STOP_WAIT_MS = 1000;

type Handler<Req, Res> = (req: Req, ctx: CallContext) => Promise<Res>;

export class GrpcServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  private readonly inflight = new InflightCalls();
  /** Every call runs through these, outermost first (middleware.ts). */
  private readonly chain: Step[];
  private serializeProfile: (v: unknown) => Buffer = () => Buffer.alloc(0);
  /** Serialized GetProfile responses of L1-cached profiles (dropped with the cached object). */
  private readonly profileBytes = new WeakMap<object, Buffer>();
  private draining = false;
  port = 0;
  /** The RPCs of memory.v1.MemoryService, as the metrics label them. */
  readonly methodNames: readonly string[];

  private readonly engine: MemoryEngine;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly auth: ApiKeyAuthenticator | undefined;
  private readonly precompute: PrecomputeService | undefined;
  private readonly context: ContextAssembler | undefined;
  private readonly transfer: Transfer | undefined;

  constructor(d: {
    engine: MemoryEngine;
    metrics: Metrics;
    log: Logger;
    maxMessageBytes: number;
    /** API-key authentication; undefined when auth is off. */
    auth?: ApiKeyAuthenticator;
    precompute?: PrecomputeService;
    /** Context assembly; without it AssembleContext and StreamContext answer UNIMPLEMENTED. */
    context?: ContextAssembler;
    /** ExportUser and ImportUser. */
    transfer?: Transfer;
  }) {
    this.engine = d.engine;
    this.metrics = d.metrics;
    this.log = d.log;
    this.auth = d.auth;
    this.precompute = d.precompute;
    this.context = d.context;
    this.transfer = d.transfer;
    const maxMessageBytes = d.maxMessageBytes;
    this.chain = [
      countCalls(this.metrics),
      logCalls(this.log),
      refuseWhileDraining(() => this.draining),
      abortable(this.inflight),
      refuseMalformed(),
      checkText(),
      ...(this.auth ? [authenticate(this.auth)] : []),
    ];
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const { proto } = loadMemoryProto();
    this.health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' });
    this.health.addToServer(this.server);
    addReflection(this.server, [{ file: memoryProtoFile(), name: 'memory/v1/memory.proto' }, ...standardProtoSources()]);
    // GetProfile answers from L1 with bytes serialized once per cached profile (serializing a
    // profile's ~60 memories costs ~10× the rest of the call); everything else as usual.
    const service = withMalformedRequests(withFloat32RequestVectors({ ...proto.memory.v1.MemoryService.service }));
    const serializeProfile = service.GetProfile.responseSerialize;
    service.GetProfile = { ...service.GetProfile, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serializeProfile(v as never)) };
    this.serializeProfile = serializeProfile as (v: unknown) => Buffer;
    this.server.addService(service, this.handlers());
    this.methodNames = Object.keys(service);
  }

  /** Calls started since this server was made (a load signal for background work). */
  startedCount(): number {
    return this.inflight.startedCount();
  }

  /** Milliseconds during which at least one call was in flight, since this server was made. */
  occupiedTimeMs(): number {
    return this.inflight.occupiedTimeMs();
  }

  async listen(address: string): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
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
      const timer = setTimeout(() => this.inflight.abortAll(new UnavailableError('the server is shutting down')), graceMs);
      await this.inflight.settled();
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

  private unary<Req, Res>(method: string, fn: Handler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
    const run = compose(this.chain, (call) => fn(call.request as Req, call.ctx));
    return (call, callback) => {
      const edge = edgeCall(method, call as grpc.ServerUnaryCall<unknown, unknown>);
      run(edge).then(
        (res) => callback(null, res as Res),
        (err: unknown) => callback(toServiceError(err, edge.ctx.requestId, this.log) as grpc.ServiceError),
      );
    };
  }

  private pre(): PrecomputeService {
    if (!this.precompute) throw new UnimplementedError('precompute is not available on this server');
    return this.precompute;
  }

  private ctx(): ContextAssembler {
    if (!this.context) throw new UnimplementedError('context assembly is not available on this server');
    return this.context;
  }

  private moves(): Transfer {
    if (!this.transfer) throw new UnimplementedError('export and import are not available on this server');
    return this.transfer;
  }

  /** A server stream through the middleware chain: `run` writes, errors end the call with their status. */
  private stream<Req>(method: string, call: grpc.ServerWritableStream<Req, unknown>, run: (ctx: CallContext, write: (m: unknown) => void) => Promise<void>): void {
    const edge = edgeCall(method, call as grpc.ServerWritableStream<unknown, unknown>);
    const chained = compose(this.chain, async (c) => {
      const signal = c.ctx.signal;
      await run(c.ctx, (m) => {
        if (!signal?.aborted) call.write(m);
      });
    });
    // A server stream answers with a status through its 'error' event: that ends the call
    // with the status (destroy() would drop the call without one and leave the client hanging).
    chained(edge).then(
      () => call.end(),
      (err: unknown) => call.emit('error', toServiceError(err, edge.ctx.requestId, this.log)),
    );
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
      Search: this.unary('Search', async (r, ctx) => map.searchOut(await e.search(ctx, r.userId, map.searchIn(r)), r.includeEmbedding)),
      SearchBatch: this.unary('SearchBatch', async (r, ctx) => {
        const res = await e.searchBatch(
          ctx,
          r.searches.map((s) => s.userId),
          r.searches.map((s) => map.searchIn(s)),
        );
        return { results: res.map((x, i) => map.searchOut(x, r.searches[i]!.includeEmbedding)) };
      }),
      AssembleContext: this.unary('AssembleContext', async (r, ctx) => map.contextOut(await this.ctx().assemble(ctx, map.contextRequestIn(r)))),
      StreamContext: (call) => this.stream('StreamContext', call, (ctx, write) => this.ctx().stream(ctx, map.contextRequestIn(call.request), (chunk) => write(map.contextChunkOut(chunk)))),
      ExportUser: (call) =>
        this.stream('ExportUser', call, async (ctx, write) => {
          for await (const lines of this.moves().exportUser(ctx, call.request.userId, call.request.includeEmbeddings)) write({ lines });
        }),
      ImportUser: this.unary('ImportUser', async (r, ctx) => {
        const n = await this.moves().importUser(ctx, r.userId, r.lines, r.firstLine || 1);
        return { memories: n.memories, unchanged: n.unchanged, tasks: n.tasks, auditEvents: n.auditEvents };
      }),
      ListUsers: this.unary('ListUsers', async (r, ctx) => e.listUsers(ctx, { pageSize: r.pageSize, pageToken: r.pageToken })),
      Restore: this.unary('Restore', async (r, ctx) => {
        const ids = await e.restore(ctx, r.userId, r.ids, map.filterIn(r.filter));
        return { restoredCount: ids.length, restoredIds: ids };
      }),
      WarmSession: this.unary('WarmSession', async (r, ctx) => {
        const memoriesLoaded = await e.warmSession(ctx, r.userId, r.sessionId);
        this.context?.afterWarmSession(ctx, r.userId);
        return { memoriesLoaded };
      }),
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
      TriggerPrecompute: this.unary('TriggerPrecompute', async (r, ctx) => map.jobOut(await this.pre().jobs.trigger(ctx, r.userId, r.job, r.dryRun))),
      GetJob: this.unary('GetJob', async (r, ctx) => map.jobOut(await this.pre().jobs.getJob(ctx, r.userId, r.jobId))),
      PauseBackgroundJobs: this.unary('PauseBackgroundJobs', async (r, ctx) => this.pre().jobs.pause(ctx, r.durationMs)),
      GetRelated: this.unary('GetRelated', async (r, ctx) => {
        const res = await this.pre().reads.getRelated(ctx, r.userId, r.id, r.topK);
        return { hits: res.hits.map((h) => ({ memory: map.memoryOut(h.memory, false), score: h.similarity, similarity: h.similarity })), precomputed: res.precomputed };
      }),
      CreateTask: this.unary('CreateTask', async (r, ctx) => map.taskOut(await e.createTask(ctx, r.userId, { id: r.id, agentId: r.agentId, title: r.title, metadata: r.metadata }))),
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
