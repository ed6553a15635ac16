/**
 * Hybrid retrieval end to end over gRPC, on embedded defaults (lexical embedder, SEARCH_MODE
 * hybrid): the three modes, which retrievers found each hit, bad input, tenants, updates and
 * deletes reaching the keyword index, the index-text template, the backfill of memories written
 * before the keyword index existed, and the local ONNX model behind a running service.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LexicalEmbedder } from '../../src/engine/embed/lexical.js';
import { call, failure, startApp, status, tempDir, type TestApp } from '../helpers.js';
import { makeRecord } from '../contract/vector-store-contract.js';
import { localModelPath } from '../support/local-model.js';
import { openServiceVectorStore } from '../support/shared-stores.js';
import { rm } from 'node:fs/promises';

interface Hit {
  memory: { id: string; userId: string; content: string };
  score: number;
  similarity: number;
  keywordScore: number;
  retrievers: string[];
}
const user = () => `user-${randomUUID()}`;

describe('hybrid search (lexical embedder)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ indexTextTemplate: '({metadata.date}) {content}' });
  });
  afterAll(async () => {
    await t?.stop();
  });
  const remember = (userId: string, memory: object) => call<{ id: string }>(t.client, 'Remember', { userId, memory });
  const search = (userId: string, req: object) => call<{ hits: Hit[] }>(t.client, 'Search', { userId, ...req }).then((r) => r.hits);

  it('searches by keywords, vectors or both, and says which retriever found each hit', async () => {
    const u = user();
    const order = await remember(u, { content: 'Order A7731 of the standing desk shipped on Tuesday' });
    await remember(u, { content: 'The user prefers oat milk in coffee' });
    await remember(u, { content: 'Standing desks help with back pain' });
    const kw = await search(u, { query: 'where is order A7731', mode: 'SEARCH_MODE_KEYWORD' });
    expect(kw[0]!.memory.id).toBe(order.id);
    expect(kw.every((h) => h.retrievers.join() === 'keyword' && h.keywordScore > 0)).toBe(true);
    const dense = await search(u, { query: 'where is order A7731', mode: 'SEARCH_MODE_DENSE' });
    expect(dense.every((h) => h.retrievers.join() === 'dense' && h.keywordScore === 0)).toBe(true);
    // The default (hybrid): the order is found by both and ranks first.
    const hybrid = await search(u, { query: 'where is order A7731' });
    expect(hybrid[0]!.memory.id).toBe(order.id);
    expect(hybrid[0]!.retrievers.sort()).toEqual(['dense', 'keyword']);
    expect(hybrid[0]!.similarity).toBeGreaterThan(0); // the dense side found it: its cosine
    // A vector alone can only be searched densely.
    const vec = await search(u, { queryVector: Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)), topK: 2 });
    expect(vec.every((h) => h.retrievers.join() === 'dense')).toBe(true);
  });

  it('refuses what a mode cannot do, naming the field', async () => {
    const u = user();
    const bad = await failure(call(t.client, 'Search', { userId: u, query: 'x', mode: 7 }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/^mode/);
    const noText = await failure(call(t.client, 'Search', { userId: u, queryVector: [1, ...Array(383).fill(0)], mode: 'SEARCH_MODE_KEYWORD' }));
    expect(noText.code).toBe(status.INVALID_ARGUMENT);
    expect(noText.details).toMatch(/^query/);
    expect((await failure(call(t.client, 'Search', { userId: u, queryVector: [1, ...Array(383).fill(0)], mode: 'SEARCH_MODE_HYBRID' }))).details).toMatch(/^query/);
  });

  it('never finds another user’s memories by their words', async () => {
    const a = user();
    const b = user();
    await remember(a, { content: 'the secret codeword is pelican' });
    await remember(b, { content: 'nothing to see here' });
    expect(await search(b, { query: 'pelican codeword', mode: 'SEARCH_MODE_KEYWORD' })).toEqual([]);
    expect((await search(b, { query: 'pelican codeword' })).every((h) => h.memory.userId === b)).toBe(true);
  });

  it('follows updates and deletes at once', async () => {
    const u = user();
    const m = await remember(u, { content: 'the meeting is in room Saturn' });
    expect((await search(u, { query: 'Saturn', mode: 'SEARCH_MODE_KEYWORD' })).map((h) => h.memory.id)).toEqual([m.id]);
    await call(t.client, 'Update', { userId: u, id: m.id, content: 'the meeting is in room Jupiter' });
    expect(await search(u, { query: 'Saturn', mode: 'SEARCH_MODE_KEYWORD' })).toEqual([]);
    expect((await search(u, { query: 'Jupiter', mode: 'SEARCH_MODE_KEYWORD' })).map((h) => h.memory.id)).toEqual([m.id]);
    await call(t.client, 'Forget', { userId: u, ids: [m.id] });
    expect(await search(u, { query: 'Jupiter', mode: 'SEARCH_MODE_KEYWORD' })).toEqual([]);
  });

  it('indexes the template’s text while the content stays as written', async () => {
    const u = user();
    const m = await remember(u, { content: 'we adopted a kitten', metadata: { date: '7 May 2023' } });
    const hits = await search(u, { query: 'what happened in May 2023', mode: 'SEARCH_MODE_KEYWORD' });
    expect(hits.map((h) => h.memory.id)).toEqual([m.id]);
    expect(hits[0]!.memory.content).toBe('we adopted a kitten');
    // Changing a field the template reads re-indexes the memory.
    await call(t.client, 'Update', { userId: u, id: m.id, metadata: { date: '1 June 2024' } });
    expect(await search(u, { query: 'May 2023', mode: 'SEARCH_MODE_KEYWORD' })).toEqual([]);
    expect((await search(u, { query: 'June 2024', mode: 'SEARCH_MODE_KEYWORD' })).map((h) => h.memory.id)).toEqual([m.id]);
  });
});

describe('keyword backfill of memories written before the keyword index', () => {
  it('indexes them in the background while the service serves', async () => {
    const dir = await tempDir();
    try {
      // Memories as an older version wrote them: vectors, no keyword vectors.
      const lexical = new LexicalEmbedder(384);
      const store = await openServiceVectorStore(dir);
      const u = user();
      const texts = Array.from({ length: 1200 }, (_, i) => `old note ${i} about topic${i % 40}`);
      const vecs = await lexical.embed(texts);
      const recs = texts.map((content, i) => makeRecord(u, Array.from(vecs[i]!), { content }));
      for (let i = 0; i < recs.length; i += 400) await store.upsert(u, recs.slice(i, i + 400));
      await store.close();

      const t = await startApp({ keywordBackfillBatch: 100 }, dir);
      try {
        const find = () => call<{ hits: Hit[] }>(t.client, 'Search', { userId: u, query: 'topic39', mode: 'SEARCH_MODE_KEYWORD', topK: 100 }).then((r) => r.hits.length);
        let found = 0;
        for (let i = 0; i < 200 && found < 30; i++) {
          found = await find();
          if (found < 30) await new Promise((r) => setTimeout(r, 50));
        }
        expect(found).toBe(30);
        const metrics = await (await fetch(`http://127.0.0.1:${t.app.httpPort}/metrics`)).text();
        expect(metrics).toMatch(/memory_keyword_backfill_total 1200/);
      } finally {
        await t.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const model = localModelPath('local embedder service');
describe.skipIf(!model)('EMBEDDER=local behind the service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ embedder: 'local', localModelPath: model! });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('finds a paraphrase densely and an exact name by keywords, both in hybrid mode', async () => {
    const u = user();
    const pet = await call<{ id: string }>(t.client, 'Remember', { userId: u, memory: { content: 'My dog Biscuit is a golden retriever.' } });
    await call(t.client, 'RememberBatch', {
      userId: u,
      items: ['I work as a nurse in Porto.', 'We went to a Coldplay concert last week.', 'My favourite food is ramen.'].map((content) => ({ content })),
    });
    const dense = await call<{ hits: Hit[] }>(t.client, 'Search', { userId: u, query: 'what animal does the user own', mode: 'SEARCH_MODE_DENSE', topK: 1 });
    expect(dense.hits[0]!.memory.id).toBe(pet.id);
    const hybrid = await call<{ hits: Hit[] }>(t.client, 'Search', { userId: u, query: 'Biscuit', topK: 2 });
    expect(hybrid.hits[0]!.memory.id).toBe(pet.id);
    expect(hybrid.hits[0]!.retrievers).toContain('keyword');
  });
});
