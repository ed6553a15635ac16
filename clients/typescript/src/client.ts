/**
 * MemoryClient: every RPC of memory.v1.MemoryService, typed from the proto. Each call has a
 * deadline (default 10 s); calls that are safe to repeat are retried on UNAVAILABLE with
 * backoff and jitter within that deadline; every failure is a MemoryEngineError; requests may use
 * snake_case or camelCase keys, and an unknown key is refused before anything is sent.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { MemoryServiceClient, MemoryServiceDefinition } from './generated/memory/v1/MemoryService.js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { MemoryEngineError } from './errors.js';
import { RequestShaper } from './request-shape.js';
import { backoffMs, DEFAULT_RETRY, isIdempotent, isRetryable, type RetryPolicy } from './retry.js';

export const SERVICE_NAME = 'memory.v1.MemoryService';
/** The proto this package ships (copied from the service at build time). */
export const PROTO_FILE = fileURLToPath(new URL('../proto/memory/v1/memory.proto', import.meta.url));
/** Must match how the types in generated/ were made (scripts/gen.mjs). */
const LOADER_OPTIONS: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true };

type Methods = MemoryServiceDefinition;
/** The request type a method accepts (camelCase keys; snake_case is accepted too at run time). */
export type RequestOf<M extends keyof Methods> = Methods[M] extends MethodDefinition<infer I, infer _A, infer _B, infer _C> ? I : never;
/** The response type a method returns. */
export type ResponseOf<M extends keyof Methods> = Methods[M] extends MethodDefinition<infer _A, infer _B, infer _C, infer O> ? O : never;
export type StreamingMethod = 'ExportUser' | 'StreamContext';
export type UnaryMethod = Exclude<keyof Methods & string, StreamingMethod>;

export interface TlsOptions {
  /** PEM root certificates; default: the system's. */
  rootCerts?: Buffer;
  /** PEM client key and certificate, for mutual TLS. */
  privateKey?: Buffer;
  certChain?: Buffer;
}

export interface MemoryClientOptions {
  /** host:port of the service, e.g. 127.0.0.1:50051. */
  address: string;
  /** Sent as `authorization: Bearer <key>` when the service asks for API keys. */
  apiKey?: string;
  /** true or TLS options for a TLS endpoint; default plaintext (loopback, or TLS terminated before the service). */
  tls?: boolean | TlsOptions;
  /** Deadline of each call, retries included. Default 10,000 ms. */
  deadlineMs?: number;
  /** Retries of idempotent calls on UNAVAILABLE; false turns them off. */
  retry?: Partial<RetryPolicy> | false;
  /** Sent as x-actor-id: who acts, for the audit trail. */
  actorId?: string;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

export interface CallOptions {
  /** This call's deadline instead of the client's. */
  deadlineMs?: number;
  /** Cancels the call (CANCELLED). */
  signal?: AbortSignal;
}

type UnaryFn = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => grpc.ClientUnaryCall;
type StreamFn = (req: object, md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

export class MemoryClient {
  private readonly client: MemoryServiceClient & Record<string, unknown>;
  private readonly shaper: RequestShaper;
  private readonly deadlineMs: number;
  private readonly retry: RetryPolicy;
  private readonly apiKey: string | undefined;
  private readonly actorId: string | undefined;

  constructor(o: MemoryClientOptions) {
    const definition = protoLoader.loadSync(PROTO_FILE, LOADER_OPTIONS);
    const Service = (grpc.loadPackageDefinition(definition) as unknown as { memory: { v1: { MemoryService: grpc.ServiceClientConstructor } } }).memory.v1.MemoryService;
    this.client = new Service(o.address, credentialsOf(o.tls), o.channelOptions ?? {}) as unknown as MemoryServiceClient & Record<string, unknown>;
    this.shaper = new RequestShaper(PROTO_FILE, SERVICE_NAME);
    this.deadlineMs = o.deadlineMs ?? 10_000;
    this.retry = o.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...o.retry };
    this.apiKey = o.apiKey;
    this.actorId = o.actorId;
  }

  /** Any unary RPC by name. */
  async call<M extends UnaryMethod>(method: M, request: RequestOf<M>, options: CallOptions = {}): Promise<ResponseOf<M>> {
    const shaped = this.shaper.shape(method, request as object);
    const deadline = Date.now() + (options.deadlineMs ?? this.deadlineMs);
    const attempts = isIdempotent(method, shaped) ? this.retry.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.once(method, shaped, deadline, options.signal)) as ResponseOf<M>;
      } catch (e) {
        const err = e as MemoryEngineError;
        if (attempt >= attempts || !isRetryable(err.code) || options.signal?.aborted) throw err;
        const wait = backoffMs(this.retry, attempt);
        if (Date.now() + wait >= deadline) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** A server-streaming RPC as an async iterable; breaking out of the loop cancels the call. */
  async *stream<M extends StreamingMethod>(method: M, request: RequestOf<M>, options: CallOptions = {}): AsyncGenerator<ResponseOf<M>> {
    const shaped = this.shaper.shape(method, request as object);
    const fn = this.client[method] as StreamFn;
    const call = fn.call(this.client, shaped, this.metadata(), { deadline: Date.now() + (options.deadlineMs ?? this.deadlineMs) });
    const abort = () => call.cancel();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const message of call) yield message as ResponseOf<M>;
    } catch (e) {
      throw MemoryEngineError.fromServiceError(method, e as grpc.ServiceError);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      call.cancel();
    }
  }

  remember(request: RequestOf<'Remember'>, options?: CallOptions) {
    return this.call('Remember', request, options);
  }
  rememberBatch(request: RequestOf<'RememberBatch'>, options?: CallOptions) {
    return this.call('RememberBatch', request, options);
  }
  get(request: RequestOf<'Get'>, options?: CallOptions) {
    return this.call('Get', request, options);
  }
  list(request: RequestOf<'List'>, options?: CallOptions) {
    return this.call('List', request, options);
  }
  update(request: RequestOf<'Update'>, options?: CallOptions) {
    return this.call('Update', request, options);
  }
  forget(request: RequestOf<'Forget'>, options?: CallOptions) {
    return this.call('Forget', request, options);
  }
  search(request: RequestOf<'Search'>, options?: CallOptions) {
    return this.call('Search', request, options);
  }
  assembleContext(request: RequestOf<'AssembleContext'>, options?: CallOptions) {
    return this.call('AssembleContext', request, options);
  }
  /** The context section by section, as each is ready. */
  streamContext(request: RequestOf<'StreamContext'>, options?: CallOptions) {
    return this.stream('StreamContext', request, options);
  }
  getProfile(request: RequestOf<'GetProfile'>, options?: CallOptions) {
    return this.call('GetProfile', request, options);
  }
  exportUser(request: RequestOf<'ExportUser'>, options?: CallOptions) {
    return this.stream('ExportUser', request, options);
  }

  close(): void {
    this.client.close();
  }

  private once(method: string, request: object, deadline: number, signal: AbortSignal | undefined): Promise<unknown> {
    const fn = this.client[method] as UnaryFn;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new MemoryEngineError({ code: grpc.status.CANCELLED, details: 'cancelled by the caller', method }));
        return;
      }
      const call = fn.call(this.client, request, this.metadata(), { deadline }, (err, res) => {
        signal?.removeEventListener('abort', abort);
        if (err) reject(MemoryEngineError.fromServiceError(method, err));
        else resolve(res);
      });
      const abort = () => call.cancel();
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.apiKey) md.set('authorization', `Bearer ${this.apiKey}`);
    if (this.actorId) md.set('x-actor-id', this.actorId);
    return md;
  }
}

function credentialsOf(tls: MemoryClientOptions['tls']): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  if (tls === true) return grpc.credentials.createSsl();
  return grpc.credentials.createSsl(tls.rootCerts ?? null, tls.privateKey ?? null, tls.certChain ?? null);
}
