/**
 * The latency floor of any Node gRPC service on this machine: a bare grpc-js unary echo server
 * in its own process, called sequentially over loopback by a grpc-js client. Whatever the
 * service reports end to end includes this.
 *
 *   npx tsx bench/grpc-floor.ts
 */
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Latency } from './lib.js';

const def = {
  echo: {
    path: '/floor.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
} as unknown as grpc.ServiceDefinition;

async function serve(): Promise<void> {
  const server = new grpc.Server();
  server.addService(def, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((r, j) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  console.log(`port ${port}`);
}

/** Sequential echo latency across processes, `calls` calls after a warm-up. */
export async function measureGrpcFloor(calls = 5000): Promise<ReturnType<Latency['summary']>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const m = /^port (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    }),
  );
  const Client = grpc.makeGenericClientConstructor(def, 'Echo');
  const c = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as { echo(b: Buffer, cb: () => void): void; close(): void };
  const once = () => new Promise<void>((res) => c.echo(Buffer.alloc(200), () => res()));
  for (let i = 0; i < 500; i++) await once();
  const l = new Latency();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await once();
    l.record(performance.now() - t);
  }
  c.close();
  child.kill();
  return l.summary();
}

if (process.argv.includes('--serve')) {
  void serve();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log('bare grpc-js echo across processes (ms):', JSON.stringify(await measureGrpcFloor()));
}
