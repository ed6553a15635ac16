/**
 * Precompute end to end over gRPC on embedded defaults: topics, profiles, summaries, neighbour
 * lists, jobs, triggers, strong deletes through every artifact, the LLM summary path against a
 * local chat server, and topic-routed search.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, failure, rng, startApp, status, type TestApp } from '../helpers.js';

const DIMS = 32;
const TOPICS = [
  { words: 'hiking mountains trail boots', entity: 'Everest' },
  { words: 'espresso coffee beans grinder', entity: 'Lavazza' },
  { words: 'python code bugs compiler', entity: 'GitHub' },
  { words: 'piano music lessons chopin', entity: 'Chopin' },
  { words: 'garden tomatoes soil compost', entity: 'Kew' },
];

/** `perTopic` memories per topic: vectors around a centre per topic, content with its words. */
function dataset(perTopic: number, seed: number) {
  const r = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = TOPICS.map(() => Array.from({ length: DIMS }, g));
  const items: { content: string; embedding: number[]; importance: number; kind: string; entities: string[]; topic: number }[] = [];
  for (let i = 0; i < perTopic * TOPICS.length; i++) {
    const t = i % TOPICS.length;
    const v = centres[t]!.map((c) => c + g() * 0.3);
    const n = Math.hypot(...v);
    items.push({
      content: `Memory ${i}: talked about ${TOPICS[t]!.words} again.`,
      embedding: v.map((x) => x / n),
      importance: i % 10 === 0 ? 0.9 : 0.3 + (i % 5) / 10,
      kind: i % 9 === 0 ? 'preference' : 'fact',
      entities: i % 3 === 0 ? [TOPICS[t]!.entity] : [],
      topic: t,
    });
  }
  return items;
}

async function remember(t: TestApp, userId: string, items: ReturnType<typeof dataset>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 200) {
    const res = await call<{ results: { id: string }[] }>(t.client, 'RememberBatch', { userId, items: items.slice(i, i + 200).map(({ topic: _t, ...m }) => m) });
    ids.push(...res.results.map((x) => x.id));
  }
  return ids;
}

interface Job {
  id: string;
  status: string;
  kind: string;
  counts: Record<string, number>;
  error: string;
}

async function run(t: TestApp, userId: string, job: string): Promise<Job> {
  const queued = await call<Job>(t.client, 'TriggerPrecompute', { userId, job });
  expect(['QUEUED', 'RUNNING']).toContain(queued.status);
  await t.app.precompute!.waitForJob(queued.id);
  return call<Job>(t.client, 'GetJob', { userId, jobId: queued.id });
}

interface Topic {
  id: string;
  label: string;
  size: number;
  memberIds: string[];
  summary: string;
  terms: string[];
  generator: string;
  centroid: number[];
}

describe('precompute over gRPC', () => {
  let t: TestApp;
  const user = 'alice';
  let items: ReturnType<typeof dataset>;
  let ids: string[];

  beforeAll(async () => {
    t = await startApp({ embedder: 'none', embeddingDimensions: DIMS, precomputeEveryN: 1_000_000, indexMinMemories: 200 });
    items = dataset(60, 11);
    ids = await remember(t, user, items);
    for (const job of ['clusters', 'profile', 'summaries', 'similarity']) expect((await run(t, user, job)).status).toBe('SUCCEEDED');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('clusters memories into topics labelled by their own words, with stable ids across runs', async () => {
    const res = await call<{ topics: Topic[]; tier: string }>(t.client, 'ListTopics', { userId: user, includeMembers: true });
    expect(res.topics.length).toBe(TOPICS.length);
    for (const topic of res.topics) {
      const members = new Set(topic.memberIds);
      expect(topic.size).toBe(members.size);
      // Every member comes from one generated topic, and the label names its words.
      const origin = new Set(ids.map((id, i) => (members.has(id) ? items[i]!.topic : -1)).filter((x) => x >= 0));
      expect(origin.size).toBe(1);
      const words = TOPICS[[...origin][0]!]!.words.split(' ');
      expect(topic.label.split(', ').every((w) => words.includes(w) || w === TOPICS[[...origin][0]!]!.entity.toLowerCase())).toBe(true);
      expect(topic.summary.length).toBeGreaterThan(0);
      expect(topic.generator).toBe('extractive');
    }
    const one = await call<Topic>(t.client, 'GetTopic', { userId: user, topicId: res.topics[0]!.id });
    expect(one.memberIds.length).toBe(res.topics[0]!.size);
    expect(one.centroid.length).toBe(DIMS);
    // A second run over the same memories keeps every topic's id.
    expect((await run(t, user, 'clusters')).status).toBe('SUCCEEDED');
    const again = await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: user });
    expect(again.topics.map((x) => x.id).sort()).toEqual(res.topics.map((x) => x.id).sort());
    expect(again.topics[0]!.memberIds).toEqual([]); // members only when asked for
    expect((await failure(call(t.client, 'GetTopic', { userId: user, topicId: 'nope' }))).code).toBe(status.NOT_FOUND);
    // Another user sees none of them.
    expect((await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: 'bob' })).topics).toEqual([]);
    expect((await failure(call(t.client, 'GetTopic', { userId: 'bob', topicId: res.topics[0]!.id }))).code).toBe(status.NOT_FOUND);
  });

  it('serves a compiled profile from cache: top, recent, preferences, entities, topics, a summary within budget', async () => {
    const p = await call<
      Record<string, unknown> & {
        topMemories: { id: string; importance: number }[];
        recentMemories: { createdAtMs: number }[];
        preferences: { kind: string }[];
        entities: { name: string; count: number }[];
        summary: string;
        summaryTokens: number;
        tier: string;
        topics: { id: string }[];
      }
    >(t.client, 'GetProfile', { userId: user });
    expect(p.topMemories.length).toBe(20);
    expect(p.topMemories[0]!.importance).toBeCloseTo(0.9, 5);
    expect(p.preferences.length).toBeGreaterThan(0);
    expect(p.preferences.every((m) => m.kind === 'preference')).toBe(true);
    const times = p.recentMemories.map((m) => m.createdAtMs);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(p.entities.map((e) => e.name).sort()).toEqual(TOPICS.map((x) => x.entity).sort());
    expect(p.entities[0]!.count).toBe(20);
    expect(p.topics.length).toBe(5);
    expect(p.memoryCount).toBe(items.length);
    expect(p.summaryTokens).toBeLessThanOrEqual(400);
    expect(p.summary).toContain('Memory');
    const again = await call<{ tier: string }>(t.client, 'GetProfile', { userId: user });
    expect(again.tier).toBe('TIER_L1');
    // No memories, no profile.
    expect((await failure(call(t.client, 'GetProfile', { userId: 'nobody' }, { deadlineMs: 5000 }))).code).toBe(status.NOT_FOUND);
  });

  it('summarizes days, weeks, months, entities and topics; refuses malformed keys naming the field', async () => {
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const s = await call<{ text: string; memoryCount: number; sourceIds: string[]; generator: string }>(t.client, 'GetSummary', { userId: user, kind: 'day', key: day });
    expect(s.memoryCount).toBe(items.length);
    expect(s.sourceIds.length).toBeGreaterThan(1);
    expect(s.text.length).toBeGreaterThan(0);
    const month = await call<{ memoryCount: number }>(t.client, 'GetSummary', { userId: user, kind: 'month', key: day.slice(0, 7) });
    expect(month.memoryCount).toBe(items.length);
    const entity = await call<{ text: string; memoryCount: number }>(t.client, 'GetSummary', { userId: user, kind: 'entity', key: 'Chopin' });
    expect(entity.memoryCount).toBe(20);
    expect(entity.text).toContain('piano');
    // Not precomputed: made on the spot (an old period with nothing in it is empty).
    const old = await call<{ text: string; memoryCount: number }>(t.client, 'GetSummary', { userId: user, kind: 'week', key: '2020-W05' });
    expect(old).toMatchObject({ text: '', memoryCount: 0 });
    const topics = await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: user });
    const ts = await call<{ text: string; kind: string }>(t.client, 'GetSummary', { userId: user, kind: 'topic', key: topics.topics[0]!.id });
    expect(ts.text).toBe(topics.topics[0]!.summary);
    const bad = await failure(call(t.client, 'GetSummary', { userId: user, kind: 'day', key: '2026-13-01' }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/^key:/);
    const badKind = await failure(call(t.client, 'GetSummary', { userId: user, kind: 'year', key: '2026' }));
    expect(badKind.details).toMatch(/^kind:/);
  });

  it('runs jobs by request and reports them only to their user', async () => {
    const j = await run(t, user, 'profile');
    expect(j).toMatchObject({ kind: 'profile', status: 'SUCCEEDED' });
    expect(j.counts.memories).toBe(items.length);
    expect((await failure(call(t.client, 'GetJob', { userId: 'bob', jobId: j.id }))).code).toBe(status.NOT_FOUND);
    expect((await failure(call(t.client, 'GetJob', { userId: user, jobId: 'not-a-uuid' }))).details).toMatch(/^job_id:/);
    expect((await failure(call(t.client, 'TriggerPrecompute', { userId: user, job: 'everything' }))).details).toMatch(/^job:/);
  });

  it('keeps neighbour lists of important memories, current as memories are added', async () => {
    const importantAt = items.findIndex((m) => m.importance >= 0.7);
    const rel = await call<{ hits: { memory: { id: string }; similarity: number }[]; precomputed: boolean }>(t.client, 'GetRelated', { userId: user, id: ids[importantAt]!, topK: 5 });
    expect(rel.precomputed).toBe(true);
    expect(rel.hits.length).toBe(5);
    expect(rel.hits.every((h) => items[ids.indexOf(h.memory.id)]!.topic === items[importantAt]!.topic)).toBe(true);
    // A near-copy of it is added: the incremental run puts it first in the list.
    const twin = await call<{ id: string }>(t.client, 'Remember', {
      userId: user,
      memory: { content: 'twin', embedding: items[importantAt]!.embedding.map((x, i) => x + (i === 0 ? 1e-3 : 0)), importance: 0.2 },
    });
    const queued = await t.app.precompute!.scheduler.enqueue(user, 'similarity', 'memories');
    await t.app.precompute!.waitForJob(queued!);
    const after = await call<{ hits: { memory: { id: string } }[]; precomputed: boolean }>(t.client, 'GetRelated', { userId: user, id: ids[importantAt]!, topK: 5 });
    expect(after.precomputed).toBe(true);
    expect(after.hits[0]!.memory.id).toBe(twin.id);
    // An unimportant memory has no list: a live search answers.
    const plain = await call<{ precomputed: boolean; hits: unknown[] }>(t.client, 'GetRelated', { userId: user, id: twin.id, topK: 3 });
    expect(plain).toMatchObject({ precomputed: false });
    expect(plain.hits.length).toBe(3);
    expect((await failure(call(t.client, 'GetRelated', { userId: 'bob', id: twin.id }))).code).toBe(status.NOT_FOUND);
  });

  it('removes a forgotten memory from topics, profile, summaries and neighbour lists before Forget returns', async () => {
    const p = await call<{ topMemories: { id: string }[] }>(t.client, 'GetProfile', { userId: user });
    const victim = p.topMemories[0]!.id;
    const victimIdx = ids.indexOf(victim);
    const entity = TOPICS[items[victimIdx]!.topic]!.entity;
    // Make sure every artifact holds it before.
    const day = new Date().toISOString().slice(0, 10);
    const related = await call<{ hits: { memory: { id: string } }[] }>(t.client, 'GetRelated', {
      userId: user,
      id: ids[items.findIndex((m, i) => i !== victimIdx && m.topic === items[victimIdx]!.topic && m.importance >= 0.7)]!,
      topK: 10,
    });
    await call(t.client, 'Forget', { userId: user, ids: [victim] });
    const p2 = await call<{ topMemories: { id: string }[]; summary: string; recentMemories: { id: string }[] }>(t.client, 'GetProfile', { userId: user });
    expect(p2.topMemories.some((m) => m.id === victim)).toBe(false);
    expect(p2.summary).not.toContain(`Memory ${victimIdx}:`);
    const topics = await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: user, includeMembers: true });
    expect(topics.topics.some((x) => x.memberIds.includes(victim) || x.summary.includes(`Memory ${victimIdx}:`))).toBe(false);
    for (const [kind, key] of [
      ['day', day],
      ['entity', entity],
    ]) {
      const s = await call<{ text: string; sourceIds: string[] }>(t.client, 'GetSummary', { userId: user, kind, key });
      expect(s.sourceIds).not.toContain(victim);
      expect(s.text).not.toContain(`Memory ${victimIdx}:`);
    }
    const rel = await call<{ hits: { memory: { id: string } }[] }>(t.client, 'GetRelated', {
      userId: user,
      id: related.hits[0] ? ids[items.findIndex((m, i) => i !== victimIdx && m.topic === items[victimIdx]!.topic && m.importance >= 0.7)]! : victim,
      topK: 10,
    });
    expect(rel.hits.some((h) => h.memory.id === victim)).toBe(false);
    // A correction of a memory's text removes the old text the same way.
    const s2 = await call<{ sourceIds: string[] }>(t.client, 'GetSummary', { userId: user, kind: 'entity', key: entity });
    const corrected = s2.sourceIds[0]!;
    await call(t.client, 'Update', { userId: user, id: corrected, correction: true, content: 'Corrected text.', embedding: items[ids.indexOf(corrected)]!.embedding });
    const s3 = await call<{ sourceIds: string[]; text: string }>(t.client, 'GetSummary', { userId: user, kind: 'entity', key: entity });
    expect(s3.sourceIds).not.toContain(corrected);
    expect(s3.text).not.toContain(`Memory ${ids.indexOf(corrected)}:`);
  });

  it('erases a user’s precomputed data with ForgetUser, and counts it in the receipt', async () => {
    const u = 'carol';
    await remember(t, u, dataset(20, 5));
    expect(await run(t, u, 'clusters')).toMatchObject({ status: 'SUCCEEDED', error: '' });
    expect(await run(t, u, 'profile')).toMatchObject({ status: 'SUCCEEDED', error: '' });
    const receipt = await call<{ precomputedDeleted: number; memoriesDeleted: number }>(t.client, 'ForgetUser', { userId: u });
    expect(receipt.memoriesDeleted).toBe(100);
    expect(receipt.precomputedDeleted).toBeGreaterThanOrEqual(6);
    expect((await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: u })).topics).toEqual([]);
    expect((await failure(call(t.client, 'GetProfile', { userId: u }, { deadlineMs: 5000 }))).code).toBe(status.NOT_FOUND);
  });
});

describe('precompute triggers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ embedder: 'none', embeddingDimensions: DIMS, precomputeEveryN: 50 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('compiles the profile, topics and summaries after N new memories, by itself', async () => {
    const u = 'dave';
    // 60 ordinary memories (none important enough to trigger a profile change): one trigger at 50.
    const items = dataset(12, 3).map((m) => ({ ...m, importance: 0.5, kind: 'fact' }));
    await remember(t, u, items.slice(0, 49));
    await new Promise((r) => setTimeout(r, 200));
    expect(t.app.precompute!.scheduler.lastRunAt(u, 'profile')).toBe(0);
    await remember(t, u, items.slice(49));
    const end = Date.now() + 20_000;
    while (t.app.precompute!.scheduler.lastRunAt(u, 'profile') === 0 || t.app.precompute!.scheduler.lastRunAt(u, 'clusters') === 0) {
      if (Date.now() > end) throw new Error('no automatic runs');
      await new Promise((r) => setTimeout(r, 50));
    }
    const p = await call<{ memoryCount: number; tier: string }>(t.client, 'GetProfile', { userId: u });
    expect(p.memoryCount).toBeGreaterThanOrEqual(50);
  });

  it('counts an update as new only when its text changes; refreshes the profile when a memory enters it', async () => {
    const u = 'frank';
    const ids = await remember(
      t,
      u,
      dataset(8, 5)
        .slice(0, 40)
        .map((m) => ({ ...m, importance: 0.5, kind: 'fact' })),
    );
    // 20 importance-only updates would have made 60 "new" memories (a run at 50) if counted.
    for (const id of ids.slice(0, 20)) await call(t.client, 'Update', { userId: u, id, importance: 0.6 });
    await new Promise((r) => setTimeout(r, 300));
    expect(t.app.precompute!.scheduler.isBusy(u, 'profile')).toBe(false);
    expect(t.app.precompute!.scheduler.lastRunAt(u, 'profile')).toBe(0);
    // One that lifts a memory into the profile's top set refreshes it.
    await call(t.client, 'Update', { userId: u, id: ids[30], importance: 0.9 });
    const end = Date.now() + 20_000;
    while (t.app.precompute!.scheduler.lastRunAt(u, 'profile') === 0) {
      if (Date.now() > end) throw new Error('no profile-change run');
      await new Promise((r) => setTimeout(r, 50));
    }
    const p = await call<{ topMemories: { id: string }[] }>(t.client, 'GetProfile', { userId: u });
    expect(p.topMemories[0]!.id).toBe(ids[30]);
    // Ten content changes count as new memories: with the 40 stored, N = 50 is reached.
    for (const [i, id] of ids.slice(0, 10).entries()) await call(t.client, 'Update', { userId: u, id, content: `changed ${i}`, embedding: dataset(8, 6)[i]!.embedding });
    const end2 = Date.now() + 20_000;
    while (t.app.precompute!.scheduler.lastRunAt(u, 'summaries') === 0) {
      if (Date.now() > end2) throw new Error('no run after N changed memories');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('compiles a missing profile when a session starts', async () => {
    const u = 'erin';
    await remember(
      t,
      u,
      dataset(2, 4).map((m) => ({ ...m, importance: 0.5, kind: 'fact' })),
    );
    expect(t.app.precompute!.scheduler.lastRunAt(u, 'profile')).toBe(0);
    await call(t.client, 'WarmSession', { userId: u, sessionId: 's1' });
    const end = Date.now() + 20_000;
    while (t.app.precompute!.scheduler.lastRunAt(u, 'profile') === 0) {
      if (Date.now() > end) throw new Error('no session-start run');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await call<{ memoryCount: number }>(t.client, 'GetProfile', { userId: u })).memoryCount).toBe(10);
  });
});

describe('LLM summaries (a local OpenAI-compatible chat server)', () => {
  let t: TestApp;
  let server: Server;
  let base = '';
  let mode: 'ok' | 'fail' = 'ok';
  const prompts: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const r = JSON.parse(body) as { model: string; messages: { role: string; content: string }[]; max_tokens: number };
        prompts.push(r.messages.at(-1)!.content);
        if (mode === 'fail' || req.url !== '/v1/chat/completions') {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'down' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'c1',
            object: 'chat.completion',
            created: 1,
            model: r.model,
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `LLM summary (${r.max_tokens} tokens max).` } }],
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    t = await startApp({ embedder: 'none', embeddingDimensions: DIMS, precomputeEveryN: 1_000_000, summaryLlmModel: 'test-model', summaryLlmBaseUrl: base, summaryLlmApiKey: 'k' });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => server?.close(r));
  });

  it('writes topic and profile summaries with the model, falls back to extractive when it fails, and drops its text when a source is forgotten', async () => {
    const u = 'frank';
    const items = dataset(20, 9);
    const ids = await remember(t, u, items);
    expect((await run(t, u, 'clusters')).status).toBe('SUCCEEDED');
    const topics = await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: u, includeMembers: true });
    expect(topics.topics.length).toBe(5);
    expect(topics.topics.every((x) => x.generator === 'llm:test-model' && x.summary === 'LLM summary (150 tokens max).')).toBe(true);
    expect(prompts.some((p) => p.includes('talked about'))).toBe(true);
    expect((await run(t, u, 'profile')).status).toBe('SUCCEEDED');
    const p = await call<{ summary: string; generator: string; topMemories: { id: string }[] }>(t.client, 'GetProfile', { userId: u });
    expect(p).toMatchObject({ generator: 'llm:test-model', summary: 'LLM summary (400 tokens max).' });
    // Forgetting a memory the model read: its text goes, the extractive text stands in (the
    // endpoint now fails, so the recompilation the removal triggers is extractive too).
    mode = 'fail';
    await call(t.client, 'Forget', { userId: u, ids: [p.topMemories[0]!.id] });
    const p2 = await call<{ summary: string; generator: string }>(t.client, 'GetProfile', { userId: u });
    expect(p2.generator).toBe('extractive');
    expect(p2.summary).toContain('Memory');
    // The endpoint fails: the run still succeeds, with extractive summaries.
    const j = await run(t, u, 'clusters');
    expect(j.status).toBe('SUCCEEDED');
    expect(j.counts.llmFailed).toBe(5);
    const t2 = await call<{ topics: Topic[] }>(t.client, 'ListTopics', { userId: u });
    expect(t2.topics.every((x) => x.generator === 'extractive' && x.summary.includes('Memory'))).toBe(true);
    expect(ids.length).toBe(100);
  });

  it('gives every run and every on-demand summary its own LLM budget (none drains another)', async () => {
    mode = 'ok';
    const small = await startApp({
      embedder: 'none',
      embeddingDimensions: DIMS,
      precomputeEveryN: 1_000_000,
      summaryLlmModel: 'test-model',
      summaryLlmBaseUrl: base,
      summaryLlmApiKey: 'k',
      summaryLlmMaxCalls: 2,
      summaryEntities: 0,
    });
    try {
      const u = 'budget';
      await remember(small, u, dataset(12, 5));
      // More on-demand summaries than one run's budget: each is written by the model.
      for (const entity of TOPICS.map((x) => x.entity)) {
        const s = await call<{ generator: string }>(small.client, 'GetSummary', { userId: u, kind: 'entity', key: entity });
        expect(s.generator, entity).toBe('llm:test-model');
      }
      // And a run afterwards still has its whole budget.
      const j = await run(small, u, 'summaries');
      expect(j.status).toBe('SUCCEEDED');
      expect(j.counts.llmCalls).toBe(2);
    } finally {
      await small.stop();
    }
  });
});

describe('topic-routed search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ embedder: 'none', embeddingDimensions: DIMS, precomputeEveryN: 1_000_000, topicRoutingMinSimilarity: 0.8 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers a query that falls in one topic from its members, with the same hits as the full search', async () => {
    const u = 'gina';
    const items = dataset(40, 21);
    await remember(t, u, items);
    expect((await run(t, u, 'clusters')).status).toBe('SUCCEEDED');
    const q = items[7]!.embedding;
    // The first routable search starts loading the topics into L1 (routing never waits for them);
    // a read of the topics has them there for certain (the metadata database may be busy with
    // the run's follow-ups); then searches route.
    await call(t.client, 'Search', { userId: u, queryVector: items[8]!.embedding, topK: 5, queryClass: 'QUERY_CLASS_SUGGESTION' });
    await call(t.client, 'ListTopics', { userId: u });
    const routed = await call<{ hits: { memory: { id: string } }[] }>(t.client, 'Search', { userId: u, queryVector: q, topK: 5, queryClass: 'QUERY_CLASS_SUGGESTION' });
    const exact = await call<{ hits: { memory: { id: string } }[] }>(t.client, 'Search', { userId: u, queryVector: q, topK: 5, exact: true });
    expect(routed.hits.map((h) => h.memory.id)).toEqual(exact.hits.map((h) => h.memory.id));
    const metrics = await (await fetch(`http://127.0.0.1:${t.app.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/memory_search_topic_routed_total\{outcome="served"\} [1-9]/);
  });
});

describe('cached artifacts after a run', () => {
  it('serves no stale neighbour list however many artifacts of the user are cached', async () => {
    const t = await startApp({ embedder: 'none', embeddingDimensions: DIMS, precomputeEveryN: 1_000_000 });
    try {
      const u = 'many-cached';
      const r = rng(3);
      const vec = () => {
        const v = Array.from({ length: DIMS }, () => r() * 2 - 1);
        const n = Math.hypot(...v);
        return v.map((x) => x / n);
      };
      const items = Array.from({ length: 600 }, (_, i) => ({ content: `memory ${i}`, embedding: vec(), importance: 0.9 }));
      const ids: string[] = [];
      for (let i = 0; i < items.length; i += 200)
        ids.push(...(await call<{ results: { id: string }[] }>(t.client, 'RememberBatch', { userId: u, items: items.slice(i, i + 200) })).results.map((x) => x.id));
      expect((await run(t, u, 'similarity')).status).toBe('SUCCEEDED');
      // Every memory's list is read once: 600 cached artifacts of one user.
      for (const id of ids) expect((await call<{ precomputed: boolean }>(t.client, 'GetRelated', { userId: u, id, topK: 3 })).precomputed).toBe(true);
      const last = ids[ids.length - 1]!;
      const twin = await call<{ id: string }>(t.client, 'Remember', { userId: u, memory: { content: 'a twin of the last one', embedding: items[items.length - 1]!.embedding, importance: 0.9 } });
      expect((await run(t, u, 'similarity')).status).toBe('SUCCEEDED');
      const after = await call<{ hits: { memory: { id: string } }[]; precomputed: boolean }>(t.client, 'GetRelated', { userId: u, id: last, topK: 3 });
      expect(after.precomputed).toBe(true);
      expect(after.hits[0]!.memory.id).toBe(twin.id);
    } finally {
      await t.stop();
    }
  });
});
