/**
 * MemoryClient against the real service: typed calls in either key case, loud refusal of unknown
 * keys, errors as MemoryEngineError with the field, deadlines, StreamContext as an async
 * iterable, retries across a restart for idempotent calls only, and API keys.
 */
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryClient, MemoryEngineError } from '../src/index.js';
import { createApiKey, serviceAvailable, startService, type Service } from './service.js';

const available = serviceAvailable();

async function rejection(p: Promise<unknown>): Promise<MemoryEngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MemoryEngineError);
    return e as MemoryEngineError;
  }
  throw new Error('expected the call to fail');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!available)('MemoryClient', () => {
  let service: Service;
  let client: MemoryClient;
  beforeAll(async () => {
    service = await startService();
    client = new MemoryClient({ address: service.address, actorId: 'client-test' });
  }, 90_000);
  afterAll(async () => {
    client?.close();
    await service?.destroy();
  });

  it('stores and finds a memory, with camelCase or snake_case keys, keeping map keys as written', async () => {
    const stored = await client.remember({ userId: 'ts-alice', memory: { content: 'Alice is allergic to peanuts', tags: ['health'], metadata: { source_id: 'chat-1' } } });
    expect(stored.created).toBe(true);
    // snake_case, as the proto and the README spell it
    const snake = await client.remember({ user_id: 'ts-alice', memory: { content: 'Alice flies to Lisbon in May', session_id: 's1' } } as never);
    expect(snake.created).toBe(true);
    const found = await client.search({ userId: 'ts-alice', query: 'food allergy peanuts', topK: 3 });
    expect(found.hits[0]!.memory!.content).toBe('Alice is allergic to peanuts');
    expect(found.hits[0]!.memory!.metadata).toEqual({ source_id: 'chat-1' });
    const got = await client.get({ user_id: 'ts-alice', id: snake.id } as never);
    expect(got.sessionId).toBe('s1');
  });

  it('refuses an unknown key loudly, naming it, before anything is sent', async () => {
    const err = await rejection(client.remember({ userId: 'ts-bob', memory: { content: 'Bob likes tea', colour: 'green' } } as never));
    expect(err.status).toBe('INVALID_ARGUMENT');
    expect(err.field).toBe('memory.colour');
    expect(err.details).toMatch(/unknown field of MemoryInput/);
    expect((await client.list({ userId: 'ts-bob' })).memories).toHaveLength(0);
    const twice = await rejection(client.search({ userId: 'ts-bob', user_id: 'ts-bob', query: 'x' } as never));
    expect(twice.details).toMatch(/given twice/);
  });

  it("turns the service's errors into MemoryEngineError with the status and the field", async () => {
    const err = await rejection(client.remember({ userId: 'ts-carol', memory: { content: 'x', importance: 1.5 } }));
    expect(err.code).toBe(3);
    expect(err.status).toBe('INVALID_ARGUMENT');
    expect(err.field).toBe('memory.importance');
    expect(err.method).toBe('Remember');
    const missing = await rejection(client.get({ userId: 'ts-carol', id: '00000000-0000-4000-8000-000000000000' }));
    expect(missing.status).toBe('NOT_FOUND');
    expect(missing.field).toBeUndefined();
  });

  it('gives every call a deadline', async () => {
    const err = await rejection(client.search({ userId: 'ts-alice', query: 'peanuts' }, { deadlineMs: 0 }));
    expect(err.status).toBe('DEADLINE_EXCEEDED');
    const controller = new AbortController();
    controller.abort();
    expect((await rejection(client.search({ userId: 'ts-alice', query: 'peanuts' }, { signal: controller.signal }))).status).toBe('CANCELLED');
  });

  it('streams the context as an async iterable', async () => {
    const sections: string[] = [];
    for await (const chunk of client.streamContext({ userId: 'ts-alice', query: 'what should Alice not eat?', tokenBudget: 500 })) {
      if (chunk.section) sections.push(chunk.section.name);
    }
    expect(sections).toContain('semantic');
    // Breaking out early cancels the stream without an error.
    for await (const chunk of client.streamContext({ userId: 'ts-alice', query: 'peanuts' })) {
      expect(chunk).toBeDefined();
      break;
    }
  });

  it('exports a user as a stream of JSON lines', async () => {
    const lines: string[] = [];
    for await (const chunk of client.exportUser({ userId: 'ts-alice' })) lines.push(...chunk.lines);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', user_id: 'ts-alice' });
  });
});

describe.skipIf(!available)('MemoryClient retries', () => {
  it('retries an idempotent call on UNAVAILABLE until the service is back, and never a non-idempotent one', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'me-client-retry-'));
    let service = await startService({ port, dataDir });
    const client = new MemoryClient({ address: service.address, deadlineMs: 60_000, retry: { maxAttempts: 100, initialBackoffMs: 100, maxBackoffMs: 500 } });
    await client.remember({ userId: 'ts-retry', memory: { content: 'Dana runs marathons' } });
    await service.stop();

    const plain = await rejection(client.remember({ userId: 'ts-retry', memory: { content: 'Dana lives in Oslo' } }));
    expect(plain.status).toBe('UNAVAILABLE');
    const noRetries = new MemoryClient({ address: service.address, retry: false });
    expect((await rejection(noRetries.search({ userId: 'ts-retry', query: 'marathon' }))).status).toBe('UNAVAILABLE');
    noRetries.close();

    const pending = client.search({ userId: 'ts-retry', query: 'marathon' });
    service = await startService({ port, dataDir });
    const found = await pending;
    expect(found.hits[0]!.memory!.content).toBe('Dana runs marathons');
    client.close();
    await service.destroy();
  }, 120_000);
});

describe.skipIf(!available)('MemoryClient with API keys', () => {
  it('sends the key; without one the service refuses', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'me-client-auth-'));
    const key = createApiKey(dataDir, 'user:ts-erin');
    const service = await startService({ dataDir, env: { AUTH: 'on' } });
    const anonymous = new MemoryClient({ address: service.address });
    expect((await rejection(anonymous.search({ userId: 'ts-erin', query: 'x' }))).status).toBe('UNAUTHENTICATED');
    const keyed = new MemoryClient({ address: service.address, apiKey: key });
    expect((await keyed.remember({ userId: 'ts-erin', memory: { content: 'Erin keeps bees' } })).created).toBe(true);
    expect((await rejection(keyed.search({ userId: 'ts-frank', query: 'bees' }))).status).toBe('PERMISSION_DENIED');
    anonymous.close();
    keyed.close();
    await service.destroy();
  }, 120_000);
});
