/**
 * Context quality and conversational replay on LoCoMo (issue 15).
 *
 * Quality: one user per conversation, one memory per turn (session id, speaker as entity), after
 * the user's precompute runs. For each question of categories 1–4, AssembleContext with the
 * conversation's last turns as `recent_turns` and its last session as `session_id`, at budgets of
 * 500, 1,000, 2,000 and 4,000 tokens: the share of evidence turns in the context. Beside it,
 * plain Search at equal tokens: its hits rendered the way the context renders a memory and
 * taken in rank order while they fit the same budget (same tokenizer), and the evidence share of
 * those. Both count only tokens of memory text and headings the context itself spends.
 *
 * Replay: per conversation, all sessions but the last two are stored and precomputed; the last
 * two are then played turn by turn (Remember the turn, then AssembleContext for the next one
 * with the six turns before it, a 50 ms pause between turns for the other side to speak), once
 * with prefetch on and once off, each on its own server. Reports the context path's cache hit
 * rate (memory_context_cache_reads_total served by L1/L2) and prefetches issued and used.
 *
 *   npm run build && npx tsx bench/context-quality.ts [--conversations 10] [--questions 0 (all)] [--quality-only]
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, newClient, root, runConcurrent, runPrecomputeJob, startServer, type Client } from './lib.js';
import { cleanEvidence, loadLocomo, turnMemories, type Sample } from './locomo-data.js';

const BUDGETS = [500, 1000, 2000, 4000];
const CONVERSATIONS = Number(arg('conversations', '10'));
const MAX_QUESTIONS = Number(arg('questions', '0'));
const REPLAY_PAUSE_MS = Number(arg('pause', '50'));

interface Mem {
  id: string;
  content: string;
  createdAtMs: number;
  metadata: Record<string, string>;
}
interface Ctx {
  sections: { name: string; memories: Mem[]; tokens: number }[];
  tokens: number;
}

/** The line a context gives one memory (packer.ts memoryLine). */
const line = (m: Mem) => `- [${new Date(Number(m.createdAtMs)).toISOString().slice(0, 10)}] ${m.content.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`;
const HEADING = '## Relevant memories\n';

async function precompute(client: Client, userId: string): Promise<void> {
  for (const job of ['clusters', 'profile', 'summaries', 'similarity']) await runPrecomputeJob(client, userId, job);
}

async function ingest(client: Client, userId: string, items: ReturnType<typeof turnMemories>): Promise<void> {
  for (let i = 0; i < items.length; i += 500) await call(client, 'RememberBatch', { userId, items: items.slice(i, i + 500) });
}

async function quality(samples: Sample[]) {
  const dir = await mkdtemp(join(tmpdir(), 'me-ctxq-'));
  const server = await startServer({ DATA_DIR: dir, PRECOMPUTE_TICK_MS: '0', PRECOMPUTE_EVERY_N_MEMORIES: '10000000', CONTEXT_PREFETCH: 'false' });
  const client = newClient(server.grpcPort);
  const jobs: { user: string; question: string; evidence: string[]; recent: { role: string; content: string }[]; session: string }[] = [];
  for (const s of samples) {
    const user = `locomo-${s.sample_id}`;
    const items = turnMemories(s);
    await ingest(client, user, items);
    await precompute(client, user);
    const known = new Set(items.map((m) => m.metadata.dia_id));
    const recent = items.slice(-6).map((m) => ({ role: m.metadata.speaker, content: m.content }));
    const session = items.at(-1)!.sessionId;
    for (const q of s.qa) {
      if (q.category === 5) continue;
      const ev = cleanEvidence(q.evidence, known).ids;
      if (ev.length > 0) jobs.push({ user, question: q.question, evidence: ev, recent, session });
    }
  }
  const picked = MAX_QUESTIONS > 0 ? jobs.slice(0, MAX_QUESTIONS) : jobs;
  const acc = BUDGETS.map(() => ({ context: 0, search: 0, contextMemories: 0, searchMemories: 0, contextTokens: 0, searchTokens: 0 }));
  const bySection: Record<string, number> = {};
  await runConcurrent(picked.length, 4, async (i) => {
    const j = picked[i]!;
    const found = (dias: Set<string>) => j.evidence.filter((e) => dias.has(e)).length / j.evidence.length;
    const hits = (await call<{ hits: { memory: Mem }[] }>(client, 'Search', { userId: j.user, query: j.question, topK: 300 })).hits.map((h) => h.memory);
    for (const [b, budget] of BUDGETS.entries()) {
      const res = await call<Ctx>(client, 'AssembleContext', { userId: j.user, query: j.question, tokenBudget: budget, sessionId: j.session, recentTurns: j.recent });
      const mems = res.sections.flatMap((s) => s.memories);
      const inContext = new Set(mems.map((m) => m.metadata.dia_id!));
      for (const s of res.sections) for (const m of s.memories) if (j.evidence.includes(m.metadata.dia_id!)) bySection[`${budget}:${s.name}`] = (bySection[`${budget}:${s.name}`] ?? 0) + 1;
      // Plain search, the same tokens: rank order while the lines fit.
      let text = HEADING;
      const taken: Mem[] = [];
      for (const m of hits) {
        const next = text + line(m);
        if (countTokens(next) > budget) break;
        text = next;
        taken.push(m);
      }
      const a = acc[b]!;
      a.context += found(inContext);
      a.search += found(new Set(taken.map((m) => m.metadata.dia_id!)));
      a.contextMemories += mems.length;
      a.searchMemories += taken.length;
      a.contextTokens += res.tokens;
      a.searchTokens += countTokens(text);
    }
  });
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  const n = picked.length;
  const pct = (x: number) => Math.round((x / n) * 1000) / 10;
  return {
    questions: n,
    byBudget: BUDGETS.map((budget, b) => ({
      budget,
      contextEvidenceShare: pct(acc[b]!.context),
      searchEvidenceShare: pct(acc[b]!.search),
      contextMemories: Math.round(acc[b]!.contextMemories / n),
      searchMemories: Math.round(acc[b]!.searchMemories / n),
      contextTokens: Math.round(acc[b]!.contextTokens / n),
      searchTokens: Math.round(acc[b]!.searchTokens / n),
    })),
    evidenceFoundBySection: bySection,
  };
}

async function metricsByLabel(httpPort: number, name: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => ({
    labels: Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!])),
    value: Number(m[2]),
  }));
}

async function replay(samples: Sample[], prefetch: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'me-ctxr-'));
  const server = await startServer({ DATA_DIR: dir, PRECOMPUTE_TICK_MS: '0', PRECOMPUTE_EVERY_N_MEMORIES: '10000000', CONTEXT_PREFETCH: String(prefetch) });
  const client = newClient(server.grpcPort);
  let turns = 0;
  for (const s of samples) {
    const user = `locomo-${s.sample_id}`;
    const items = turnMemories(s);
    const sessions = [...new Set(items.map((m) => m.sessionId))];
    const played = new Set(sessions.slice(-2));
    await ingest(
      client,
      user,
      items.filter((m) => !played.has(m.sessionId)),
    );
    await precompute(client, user);
    const live = items.filter((m) => played.has(m.sessionId));
    const before = items.filter((m) => !played.has(m.sessionId)).slice(-6);
    let started = '';
    for (let i = 0; i + 1 < live.length; i++) {
      const m = live[i]!;
      if (m.sessionId !== started) {
        await call(client, 'WarmSession', { userId: user, sessionId: m.sessionId });
        started = m.sessionId;
      }
      await call(client, 'Remember', { userId: user, memory: m });
      const recent = [...before, ...live.slice(0, i + 1)].slice(-6).map((x) => ({ role: x.metadata.speaker, content: x.content }));
      await call(client, 'AssembleContext', { userId: user, query: live[i + 1]!.content, tokenBudget: 1000, sessionId: m.sessionId, recentTurns: recent });
      turns++;
      await new Promise((r) => setTimeout(r, REPLAY_PAUSE_MS));
    }
  }
  const reads = await metricsByLabel(server.httpPort, 'memory_context_cache_reads_total');
  const pf = await metricsByLabel(server.httpPort, 'memory_context_prefetch_total');
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  const total = reads.reduce((n, r) => n + r.value, 0);
  const hits = reads.filter((r) => r.labels.tier !== 'L3').reduce((n, r) => n + r.value, 0);
  const bySource: Record<string, { hits: number; reads: number }> = {};
  for (const r of reads) {
    const s = (bySource[r.labels.source!] ??= { hits: 0, reads: 0 });
    s.reads += r.value;
    if (r.labels.tier !== 'L3') s.hits += r.value;
  }
  const sum = (outcome: string) => pf.filter((p) => p.labels.outcome === outcome && ['topic', 'entity', 'window'].includes(p.labels.kind!)).reduce((n, p) => n + p.value, 0);
  const issued = sum('issued');
  const used = sum('used');
  return {
    prefetch,
    turns,
    cacheReads: total,
    hitRate: Math.round((hits / Math.max(1, total)) * 1000) / 10,
    bySource,
    prefetchIssued: issued,
    prefetchUsed: used,
    prefetchUsedShare: issued > 0 ? Math.round((used / issued) * 1000) / 10 : 0,
    memoriesKeptHot: pf.filter((p) => p.labels.kind === 'memory').reduce((n, p) => n + p.value, 0),
    roundsSkippedBusy: sum('skipped_busy') + pf.filter((p) => p.labels.kind === 'round').reduce((n, p) => n + p.value, 0),
  };
}

const samples = (await loadLocomo()).slice(0, CONVERSATIONS);
const q = await quality(samples);
console.log(JSON.stringify(q));
if (process.argv.includes('--quality-only')) process.exit(0);
const on = await replay(samples, true);
console.log(JSON.stringify(on));
const off = await replay(samples, false);
console.log(JSON.stringify(off));
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(
  join(root, 'bench', 'results', 'context-quality.json'),
  JSON.stringify({ bench: 'context-quality', at: new Date().toISOString(), quality: q, replay: { prefetchOn: on, prefetchOff: off } }, null, 2),
);
