/**
 * Context assembly end to end over gRPC: every section, one memory once, the token budget as a
 * real tokenizer counts it (CJK and emoji included), sections dropped at their deadline share or
 * on a backend outage without failing the call, StreamContext's stages (order, no repeats,
 * cancellation stops all backend work, a draining server ends the stream with UNAVAILABLE),
 * tenant isolation, determinism, and bad input.
 */
import type * as grpc from '@grpc/grpc-js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { EmbeddedVectorStore } from '../../src/engine/vector/embedded/index.js';
import { UnavailableError } from '../../src/errors.js';
import type { MemoryServiceClient } from '../../src/generated/memory/v1/MemoryService.js';
import { SqlMetadataStore } from '../../src/metadata/sql-metadata-store.js';
import { createLogger } from '../../src/observability/logger.js';
import { call, failure, newClient, startApp, status, tempDir, type TestApp } from '../helpers.js';
import { openSharedStores } from '../support/shared-stores.js';
import { interceptStore, type StoreHook } from '../support/intercepted-store.js';

interface Mem {
  id: string;
  userId: string;
  content: string;
}
interface Section {
  name: string;
  memories: Mem[];
  text: string;
  tokens: number;
  tier: string;
  detail: string;
  scores: number[];
}
interface Missing {
  name: string;
  reason: string;
  detail: string;
}
interface Ctx {
  sections: Section[];
  text: string;
  tokens: number;
  missing: Missing[];
  tokenBudget: number;
  tokenizer: string;
}
interface Chunk {
  stage: number;
  section: Section | null;
  tokensSoFar: number;
  missing: Missing[];
  done: boolean;
}

const DAY = 86_400_000;
const TOPICS = [
  { words: 'hiking mountains trail boots summit', entity: 'Everest' },
  { words: 'espresso coffee beans grinder roast', entity: 'Lavazza' },
  { words: 'python code bugs compiler tests', entity: 'GitHub' },
  { words: 'piano music lessons chopin scales', entity: 'Chopin' },
  { words: 'garden tomatoes soil compost seeds', entity: 'Kew' },
];

function dataset(perTopic: number) {
  return Array.from({ length: perTopic * TOPICS.length }, (_, i) => {
    const t = TOPICS[i % TOPICS.length]!;
    const words = t.words.split(' ');
    return {
      content: `Note ${i}: ${words[i % 5]} and ${words[(i + 2) % 5]} with ${words[(i + 3) % 5]}, ${t.words}.`,
      importance: i % 10 === 0 ? 0.9 : 0.4,
      kind: i % 9 === 0 ? 'preference' : 'fact',
      entities: i % 3 === 0 ? [t.entity] : [],
    };
  });
}

async function job(t: TestApp, userId: string, kind: string): Promise<void> {
  const queued = await call<{ id: string }>(t.client, 'TriggerPrecompute', { userId, job: kind });
  await t.app.precompute!.waitForJob(queued.id, 60_000);
}

const assemble = (client: MemoryServiceClient, req: object, deadlineMs = 10_000) => call<Ctx>(client, 'AssembleContext', req, { deadlineMs });

function stream(
  client: MemoryServiceClient,
  req: object,
  o: { deadlineMs?: number; onChunk?: (c: Chunk, s: grpc.ClientReadableStream<Chunk>) => void } = {},
): Promise<{ chunks: Chunk[]; code: number }> {
  const s = (client as unknown as { StreamContext: (r: object, opts: grpc.CallOptions) => grpc.ClientReadableStream<Chunk> }).StreamContext(req, { deadline: Date.now() + (o.deadlineMs ?? 10_000) });
  const chunks: Chunk[] = [];
  return new Promise((resolve) => {
    s.on('data', (c: Chunk) => {
      chunks.push(c);
      o.onChunk?.(c, s);
    });
    s.on('error', (e: grpc.ServiceError) => resolve({ chunks, code: e.code }));
    s.on('end', () => resolve({ chunks, code: 0 }));
  });
}

const allIds = (sections: Section[]) => sections.flatMap((s) => s.memories.map((m) => m.id));

describe('AssembleContext and StreamContext on embedded defaults', () => {
  let t: TestApp;
  const u = 'ctx-user';
  const other = 'ctx-other';
  const now = Date.now();
  const tomorrow = now + DAY;

  beforeAll(async () => {
    t = await startApp({ similarityMinImportance: 0 });
    const items = dataset(30);
    for (let i = 0; i < items.length; i += 50) await call(t.client, 'RememberBatch', { userId: u, items: items.slice(i, i + 50) });
    await call(t.client, 'RememberBatch', {
      userId: u,
      items: [
        { content: 'In this chat we planned the summit hike for Saturday', sessionId: 's-1' },
        { content: 'We also talked about which hiking boots to buy', sessionId: 's-1' },
      ],
    });
    // Another user with the same words and entities, and a secret no context of `u` may show.
    await call(t.client, 'RememberBatch', { userId: other, items: dataset(6).map((m) => ({ ...m, content: `${m.content} SECRET-OF-OTHER` })) });
    for (const kind of ['clusters', 'profile', 'summaries', 'similarity']) await job(t, u, kind);
    await job(t, other, 'profile');
  }, 120_000);

  afterAll(async () => t?.stop());

  it('fills every section, each memory once, within the budget', async () => {
    const res = await assemble(t.client, {
      userId: u,
      query: 'Which hiking boots for the mountain trail and the Everest summit?',
      tokenBudget: 1500,
      sessionId: 's-1',
      recentTurns: [{ role: 'user', content: 'I want to go hiking again' }],
      referenceTimeMs: tomorrow,
    });
    const names = res.sections.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['session', 'semantic', 'topics', 'entities']));
    // Every section asked for is either in the context or named in `missing`, with its reason.
    expect([...names, ...res.missing.map((m) => m.name)].sort()).toEqual(['entities', 'profile', 'related', 'semantic', 'session', 'temporal', 'topics']);
    expect(res.missing).toContainEqual({ name: 'temporal', reason: 'empty', detail: 'the query names no time' });
    for (const m of res.missing) expect(['empty', 'covered', 'budget']).toContain(m.reason);
    // The profile on its own: the user's preferences and top memories.
    const profile = await assemble(t.client, { userId: u, query: 'hiking boots', tokenBudget: 400, sections: [{ name: 'profile' }] });
    expect(profile.sections.map((s) => s.name)).toEqual(['profile']);
    expect(profile.sections[0]!.memories.length).toBeGreaterThan(0);
    const ids = allIds(res.sections);
    expect(new Set(ids).size).toBe(ids.length);
    expect(res.tokens).toBeLessThanOrEqual(1500);
    expect(countTokens(res.text)).toBe(res.tokens);
    expect(res.tokenizer).toBe('o200k_base');
    expect(res.tokenBudget).toBe(1500);
    expect(res.sections.find((s) => s.name === 'session')!.memories.map((m) => m.content)).toContain('We also talked about which hiking boots to buy');
    expect(res.sections.find((s) => s.name === 'entities')!.detail).toBe('Everest');
    expect(res.sections.find((s) => s.name === 'topics')!.text).toMatch(/hiking|mountains|trail|boots|summit/);
    const semantic = res.sections.find((s) => s.name === 'semantic')!;
    expect(semantic.memories.length).toBeGreaterThan(0);
    expect(semantic.scores).toHaveLength(semantic.memories.length);
    for (const s of res.sections) expect(res.text).toContain(s.text);

    // A time the query names: "yesterday", seen from tomorrow, is today (when the data was written).
    const dated = await assemble(t.client, { userId: u, query: 'what about hiking yesterday?', tokenBudget: 600, referenceTimeMs: tomorrow, sections: [{ name: 'temporal' }] });
    const temporal = dated.sections[0]!;
    expect(temporal.name).toBe('temporal');
    expect(temporal.detail).toBe(new Date(now).toISOString().slice(0, 10));
    expect(temporal.memories.length).toBeGreaterThan(0);

    // On its own, `related` shows the precomputed neighbours of the top hits (not the hits).
    const related = await assemble(t.client, { userId: u, query: 'hiking boots on the summit trail', tokenBudget: 600, sections: [{ name: 'related' }] });
    expect(related.sections.map((s) => s.name)).toEqual(['related']);
    // The context's own search: 600 tokens ask for 24 hits (a hybrid search's order depends on its candidate pool).
    const hits = await call<{ hits: { memory: Mem }[] }>(t.client, 'Search', { userId: u, query: 'hiking boots on the summit trail', topK: 24 }).then((r) => ({ hits: r.hits.slice(0, 3) }));
    const shown = new Set(related.sections[0]!.memories.map((m) => m.id));
    for (const h of hits.hits) expect(shown.has(h.memory.id)).toBe(false);
    expect(shown.size).toBeGreaterThan(0);
  });

  it('counts prefetches issued and used by a later turn', async () => {
    const read = async (outcome: string) => (await t.app.metrics.contextPrefetch.get()).values.find((v) => v.labels.outcome === outcome && v.labels.kind === 'window')?.value ?? 0;
    const issued0 = await read('issued');
    const used0 = await read('used');
    // A recent turn names a time the query does not: that window is loaded for the next turn.
    const turn = { userId: u, tokenBudget: 500, referenceTimeMs: tomorrow };
    await assemble(t.client, { ...turn, query: 'what should I practise', recentTurns: [{ role: 'user', content: 'I played the piano a lot two days ago' }] });
    for (let i = 0; i < 200 && (await read('issued')) === issued0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await read('issued')).toBeGreaterThan(issued0);
    await assemble(t.client, { ...turn, query: 'which piece did I play two days ago?' });
    expect(await read('used')).toBeGreaterThan(used0);
  });
  it('answers the README example as written (snake_case JSON, as grpcurl sends it)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const json = /-d '(\{[^']*\})'[^\n]*\n[^\n]*AssembleContext/.exec(readme)?.[1];
    expect(json, 'README has an AssembleContext example').toBeDefined();
    const camel = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase()), v]));
    const req = camel(JSON.parse(json!) as Record<string, unknown>);
    await call(t.client, 'Remember', { userId: req.userId, memory: { content: 'Alice is allergic to peanuts', sessionId: req.sessionId } });
    const res = await assemble(t.client, req);
    expect(res.text).toContain('Alice is allergic to peanuts');
    expect(res.tokens).toBeLessThanOrEqual(req.tokenBudget as number);
  });

  it('shows in the session the turn remembered just before (session pools are written through)', async () => {
    const req = { userId: u, query: 'what did we just say about the boots?', tokenBudget: 800, sessionId: 's-2', sections: [{ name: 'session' }] };
    await call(t.client, 'Remember', { userId: u, memory: { content: 'First turn of s-2 about boots', sessionId: 's-2' } });
    expect((await assemble(t.client, req)).text).toContain('First turn of s-2');
    await call(t.client, 'Remember', { userId: u, memory: { content: 'Second turn of s-2: the boots are too small', sessionId: 's-2' } });
    const after = await assemble(t.client, req);
    expect(after.text).toContain('Second turn of s-2');
    expect(after.sections[0]!.tier).toBe('TIER_L1');
  });

  it('is deterministic for the same request and data', async () => {
    const req = { userId: u, query: 'espresso grinder and roast for Lavazza beans', tokenBudget: 800, sessionId: 's-1', referenceTimeMs: tomorrow };
    const a = await assemble(t.client, req);
    const b = await assemble(t.client, req);
    expect(b.text).toBe(a.text);
    expect(a.text.length).toBeGreaterThan(0);
  });

  it('names why a section is missing, and packs a subset with shares', async () => {
    const res = await assemble(t.client, { userId: u, query: 'piano lessons', tokenBudget: 1000, sections: [{ name: 'semantic', tokenShare: 0.3 }, { name: 'temporal' }, { name: 'session' }] });
    expect(res.sections.map((s) => s.name)).toEqual(['semantic']);
    expect(res.sections[0]!.tokens).toBeLessThanOrEqual(300);
    expect(res.missing).toEqual([
      { name: 'session', reason: 'empty', detail: 'the request names no session_id' },
      { name: 'temporal', reason: 'empty', detail: 'the query names no time' },
    ]);
  });

  it('never goes over the budget, whatever the script (CJK, emoji)', async () => {
    const cjk = 'cjk-user';
    await call(t.client, 'RememberBatch', {
      userId: cjk,
      items: [
        { content: '我喜欢在山里徒步旅行，尤其是秋天的时候。🏔️🥾🍂' },
        { content: '東京の桜はとても美しいです。毎年四月に見に行きます。🌸🌸🌸' },
        { content: '👨‍👩‍👧‍👦🎉🎂🥳 family birthday party with cake 🍰' },
        { content: '서울에서 커피를 마시며 책을 읽었어요 ☕📚' },
        { content: 'Ünïcödé façade naïve café — mixed 混合 текст 🧪' },
      ],
    });
    for (const budget of [16, 20, 30, 45, 60, 100, 250]) {
      const res = await assemble(t.client, { userId: cjk, query: '徒步 桜 family 커피 café 🎉', tokenBudget: budget });
      expect(res.tokens).toBeLessThanOrEqual(budget);
      expect(countTokens(res.text)).toBe(res.tokens);
    }
  });

  it('never shows another user a memory (no section, no text)', async () => {
    const res = await assemble(t.client, {
      userId: u,
      query: 'hiking espresso python piano garden Everest Lavazza GitHub Chopin Kew SECRET-OF-OTHER',
      tokenBudget: 8000,
      recentTurns: [{ role: 'user', content: 'Everest Lavazza GitHub Chopin Kew' }],
      referenceTimeMs: tomorrow,
    });
    expect(res.text).not.toContain('SECRET-OF-OTHER');
    for (const m of res.sections.flatMap((s) => s.memories)) expect(m.userId).toBe(u);
    const theirs = await assemble(t.client, { userId: other, query: 'hiking boots summit', tokenBudget: 2000 });
    expect(theirs.text).toContain('SECRET-OF-OTHER');
    for (const m of theirs.sections.flatMap((s) => s.memories)) expect(m.userId).toBe(other);
  });

  it('streams the stages in order, each memory once, within the budget', async () => {
    const budget = 3000;
    const { chunks, code } = await stream(t.client, {
      userId: u,
      query: 'hiking boots for the Everest summit trail yesterday',
      tokenBudget: budget,
      sessionId: 's-1',
      referenceTimeMs: tomorrow,
    });
    expect(code).toBe(0);
    const stages = chunks.map((c) => c.stage);
    expect([...stages].sort((a, b) => a - b)).toEqual(stages);
    expect(stages[0]).toBe(1);
    expect(stages).toContain(2);
    expect(stages.at(-1)).toBe(4);
    const last = chunks.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.section).toBeNull();
    const sections = chunks.filter((c) => c.section).map((c) => c.section!);
    const ids = allIds(sections);
    expect(new Set(ids).size).toBe(ids.length);
    const sum = sections.reduce((n, s) => n + s.tokens, 0);
    expect(sum).toBeLessThanOrEqual(budget);
    expect(last.tokensSoFar).toBe(sum);
    for (const s of sections) expect(countTokens(s.text)).toBe(s.tokens);
    expect(chunks[0]!.section!.name).toBe('profile');
    expect(chunks[0]!.tokensSoFar).toBeLessThanOrEqual(500);
  });

  it('refuses bad input with INVALID_ARGUMENT naming the field', async () => {
    const bad = async (req: object, field: string) => {
      const e = await failure(assemble(t.client, { userId: u, query: 'q', ...req }));
      expect(e.code).toBe(status.INVALID_ARGUMENT);
      expect(e.details).toContain(field);
    };
    await bad({ tokenBudget: -5 }, 'token_budget');
    await bad({ tokenBudget: 2_000_000_000 }, 'token_budget');
    await bad({ tokenBudget: 3 }, 'token_budget');
    await bad({ query: '   ' }, 'query');
    await bad({ sections: [{ name: 'semantic' }, { name: 'gossip' }] }, 'sections[1].name');
    await bad({ sections: [{ name: 'semantic' }, { name: 'semantic' }] }, 'sections[1].name');
    await bad({ sections: [{ name: 'semantic', weight: -1 }] }, 'sections[0].weight');
    await bad({ sections: [{ name: 'semantic', tokenShare: 1.5 }] }, 'sections[0].token_share');
    await bad({ recentTurns: Array.from({ length: 51 }, () => ({ role: 'user', content: 'hi' })) }, 'recent_turns');
    await bad({ recentTurns: [{ role: 'user', content: 'x'.repeat(40_000) }] }, 'recent_turns[0].content');
    await bad({ sessionId: 'bad\u0001id' }, 'session_id');
    await bad({ userId: '' }, 'user_id');
    const s = await stream(t.client, { userId: u, query: 'q', tokenBudget: -1 });
    expect(s.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('sections under a slow or failing backend', () => {
  let dir = '';
  let store: EmbeddedVectorStore;
  let metadata: SqlMetadataStore;
  let intercepted: ReturnType<typeof interceptStore>;
  let app: App;
  let client: MemoryServiceClient;
  const u = 'slow-user';
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const hook = (h: StoreHook | undefined) => intercepted.setHook(h);
  const isSessionScroll = (m: string, args: unknown[]) => m === 'scroll' && (args[1] as { filter?: { sessionId?: string } }).filter?.sessionId !== undefined;

  beforeAll(async () => {
    dir = await tempDir('me-ctx-');
    ({ store, metadata } = await openSharedStores(dir));
    intercepted = interceptStore(store);
    // No precompute: the store calls counted here are the streams' own, not a background run's
    // (a topics section asks for a clusters run, which may start at any moment).
    const config = loadConfig({}, { grpcAddress: '127.0.0.1:0', httpAddress: '127.0.0.1:0', dataDir: dir, logLevel: 'silent', shutdownGraceMs: 300, contextPrefetch: false, precompute: false });
    app = await new App(config, createLogger('silent'), { store: intercepted.store, metadata }).start();
    client = newClient(app.grpcPort);
    const items = dataset(8).map((m, i) => ({ ...m, sessionId: i % 2 ? 's-slow' : '' }));
    await call(client, 'RememberBatch', { userId: u, items });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await app?.close();
    await store?.close();
    await metadata?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('drops a section that misses its deadline share, and still answers', async () => {
    hook(async (m, args) => {
      if (isSessionScroll(m, args)) await sleep(1500);
    });
    const t0 = performance.now();
    const res = await assemble(client, { userId: u, query: 'hiking boots', tokenBudget: 1000, sessionId: 's-slow', sections: [{ name: 'session' }, { name: 'semantic' }] }, 600);
    hook(undefined);
    expect(performance.now() - t0).toBeLessThan(1200);
    expect(res.sections.map((s) => s.name)).toEqual(['semantic']);
    expect(res.missing.map((m) => [m.name, m.reason])).toEqual([['session', 'deadline']]);
  });

  it('answers without a section whose backend is down, and fails only when every section did', async () => {
    hook((m, args) => {
      if (isSessionScroll(m, args)) throw new UnavailableError('store down (test)');
    });
    const res = await assemble(client, { userId: u, query: 'espresso beans', sessionId: 's-slow', sections: [{ name: 'session' }, { name: 'semantic' }] });
    expect(res.sections.map((s) => s.name)).toEqual(['semantic']);
    expect(res.missing.map((m) => [m.name, m.reason])).toEqual([['session', 'unavailable']]);
    const e = await failure(assemble(client, { userId: u, query: 'espresso beans', sessionId: 's-slow', sections: [{ name: 'session' }] }));
    expect(e.code).toBe(status.UNAVAILABLE);
    hook(undefined);
  });

  it('stops every backend call once a stream is cancelled', async () => {
    hook(() => sleep(150) as Promise<void>);
    let cancelledAt = 0;
    const before = intercepted.calls.length;
    const { code } = await stream(
      client,
      { userId: u, query: 'python compiler bugs', tokenBudget: 4000, sessionId: 's-slow' },
      {
        onChunk: (_c, s) => {
          if (cancelledAt === 0) {
            cancelledAt = performance.now();
            s.cancel();
          }
        },
      },
    );
    expect(code).toBe(status.CANCELLED);
    await sleep(800);
    hook(undefined);
    const after = intercepted.calls.slice(before).filter((c) => c.at > cancelledAt + 5);
    expect(after.map((c) => c.method)).toEqual([]);
  });

  it('ends an open stream with UNAVAILABLE when the server drains', async () => {
    hook(() => sleep(2000) as Promise<void>);
    const open = stream(client, { userId: u, query: 'garden tomatoes', tokenBudget: 1000, sessionId: 's-slow' }, { deadlineMs: 20_000 });
    await sleep(100);
    const closing = app.close();
    const { code } = await open;
    hook(undefined);
    await closing;
    expect(code).toBe(status.UNAVAILABLE);
  });
});
