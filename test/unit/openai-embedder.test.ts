/**
 * The OpenAI-compatible provider against a small local HTTP server that speaks the embeddings
 * API on loopback: success, micro-batching of concurrent calls, and error translation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { L1Cache } from '../../src/engine/cache/l1-cache.js';
import { TieredCache } from '../../src/engine/cache/tiered-cache.js';
import { EmbeddingService } from '../../src/engine/embed/embedding-service.js';
import { OpenAIEmbedder } from '../../src/engine/embed/openai.js';
import { InvalidArgumentError, UnavailableError } from '../../src/errors.js';
import { Metrics } from '../../src/observability/metrics.js';

interface Req {
  model: string;
  input: string[];
  dimensions?: number;
}

let server: Server;
let baseURL = '';
const requests: Req[] = [];
let mode: 'ok' | '500' | '400' | 'wrong-dims' = 'ok';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = JSON.parse(body) as Req;
      requests.push(r);
      if (req.headers.authorization !== 'Bearer test-key') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'bad key' } }));
        return;
      }
      if (mode === '500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'boom' } }));
        return;
      }
      if (mode === '400') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'input too long' } }));
        return;
      }
      const dims = mode === 'wrong-dims' ? 3 : (r.dimensions ?? 8);
      // Deterministic fake model: vector from character codes; returned out of order on purpose.
      const data = r.input.map((t, index) => ({ object: 'embedding', index, embedding: Array.from({ length: dims }, (_, i) => (t.charCodeAt(i % t.length) % 7) + i + 1) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: data.reverse(), model: r.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const embedder = () => new OpenAIEmbedder({ baseURL, apiKey: 'test-key', model: 'test-embed', dimensions: 8, timeoutMs: 2000, maxRetries: 0 });

describe('OpenAI-compatible embedder', () => {
  it('embeds in input order, normalized, sending model and dimensions', async () => {
    mode = 'ok';
    requests.length = 0;
    const [a, b] = await embedder().embed(['alpha', 'beta']);
    expect(a).toHaveLength(8);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 5);
    const [a2] = await embedder().embed(['alpha']);
    expect(Array.from(a!)).toEqual(Array.from(a2!));
    expect(Array.from(a!)).not.toEqual(Array.from(b!));
    expect(requests[0]).toMatchObject({ model: 'test-embed', dimensions: 8, input: ['alpha', 'beta'] });
  });

  it('micro-batches concurrent calls into one request and caches by text', async () => {
    mode = 'ok';
    requests.length = 0;
    const metrics = new Metrics();
    const ttl = { memory: 60_000, search: 60_000, embedding: 60_000, profile: 60_000, precomputed: 60_000 };
    const cache = new TieredCache(new L1Cache({ maxBytes: 1 << 20, metrics, purgeEveryMs: 0 }), undefined, metrics, { l1: ttl, l2: ttl });
    const svc = new EmbeddingService(embedder(), cache, metrics, { batchMax: 64, batchWaitMs: 0, maxInflight: 1 });
    const texts = Array.from({ length: 20 }, (_, i) => `text ${i}`);
    const out = await Promise.all(texts.map((t) => svc.embed([t])));
    expect(out).toHaveLength(20);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.input).toHaveLength(20);
    await svc.embed(['text 3']);
    expect(requests).toHaveLength(1);
    // Texts arriving while a call is in flight go together in the next one.
    requests.length = 0;
    const first = svc.embed(['late 0']);
    await new Promise((r) => setImmediate(r));
    const more = Array.from({ length: 10 }, (_, i) => svc.embed([`late ${i + 1}`]));
    await Promise.all([first, ...more]);
    expect(requests.map((r) => r.input.length)).toEqual([1, 10]);
  });

  it('turns provider failures into UNAVAILABLE and bad input into INVALID_ARGUMENT', async () => {
    mode = '500';
    await expect(embedder().embed(['x'])).rejects.toBeInstanceOf(UnavailableError);
    mode = '400';
    await expect(embedder().embed(['x'])).rejects.toBeInstanceOf(InvalidArgumentError);
    mode = 'wrong-dims';
    await expect(embedder().embed(['x'])).rejects.toBeInstanceOf(UnavailableError);
    mode = 'ok';
    const down = new OpenAIEmbedder({ baseURL: 'http://127.0.0.1:1/v1', apiKey: 'k', model: 'm', dimensions: 8, timeoutMs: 500, maxRetries: 0 });
    await expect(down.embed(['x'])).rejects.toBeInstanceOf(UnavailableError);
  });
});
