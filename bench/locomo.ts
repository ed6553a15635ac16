/**
 * LoCoMo retrieval quality (../shared/data/locomo/locomo10.json; evaluation use only, never
 * copied into this repository). One user per conversation, one memory per turn, each question a
 * search scoped to its conversation's user. Reports recall@k (share of evidence turns in the top
 * k, averaged over questions) and any-hit@k for k = 1, 5, 10, 25, 50, for categories 1–4 and
 * separately for 5 (adversarial), and counts cross-user leaks (must be 0).
 *
 * Runs against the built server with whatever embedder the environment configures
 * (default: the offline lexical embedder).
 *
 *   npm run build && npx tsx bench/locomo.ts [--data ../shared/data/locomo/locomo10.json]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, newClient, root, runConcurrent, startServer } from './lib.js';
import { cleanEvidence, loadLocomo, turnMemories, type Qa } from './locomo-data.js';

const KS = [1, 5, 10, 25, 50];

async function main(): Promise<void> {
  const samples = await loadLocomo();
  const dir = await mkdtemp(join(tmpdir(), 'me-locomo-'));
  const server = await startServer({ DATA_DIR: dir });
  const client = newClient(server.grpcPort);

  // Ingest: one memory per turn, dated by its session.
  let turns = 0;
  const byUser = new Map<string, { idToDia: Map<string, string>; questions: { q: Qa; evidence: string[] }[] }>();
  let evidenceFixed = 0;
  let evidenceDropped = 0;
  let questionsDropped = 0;
  const t0 = performance.now();
  for (const s of samples) {
    const user = `locomo-${s.sample_id}`;
    const items = turnMemories(s).map(({ sessionId: _s, ...m }) => m);
    const known = new Set(items.map((m) => m.metadata.dia_id));
    const idToDia = new Map<string, string>();
    for (let i = 0; i < items.length; i += 500) {
      const chunk = items.slice(i, i + 500);
      const res = await call<{ results: { id: string }[] }>(client, 'RememberBatch', { userId: user, items: chunk });
      res.results.forEach((r, j) => idToDia.set(r.id, chunk[j]!.metadata.dia_id!));
    }
    turns += items.length;
    const questions: { q: Qa; evidence: string[] }[] = [];
    for (const q of s.qa) {
      const ev = cleanEvidence(q.evidence, known);
      evidenceFixed += ev.fixed;
      evidenceDropped += ev.dropped;
      if (ev.ids.length === 0) questionsDropped++;
      else questions.push({ q, evidence: ev.ids });
    }
    byUser.set(user, { idToDia, questions });
  }
  const ingestS = (performance.now() - t0) / 1000;

  // Questions
  type Acc = { n: number; recall: number[]; any: number[] };
  const acc = (): Acc => ({ n: 0, recall: KS.map(() => 0), any: KS.map(() => 0) });
  const main14 = acc();
  const adversarial = acc();
  const perCategory = new Map<number, Acc>();
  let leaks = 0;
  const jobs = [...byUser.entries()].flatMap(([user, u]) => u.questions.map((x) => ({ user, ...x, idToDia: u.idToDia })));
  const tq = performance.now();
  await runConcurrent(jobs.length, 8, async (i) => {
    const job = jobs[i]!;
    const res = await call<{ hits: { memory: { id: string; userId: string } }[] }>(client, 'Search', { userId: job.user, query: job.q.question, topK: 50 });
    const ranked = res.hits.map((h) => {
      if (h.memory.userId !== job.user || !job.idToDia.has(h.memory.id)) leaks++;
      return job.idToDia.get(h.memory.id);
    });
    const targets = [job.q.category === 5 ? adversarial : main14];
    let cat = perCategory.get(job.q.category);
    if (!cat) perCategory.set(job.q.category, (cat = acc()));
    targets.push(cat);
    for (const a of targets) {
      a.n++;
      KS.forEach((k, ki) => {
        const top = new Set(ranked.slice(0, k));
        const found = job.evidence.filter((e) => top.has(e)).length;
        a.recall[ki]! += found / job.evidence.length;
        a.any[ki]! += found > 0 ? 1 : 0;
      });
    }
  });
  const searchS = (performance.now() - tq) / 1000;
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });

  const pct = (a: Acc) => ({
    questions: a.n,
    recall: Object.fromEntries(KS.map((k, i) => [`@${k}`, Math.round((a.recall[i]! / a.n) * 1000) / 10])),
    anyHit: Object.fromEntries(KS.map((k, i) => [`@${k}`, Math.round((a.any[i]! / a.n) * 1000) / 10])),
  });
  const embedder = process.env.EMBEDDER ?? 'lexical';
  const result = {
    bench: 'locomo',
    at: new Date().toISOString(),
    embedder: embedder === 'openai' ? `openai:${process.env.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small'}` : embedder,
    conversations: samples.length,
    turns,
    questionsDropped,
    evidenceFixed,
    evidenceDropped,
    ingestSeconds: Math.round(ingestS * 10) / 10,
    searchesPerSecond: Math.round(jobs.length / searchS),
    crossUserLeaks: leaks,
    categories1to4: pct(main14),
    category5: pct(adversarial),
    perCategory: Object.fromEntries([...perCategory.entries()].sort(([a], [b]) => a - b).map(([c, a]) => [c, pct(a)])),
    reference: { denseRetrieverRecall: { '@5': 56.7, '@10': 66.2, '@25': 76.7, '@50': 82.7 }, bm25RecallApprox: { '@5': 55, '@10': 62, '@25': 69, '@50': 74 } },
  };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', `locomo-${embedder}.json`), JSON.stringify(result, null, 2));
  const row = (name: string, a: ReturnType<typeof pct>) => `| ${name} | ${a.questions} | ${KS.map((k) => a.recall[`@${k}`]).join(' | ')} | ${KS.map((k) => a.anyHit[`@${k}`]).join(' | ')} |`;
  console.log(
    `LoCoMo retrieval, embedder ${result.embedder}: ${turns} turns, ${jobs.length} questions (${questionsDropped} dropped without usable evidence; ${evidenceFixed} evidence ids repaired, ${evidenceDropped} dropped), leaks ${leaks}`,
  );
  console.log(`| questions | n | R@1 | R@5 | R@10 | R@25 | R@50 | Any@1 | Any@5 | Any@10 | Any@25 | Any@50 |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  console.log(row('categories 1–4', result.categories1to4));
  console.log(row('category 5 (adversarial)', result.category5));
  for (const [c, a] of Object.entries(result.perCategory)) console.log(row(`category ${c}`, a));
  if (leaks > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
