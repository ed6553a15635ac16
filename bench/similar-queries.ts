/**
 * The semantic query cache on the LoCoMo conversational replay (issue 20, part 5): hit rate and
 * answer agreement per CACHE_SEARCH_SIMILAR_MIN_COSINE, for the lexical embedder and the local
 * MiniLM model (when scripts/local-model.sh can provide it).
 *
 * The replay is bench/cache.ts's: per conversation (one user each), its questions in sessions of
 * 6; each turn asks the question, asks again (the user's follow-up), and re-asks the previous
 * turn's question; a session ends by re-asking its first. Two variants:
 *   verbatim  every re-ask repeats the words (what the exact cache already serves)
 *   reworded  every re-ask says it in other words, by a fixed set of conversational rewordings
 * A first-time question is a third of each replay's searches, so a cache that answers only
 * questions asked before tops out near 67% on either variant.
 *
 * Agreement: each search the semantic cache answered is searched again on a server with no search
 * caching (same data, same directory); overlap = shared ids in the top 10 / the fresh top 10.
 * Hits the exact cache served are the same search repeated within one generation (overlap 1).
 * A fresh search of a rewording is not the truth either (its extra words move the keyword half of
 * a hybrid search), so the semantic hits are also judged by LoCoMo's evidence: the share of each
 * question's evidence turns in the top 10, borrowed answer against fresh answer.
 *
 *   npm run build && npx tsx bench/similar-queries.ts [--thresholds 0,0.98,0.95,0.92,0.9,0.85] [--embedders lexical,local]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, call, newClient, root, startServer, type Client } from './lib.js';
import { cleanEvidence, loadLocomo, turnMemories, type Sample } from './locomo-data.js';

interface SearchRes {
  hits: { memory: { id: string } }[];
  tier: string;
  similarQueryCosine: number;
  tookMs: number;
}
interface Search {
  user: string;
  query: string;
  /** The question's evidence turns (dia ids), when it has any. */
  evidence: string[];
}

/** Ways a user re-asks a question in a conversation (deterministic: the n-th re-ask uses n mod 6). */
const REWORDINGS: ((q: string) => string)[] = [
  (q) => `Sorry, ${lowerFirst(q)}`,
  (q) => `Remind me: ${q}`,
  (q) => q.toLowerCase().replace(/[?.!,]/g, ''),
  (q) => `Quick question, ${lowerFirst(q)}`,
  (q) => `${q} I forgot.`,
  (q) => `Do you remember? ${q}`,
];
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The replay's searches in order, for one variant. */
function replay(samples: Sample[], reworded: boolean): Search[] {
  const out: Search[] = [];
  let n = 0;
  const again = (q: string) => (reworded ? REWORDINGS[n++ % REWORDINGS.length]!(q) : q);
  for (const s of samples) {
    const user = `locomo-${s.sample_id}`;
    const known = new Set(turnMemories(s).map((m) => m.metadata.dia_id));
    const qs = s.qa.map((q) => ({ question: q.question, evidence: cleanEvidence(q.evidence, known).ids }));
    const ask = (q: (typeof qs)[number], words: string) => ({ user, query: words, evidence: q.evidence });
    for (let start = 0; start < qs.length; start += 6) {
      const session = qs.slice(start, start + 6);
      for (let t = 0; t < session.length; t++) {
        out.push(ask(session[t]!, session[t]!.question), ask(session[t]!, again(session[t]!.question)));
        if (t > 0) out.push(ask(session[t - 1]!, again(session[t - 1]!.question)));
      }
      out.push(ask(session[0]!, again(session[0]!.question)));
    }
  }
  return out;
}

const ids = (r: SearchRes) => r.hits.map((h) => h.memory.id);

interface Row {
  embedder: string;
  variant: string;
  minCosine: number;
  searches: number;
  hitRate: number;
  similarHits: number;
  /** Mean top-10 overlap of the semantic hits with a fresh search; null without any. */
  similarOverlap: number | null;
  /** Share of semantic hits whose top 10 matched the fresh one at ≥ 0.9. */
  similarAtLeast09: number | null;
  /** Mean overlap over every search of the replay (exact repeats count 1, fresh searches 1). */
  answerAgreement: number;
  /** Over the semantic hits of questions with evidence: mean share of it in the borrowed top 10, and in a fresh one. */
  evidence: { questions: number; borrowed: number; fresh: number } | null;
  searchP50Ms: number;
}

async function withServer<T>(env: Record<string, string>, fn: (c: Client) => Promise<T>): Promise<T> {
  const server = await startServer(env);
  const client = newClient(server.grpcPort);
  try {
    return await fn(client);
  } finally {
    client.close();
    await server.stop();
  }
}

async function runEmbedder(embedder: string, env: Record<string, string>, samples: Sample[], thresholds: number[]): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'me-similar-'));
  const base = { ...env, DATA_DIR: dir, CACHE_SEARCH_TTL_MS: '600000' };
  const diaOf = new Map<string, string>();
  try {
    await withServer(base, async (c) => {
      for (const s of samples) {
        const turns = turnMemories(s);
        const items = turns.map((m) => ({ content: m.content, entities: m.entities }));
        for (let i = 0; i < items.length; i += 500) {
          const { results } = await call<{ results: { id: string }[] }>(c, 'RememberBatch', { userId: `locomo-${s.sample_id}`, items: items.slice(i, i + 500) });
          results.forEach((r, j) => diaOf.set(r.id, turns[i + j]!.metadata.dia_id));
        }
      }
    });
    const evidenceShare = (hitIds: string[], evidence: string[]) => {
      const found = new Set(hitIds.map((id) => diaOf.get(id)));
      return evidence.filter((d) => found.has(d)).length / evidence.length;
    };
    const runs: { variant: string; minCosine: number; results: { s: Search; r: SearchRes }[] }[] = [];
    for (const minCosine of thresholds)
      for (const variant of ['verbatim', 'reworded']) {
        const searches = replay(samples, variant === 'reworded');
        const results = await withServer({ ...base, CACHE_SEARCH_SIMILAR_MIN_COSINE: String(minCosine) }, async (c) => {
          const out: { s: Search; r: SearchRes }[] = [];
          for (const s of searches) out.push({ s, r: await call<SearchRes>(c, 'Search', { userId: s.user, query: s.query, topK: 10 }) });
          return out;
        });
        runs.push({ variant, minCosine, results });
        console.error(`  ${embedder} ${variant} ≥ ${minCosine}: done`);
      }
    // Fresh answers for every search a semantic hit answered, with search caching off.
    const wanted = new Map<string, Search>();
    for (const run of runs) for (const { s, r } of run.results) if (r.similarQueryCosine > 0) wanted.set(`${s.user}\u0000${s.query}`, s);
    const fresh = await withServer({ ...base, CACHE_SEARCH_TTL_MS: '0' }, async (c) => {
      const out = new Map<string, string[]>();
      for (const [key, s] of wanted) out.set(key, ids(await call<SearchRes>(c, 'Search', { userId: s.user, query: s.query, topK: 10 })));
      return out;
    });
    return runs.map(({ variant, minCosine, results }) => {
      const overlaps: number[] = [];
      const evidence = { questions: 0, borrowed: 0, fresh: 0 };
      let hits = 0;
      for (const { s, r } of results) {
        if (r.tier !== 'TIER_L3') hits++;
        if (r.similarQueryCosine <= 0) continue;
        const truth = fresh.get(`${s.user}\u0000${s.query}`)!;
        const got = new Set(ids(r));
        overlaps.push(truth.length === 0 ? 1 : truth.filter((id) => got.has(id)).length / truth.length);
        if (s.evidence.length === 0) continue;
        evidence.questions++;
        evidence.borrowed += evidenceShare(ids(r), s.evidence);
        evidence.fresh += evidenceShare(truth, s.evidence);
      }
      const sum = overlaps.reduce((a, b) => a + b, 0);
      const took = results.map(({ r }) => r.tookMs).sort((a, b) => a - b);
      return {
        embedder,
        variant,
        minCosine,
        searches: results.length,
        hitRate: hits / results.length,
        similarHits: overlaps.length,
        similarOverlap: overlaps.length ? sum / overlaps.length : null,
        similarAtLeast09: overlaps.length ? overlaps.filter((o) => o >= 0.9).length / overlaps.length : null,
        answerAgreement: (results.length - overlaps.length + sum) / results.length,
        evidence: evidence.questions ? { questions: evidence.questions, borrowed: evidence.borrowed / evidence.questions, fresh: evidence.fresh / evidence.questions } : null,
        searchP50Ms: took[Math.floor(took.length / 2)]!,
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function localModel(): string | undefined {
  try {
    return process.env.LOCAL_MODEL_PATH ?? execFileSync('bash', [join(root, 'scripts', 'local-model.sh')], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const samples = await loadLocomo();
const thresholds = arg('thresholds', '0,0.98,0.95,0.92,0.9,0.85').split(',').map(Number);
const rows: Row[] = [];
for (const embedder of arg('embedders', 'lexical,local').split(',')) {
  if (embedder === 'local') {
    const model = localModel();
    if (!model) {
      console.error('local: no model (scripts/local-model.sh failed); skipped');
      continue;
    }
    rows.push(...(await runEmbedder('local MiniLM', { EMBEDDER: 'local', LOCAL_MODEL_PATH: model }, samples, thresholds)));
  } else rows.push(...(await runEmbedder(embedder, { EMBEDDER: embedder }, samples, thresholds)));
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
console.log(
  '| embedder | replay | min cosine | searches | hit rate | semantic hits | their top-10 overlap | of them ≥ 0.9 | answer agreement | evidence in top 10, borrowed / fresh | search p50 ms |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.embedder} | ${r.variant} | ${r.minCosine === 0 ? 'off' : r.minCosine} | ${r.searches} | ${pct(r.hitRate)} | ${r.similarHits} | ${r.similarOverlap === null ? '–' : r.similarOverlap.toFixed(3)} | ${pct(r.similarAtLeast09)} | ${r.answerAgreement.toFixed(3)} | ${r.evidence ? `${pct(r.evidence.borrowed)} / ${pct(r.evidence.fresh)}` : '–'} | ${r.searchP50Ms.toFixed(2)} |`,
  );
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'similar-queries.json'), JSON.stringify({ bench: 'similar-queries', at: new Date().toISOString(), rows }, null, 2));
