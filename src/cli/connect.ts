/**
 * How a CLI command reaches the service: over gRPC to a running one (--address, with --api-key
 * when it asks for keys), or, without an address, by opening the configured data directory in
 * this process (the embedded store has one writer: that works only while the service is
 * stopped). Either way the command then speaks the public API, so both paths behave the same.
 */
import * as grpc from '@grpc/grpc-js';
import { App } from '../app.js';
import { loadConfig } from '../config.js';
import type { MemoryServiceClient } from '../generated/memory/v1/MemoryService.js';
import { createLogger } from '../observability/logger.js';
import { loadMemoryProto } from '../server/proto.js';

export interface Connection {
  /** Calls a unary RPC (request fields in camelCase, as the generated types name them). */
  call<Res>(method: string, request: object, deadlineMs?: number): Promise<Res>;
  /** Reads a server stream to its end, one message at a time. */
  stream<Msg>(method: string, request: object): AsyncIterable<Msg>;
  /** "service at host:port" or "data directory …". */
  readonly target: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  address?: string;
  apiKey?: string;
}

export async function connect(o: ConnectOptions, env: Record<string, string | undefined>): Promise<Connection> {
  if (o.address) return overGrpc(o.address, o.apiKey, `service at ${o.address}`, async () => undefined);
  // In-process: the service's own App on loopback ports, silent (stdout may carry an export),
  // with no sweeps of its own; auth off, since only this process can reach it.
  const config = loadConfig(env, { grpcAddress: '127.0.0.1:0', httpAddress: '127.0.0.1:0', logLevel: 'silent', auth: 'off', maintenanceIntervalMs: 0 });
  const app = await new App(config, createLogger('silent')).start();
  return overGrpc(`127.0.0.1:${app.grpcPort}`, undefined, `data directory ${config.dataDir}`, () => app.close());
}

function overGrpc(address: string, apiKey: string | undefined, target: string, onClose: () => Promise<void>): Promise<Connection> {
  const { proto } = loadMemoryProto();
  const client = new proto.memory.v1.MemoryService(address, grpc.credentials.createInsecure()) as MemoryServiceClient & Record<string, unknown>;
  const metadata = () => {
    const md = new grpc.Metadata();
    md.set('x-actor-id', 'memory-engine-cli');
    if (apiKey) md.set('authorization', `Bearer ${apiKey}`);
    return md;
  };
  type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;
  type Streaming = (req: object, md: grpc.Metadata) => grpc.ClientReadableStream<unknown>;
  return Promise.resolve({
    target,
    call<Res>(method: string, request: object, deadlineMs = 600_000): Promise<Res> {
      const fn = client[method] as Unary;
      return new Promise((resolve, reject) => fn.call(client, request, metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res as Res))));
    },
    stream<Msg>(method: string, request: object): AsyncIterable<Msg> {
      const fn = client[method] as Streaming;
      return fn.call(client, request, metadata()) as AsyncIterable<Msg>;
    },
    async close() {
      client.close();
      await onClose();
    },
  });
}
