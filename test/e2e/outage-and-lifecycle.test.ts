/**
 * Backend outage and lifecycle, over real gRPC:
 * - the embeddings endpoint goes away → text writes and searches fail with UNAVAILABLE, writes
 *   with client vectors keep working, nothing is half-written, and it recovers by itself;
 * - draining: in-flight calls finish or are refused cleanly, new calls fail, close() is idempotent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, failure, randomUnitVector, rng, startApp, status, type TestApp } from '../helpers.js';

const DIMS = 16;
let up = true;
let embedServer: Server;
let port = 0;
let t: TestApp;

function listen(): Promise<void> {
  embedServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (!up) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'overloaded' } }));
        return;
      }
      const { input } = JSON.parse(body) as { input: string[] };
      const data = input.map((text, index) => ({ index, object: 'embedding', embedding: Array.from({ length: DIMS }, (_, i) => ((text.charCodeAt(i % text.length) * (i + 1)) % 13) + 1) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model: 'm', usage: { prompt_tokens: 0, total_tokens: 0 } }));
    });
  });
  return new Promise((r) => embedServer.listen(port, '127.0.0.1', () => r()));
}

beforeAll(async () => {
  await listen();
  port = (embedServer.address() as AddressInfo).port;
  t = await startApp({ embedder: 'openai', openaiBaseUrl: `http://127.0.0.1:${port}/v1`, openaiApiKey: 'k', embeddingDimensions: DIMS, openaiTimeoutMs: 1000 });
});
afterAll(async () => {
  await t?.stop();
  await new Promise<void>((r) => embedServer.close(() => r()));
});

describe('embedder outage', () => {
  it('answers UNAVAILABLE while the endpoint is down, writes nothing, and recovers by itself', async () => {
    const u = 'outage-user';
    await call(t.client, 'Remember', { userId: u, memory: { content: 'written while up' } });
    up = false;
    const w = await failure(call(t.client, 'Remember', { userId: u, memory: { content: 'written while down' } }));
    expect(w.code).toBe(status.UNAVAILABLE);
    const b = await failure(call(t.client, 'RememberBatch', { userId: u, items: [{ content: 'a' }, { content: 'b' }] }));
    expect(b.code).toBe(status.UNAVAILABLE);
    const s = await failure(call(t.client, 'Search', { userId: u, query: 'something new' }));
    expect(s.code).toBe(status.UNAVAILABLE);
    // Client vectors do not need the embedder.
    const r = rng(3);
    await call(t.client, 'Remember', { userId: u, memory: { content: 'vector write', embedding: randomUnitVector(DIMS, r) } });
    let list = await call<{ memories: { content: string }[] }>(t.client, 'List', { userId: u });
    expect(list.memories.map((m) => m.content).sort()).toEqual(['vector write', 'written while up']);
    up = true;
    await call(t.client, 'Remember', { userId: u, memory: { content: 'written after recovery' } });
    const found = await call<{ hits: unknown[] }>(t.client, 'Search', { userId: u, query: 'something new' });
    expect(found.hits.length).toBeGreaterThan(0);
    list = await call<{ memories: { content: string }[] }>(t.client, 'List', { userId: u });
    expect(list.memories).toHaveLength(3);
  });
});

describe('lifecycle', () => {
  it('drains: finishes or refuses in-flight calls cleanly, refuses new ones, closes once', async () => {
    const other = await startApp({ embeddingDimensions: DIMS });
    const base = `http://127.0.0.1:${other.app.httpPort}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const inflight = call(other.client, 'RememberBatch', { userId: 'd', items: Array.from({ length: 200 }, (_, i) => ({ content: `item ${i}` })) });
    const closing = other.app.close();
    expect(other.app.close()).toBe(closing);
    expect(other.app.state).toBe('draining');
    // The in-flight call either finished or was refused cleanly; never a crash or a hang.
    const outcome = await inflight.then(
      () => 'ok',
      (e: { code: number }) => e.code,
    );
    expect(['ok', status.UNAVAILABLE, status.CANCELLED]).toContain(outcome);
    await closing;
    expect(other.app.state).toBe('stopped');
    const after = await failure(call(other.client, 'List', { userId: 'd' }, { deadlineMs: 2000 }));
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(after.code);
    await other.stop();
  });
});
