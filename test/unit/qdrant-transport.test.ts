/**
 * The Qdrant transport's HTTP policy, against a loopback server that records requests: plain
 * (uncompressed) responses unless compression is asked for (Qdrant sends compressed ones
 * chunked, and with Nagle on its side each then waits for a delayed ACK), and one connection
 * per request when keep-alive is off.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectionMissingError, QdrantRequestError, QdrantTransport, translateQdrantError } from '../../src/engine/vector/qdrant/transport.js';
import { ResourceExhaustedError, UnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/observability/logger.js';

let server: Server;
let url = '';
const seen: { headers: IncomingHttpHeaders; socket: number }[] = [];
let sockets = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ headers: req.headers, socket: (req.socket as unknown as { n?: number }).n ?? -1 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ title: 'qdrant', version: '1.18.3' }));
  });
  server.on('connection', (s) => ((s as unknown as { n: number }).n = sockets++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const transport = (o: { keepAlive?: boolean; compression?: boolean }) => new QdrantTransport({ url, timeoutMs: 2000, retries: 0, log: createLogger('silent'), ...o });
const root = (t: QdrantTransport) => t.callRaw<{ version: string }>('version', (init) => t.api.root({}, init));

describe('QdrantTransport HTTP policy', () => {
  it('asks for uncompressed responses by default, compressed ones when told', async () => {
    seen.length = 0;
    expect((await root(transport({}))).version).toBe('1.18.3');
    expect(seen[0]!.headers['accept-encoding']).toBe('identity');
    await root(transport({ compression: true }));
    expect(seen[1]!.headers['accept-encoding']).toMatch(/gzip/);
  });

  it('reuses connections, or opens one per request without keep-alive', async () => {
    seen.length = 0;
    const kept = transport({});
    for (let i = 0; i < 6; i++) await root(kept);
    expect(new Set(seen.map((s) => s.socket)).size).toBeLessThanOrEqual(2);
    seen.length = 0;
    const fresh = transport({ keepAlive: false });
    for (let i = 0; i < 6; i++) await root(fresh);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(6);
  });
});

describe('translateQdrantError', () => {
  const http = (status: number, error: string) => Object.assign(new Error(`HTTP ${status}`), { status, data: { status: { error } } });

  it('takes a 404 for a missing collection or alias by its status, whatever the message says, and keeps the cause', () => {
    const e = http(404, 'Not found: something we never matched on');
    const t = translateQdrantError(e, 'query', 1000);
    expect(t.error).toBeInstanceOf(CollectionMissingError);
    expect(t.error.cause).toBe(e);
    expect(t.transient).toBe(false);
  });

  it('keeps the cause on every translated error', () => {
    for (const [e, kind, transient] of [
      [http(503, 'busy'), UnavailableError, true],
      [http(500, 'boom'), UnavailableError, false],
      [http(429, 'slow down'), ResourceExhaustedError, false],
      [http(401, 'no'), UnavailableError, false],
      [http(400, 'bad field'), QdrantRequestError, false],
      [Object.assign(new Error('t'), { name: 'TimeoutError' }), UnavailableError, true],
      [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), UnavailableError, true],
    ] as const) {
      const t = translateQdrantError(e, 'op', 1000);
      expect(t.error).toBeInstanceOf(kind);
      expect(t.error.cause).toBe(e);
      expect(t.transient).toBe(transient);
    }
  });
});
