import type { Clock } from '../src/precompute/clock.js';
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { MemoryServiceClient, MemoryServiceDefinition } from '../src/generated/memory/v1/MemoryService.js';
import { createLogger } from '../src/observability/logger.js';
import { loadMemoryProto } from '../src/server/proto.js';

export async function tempDir(prefix = 'me-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function newClient(port: number, host = '127.0.0.1'): MemoryServiceClient {
  const { proto } = loadMemoryProto();
  return new proto.memory.v1.MemoryService(`${host}:${port}`, grpc.credentials.createInsecure());
}

type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;
type UnaryFn<Req, Res> = (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<Res>) => unknown;

/** Promise form of a unary call; the error is the grpc ServiceError (with .code). */
export function call<Res = Record<string, unknown>>(client: MemoryServiceClient, method: string, req: object, opts: { deadlineMs?: number; metadata?: Record<string, string> } = {}): Promise<Res> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(opts.metadata ?? {})) md.set(k, v);
  const callOpts: grpc.CallOptions = opts.deadlineMs ? { deadline: Date.now() + opts.deadlineMs } : {};
  const fn = (client as unknown as Record<string, UnaryFn<object, Res>>)[method]!.bind(client);
  return new Promise<Res>((resolve, reject) => fn(req, md, callOpts, (err, res) => (err ? reject(err) : resolve(res!))));
}

type Methods = MemoryServiceDefinition;
/** What a client sends for `M` (the generated `__Input` type: camelCase keys, typed). */
export type RequestOf<M extends keyof Methods> = Methods[M] extends MethodDefinition<infer I, infer _Sent, infer _Received, infer _O> ? I : never;
/** What a client receives for `M` (the generated output type). */
export type ResponseOf<M extends keyof Methods> = Methods[M] extends MethodDefinition<infer _I, infer _Sent, infer _Received, infer O> ? O : never;

/**
 * A unary call typed from the .proto's generated types: a misspelt method or field (e.g.
 * `user_id` instead of `userId`) fails to compile instead of being dropped by the client.
 */
export function rpc<M extends keyof Methods & string>(
  client: MemoryServiceClient,
  method: M,
  req: RequestOf<M>,
  opts: { deadlineMs?: number; metadata?: Record<string, string> } = {},
): Promise<ResponseOf<M>> {
  return call<ResponseOf<M>>(client, method, req as object, opts);
}

/** Resolves with the gRPC status code the call failed with (or throws if it succeeded). */
export async function failure(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}

export interface TestApp {
  app: App;
  client: MemoryServiceClient;
  dir: string;
  stop(): Promise<void>;
}

export async function startApp(overrides: Partial<Config> = {}, dir?: string, inject: { clock?: Clock } = {}): Promise<TestApp> {
  const dataDir = dir ?? (await tempDir());
  const config = loadConfig({}, { grpcAddress: '127.0.0.1:0', httpAddress: '127.0.0.1:0', dataDir, logLevel: 'silent', shutdownGraceMs: 2000, ...overrides });
  const app = await new App(config, createLogger(config.logLevel), undefined, inject).start();
  const client = newClient(app.grpcPort);
  return {
    app,
    client,
    dir: dataDir,
    stop: async () => {
      client.close();
      await app.close();
      if (!dir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Seeded PRNG (mulberry32) for reproducible test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomUnitVector(dims: number, r: () => number): number[] {
  const v = Array.from({ length: dims }, () => r() * 2 - 1);
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

export const status = grpc.status;
