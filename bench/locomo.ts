/**
 * LoCoMo retrieval quality (../shared/data/locomo/locomo10.json; evaluation use only, never
 * copied into this repository). One user per conversation, one memory per turn (the turn's text;
 * its session date and speaker as metadata, which INDEX_TEXT_TEMPLATE puts in the indexed text),
 * each question a search scoped to its conversation's user, in each of DENSE, KEYWORD and HYBRID
 * mode. Reports recall@k (share of evidence turns in the top k, averaged over questions) and
 * any-hit@k for k = 1, 5, 10, 25, 50, for categories 1–4, per category, and for 5 (adversarial);
 * counts cross-user leaks (must be 0). Writes bench/results/locomo-<embedder>-<mode>.json.
 *
 * Starts the built server with the environment's embedder and store (QDRANT_URL for Qdrant) (default: the offline lexical one;
 * EMBEDDER=local with LOCAL_MODEL_PATH for a real model, see scripts/local-model.sh), or, with
 * --target host:port, uses a running server (its own INDEX_TEXT_TEMPLATE applies; the bench's
 * users are erased afterwards).
 *
 * With --data-dir DIR the started server keeps its data there, and a second run on the same DIR
 * skips ingestion: tuning runs (SEARCH_DENSE_WEIGHT, SEARCH_FUSION, …) then cost only the questions.
 *
 *   npm run build && npx tsx bench/locomo.ts [--data FILE] [--target host:port] [--modes DENSE,KEYWORD,HYBRID]
 *     [--template '({metadata.date}) {metadata.speaker}: {content}'] [--data-dir DIR]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { arg, call, newClient, root, runConcurrent, startServer, type ServerProcess } from './lib.js';
import { cleanEvidence, loadLocomo, turnMemories, type Qa } from './locomo-data.js';

const KS = [1, 5, 10, 25, 50];
/** Questions name dates and speakers: the indexed text carries both (the stored content does not). */
const DEFAULT_TEMPLATE = '({metadata.date}) {metadata.speaker}: {content}';

type Acc = { n: number; recall: number[]; any: number[] };
const acc = (): Acc => ({ n: 0, recall: KS.map(() => 0), any: KS.map(() => 0) });

async function main(): Promise<void> {
  const samples = await loadLocomo();
  const modes = arg('modes', 'DENSE,KEYWORD,HYBRID').split(',');
  const target = arg('target', '');
  const template = arg('template', DEFAULT_TEMPLATE);
  const keepDir = arg('data-dir', '');
  let dir: string | undefined;
  let server: ServerProcess | undefined;
  let address = target;
  if (!target) {
    dir = keepDir || (await mkdtemp(join(tmpdir(), 'me-locomo-')));
    // A CPU model embeds a 100-turn batch in seconds: generous provider timeouts.
    server = await startServer({ DATA_DIR: dir, INDEX_TEXT_TEMPLATE: template, OPENAI_TIMEOUT_MS: '300000' });
    address = `127.0.0.1:${server.grpcPort}`;
  }
  const client = newClient(Number(address.split(':').pop()), address.slice(0, address.lastIndexOf(':')));
  const run = Date.now().toString(36);

  // Ingest: one memory per turn.
  let turns = 0;
  const byUser = new Map<string, { idToDia: Map<string, string>; questions: { q: Qa; evidence: string[] }[] }>();
  let evidenceFixed = 0;
  let evidenceDropped = 0;
  let questionsDropped = 0;
  const t0 = performance.now();
  for (const s of samples) {
    const user = target ? `locomo-${run}-${s.sample_id}` : `locomo-${s.sample_id}`;
    const items = turnMemories(s, false).map(({ sessionId: _s, ...m }) => m);
    const known = new Set(items.map((m) => m.metadata.dia_id));
    const idToDia = new Map<string, string>();
    const have = await call<{ memories: { id: string; metadata: { dia_id: string } }[]; nextPageToken: string }>(client, 'List', { userId: user, pageSize: 1000 });
    if (keepDir && have.memories.length > 0) {
      // Ingested by an earlier run on this data dir: read the turn ids back.
      let page = have;
      for (;;) {
        for (const m of page.memories) idToDia.set(m.id, m.metadata.dia_id);
        if (!page.nextPageToken) break;
        page = await call(client, 'List', { userId: user, pageSize: 1000, pageToken: page.nextPageToken });
      }
    }
    const ingest = idToDia.size === 0;
    for (let i = 0; ingest && i < items.length; i += 100) {
      const chunk = items.slice(i, i + 100);
      const res = await call<{ results: { id: string }[] }>(client, 'RememberBatch', { userId: user, items: chunk }, { deadlineMs: 600_000 });
      res.results.forEach((r, j) => idToDia.set(r.id, chunk[j]!.metadata.dia_id));
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
  const jobs = [...byUser.entries()].flatMap(([user, u]) => u.questions.map((x) => ({ user, ...x, idToDia: u.idToDia })));

  const pct = (a: Acc) => ({
    questions: a.n,
    recall: Object.fromEntries(KS.map((k, i) => [`@${k}`, Math.round((a.recall[i]! / Math.max(1, a.n)) * 1000) / 10])),
    anyHit: Object.fromEntries(KS.map((k, i) => [`@${k}`, Math.round((a.any[i]! / Math.max(1, a.n)) * 1000) / 10])),
  });
  const embedder = process.env.EMBEDDER ?? 'lexical';
  const model = embedder === 'openai' ? (process.env.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small') : embedder === 'local' ? basename(process.env.LOCAL_MODEL_PATH ?? 'model') : '';
  const store = process.env.QDRANT_URL ? '-qdrant' : '';
  const tag = target ? 'target' : `${model ? `${embedder}-${model}` : embedder}${store}`;
  const results: Record<string, unknown>[] = [];
  let leaks = 0;
  for (const mode of modes) {
    const main14 = acc();
    const adversarial = acc();
    const perCategory = new Map<number, Acc>();
    const tq = performance.now();
    await runConcurrent(jobs.length, 8, async (i) => {
      const job = jobs[i]!;
      const res = await call<{ hits: { memory: { id: string; userId: string } }[] }>(
        client,
        'Search',
        { userId: job.user, query: job.q.question, topK: 50, mode: `SEARCH_MODE_${mode}` },
        { deadlineMs: 120_000 },
      );
      const ranked = res.hits.map((h) => {
        if (h.memory.userId !== job.user || !job.idToDia.has(h.memory.id)) leaks++;
        return job.idToDia.get(h.memory.id);
      });
      let cat = perCategory.get(job.q.category);
      if (!cat) perCategory.set(job.q.category, (cat = acc()));
      for (const a of [job.q.category === 5 ? adversarial : main14, cat]) {
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
    const result = {
      bench: 'locomo',
      at: new Date().toISOString(),
      embedder: model ? `${embedder}:${model}` : embedder,
      store: target ? '(the target server’s)' : process.env.QDRANT_URL ? 'qdrant' : 'embedded',
      mode,
      template: target ? '(the target server’s)' : template,
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
      reference: { denseRetrieverRecall: { '@5': 56.7, '@10': 66.2, '@25': 76.7, '@50': 82.7 } },
    };
    results.push(result);
    await mkdir(join(root, 'bench', 'results'), { recursive: true });
    await writeFile(join(root, 'bench', 'results', `locomo-${tag}-${mode.toLowerCase()}.json`), JSON.stringify(result, null, 2));
  }
  if (target) for (const user of byUser.keys()) await call(client, 'ForgetUser', { userId: user });
  client.close();
  await server?.stop();
  if (dir && !keepDir) await rm(dir, { recursive: true, force: true });

  type R = { mode: string; categories1to4: ReturnType<typeof pct>; category5: ReturnType<typeof pct>; perCategory: Record<string, ReturnType<typeof pct>> };
  const row = (name: string, a: ReturnType<typeof pct>) => `| ${name} | ${a.questions} | ${KS.map((k) => a.recall[`@${k}`]).join(' | ')} | ${KS.map((k) => a.anyHit[`@${k}`]).join(' | ')} |`;
  console.log(
    `LoCoMo retrieval, embedder ${String(results[0]?.embedder)}: ${turns} turns, ${jobs.length} questions (${questionsDropped} dropped without usable evidence; ${evidenceFixed} evidence ids repaired, ${evidenceDropped} dropped), ingest ${Math.round(ingestS)} s, leaks ${leaks}`,
  );
  console.log(`| mode / questions | n | R@1 | R@5 | R@10 | R@25 | R@50 | Any@1 | Any@5 | Any@10 | Any@25 | Any@50 |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of results as unknown as R[]) {
    console.log(row(`${r.mode} categories 1–4`, r.categories1to4));
    for (const [c, a] of Object.entries(r.perCategory)) if (c !== '5') console.log(row(`${r.mode} category ${c}`, a));
    console.log(row(`${r.mode} category 5 (adversarial)`, r.category5));
  }
  if (leaks > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
