/**
 * One command for the benchmark suite:
 *
 *   npm run bench                                  # default suites (~10 min on 2 cores)
 *   npm run bench -- --with cache,metadata,endurance   # also the ones that need redis/postgres, or run long
 *   npm run bench -- --with precompute,qdrant      # precompute at 1k–100k (~15 min); qdrant needs QDRANT_URL (~20 min)
 *   npm run bench -- --with context,context-quality   # context assembly at 1k–100k (~10 min); LoCoMo context quality and replay
 *   npm run bench -- --only load,recall            # a subset
 *   npm run bench -- --update-readme               # also rewrite the README's generated table
 *   npm run bench -- --from-results --with cache,metadata --update-readme   # no runs: summarize existing results
 *
 * Every suite runs in its own process against the built server (`npm run build` first) and
 * writes bench/results/<suite>.json; this collects them into bench/results/summary.json (flat
 * metrics for `bench/compare.ts`) and prints a markdown table.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricKind, Summary } from './compare.js';
import { arg, root } from './lib.js';

type Json = Record<string, unknown>;
const R = (p: string) => join(root, 'bench', 'results', p);

const SUITES: Record<string, { args: string[]; file: string; optional?: boolean }> = {
  foundation: { args: ['bench/foundation.ts', '--memories', '10000'], file: 'foundation-10000.json' },
  load: { args: ['bench/load.ts', '--pattern', 'steady,burst,ramp', '--users', '200', '--memories', '50000', '--seconds', '30', '--ramp-step-seconds', '5'], file: 'load.json' },
  recall: { args: ['bench/recall.ts'], file: 'recall.json' },
  // The default mode (hybrid) is the headline; the dense and keyword files sit beside it.
  locomo: { args: ['bench/locomo.ts'], file: 'locomo-lexical-hybrid.json' },
  hybrid: { args: ['bench/hybrid.ts'], file: 'hybrid.json', optional: true },
  writes: { args: ['bench/single-writes.ts'], file: 'single-writes.json' },
  footprint: { args: ['bench/footprint.ts', '--sizes', '10000,100000', '--rounds', '1'], file: 'footprint.json' },
  'small-users': { args: ['bench/small-users.ts'], file: 'small-users.json' },
  'similar-queries': { args: ['bench/similar-queries.ts', '--thresholds', '0,0.95,0.9'], file: 'similar-queries.json', optional: true },
  cache: { args: ['bench/cache.ts'], file: 'cache.json', optional: true },
  metadata: { args: ['bench/metadata.ts'], file: 'metadata.json', optional: true },
  endurance: { args: ['bench/load.ts', '--pattern', 'endurance', '--endurance-seconds', '600'], file: 'load.json', optional: true },
  precompute: { args: ['bench/precompute.ts', '--sizes', '1000,10000,100000', '--route-min', '0.45'], file: 'precompute.json', optional: true },
  qdrant: { args: ['bench/qdrant.ts', '--memories', '100000'], file: 'qdrant-100000.json', optional: true },
  context: { args: ['bench/context.ts', '--sizes', '1000,10000,100000'], file: 'context.json', optional: true },
  'context-quality': { args: ['bench/context-quality.ts'], file: 'context-quality.json', optional: true },
};

function runSuite(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const get = (o: unknown, path: string): number => Number(path.split('.').reduce<unknown>((x, k) => (x as Json | undefined)?.[k], o));
/** A field of an entry whose own name has dots (results keyed by cell, e.g. "vectors.ghz.c16"). */
const field = (o: unknown, entry: string, path: string): number => get((o as Json | undefined)?.[entry], path);

/** Flat metrics from whichever result files exist. */
export async function summarize(files: Record<string, string>): Promise<Summary> {
  const m: Summary = {};
  const put = (name: string, value: number, kind: MetricKind, unit: string) => {
    if (Number.isFinite(value)) m[name] = { value: Math.round(value * 1000) / 1000, kind, unit };
  };
  const read = async (suite: string) => (files[suite] && existsSync(files[suite]!) ? (JSON.parse(await readFile(files[suite]!, 'utf8')) as Json) : undefined);
  const f = await read('foundation');
  if (f) {
    put('foundation.ingest', get(f, 'ingest.memoriesPerSecond'), 'throughput', 'memories/s');
    put('foundation.uncached.p95', get(f, 'uncachedSearch.sequentialMs.p95'), 'latency', 'ms');
    put('foundation.uncached.qps16', get(f, 'uncachedSearch.qpsAt16'), 'throughput', 'req/s');
    put('foundation.recall@10', get(f, 'uncachedSearch.recallAt10VsExact'), 'rate', '');
    put('foundation.l1.p95', get(f, 'l1Search.sequentialMs.p95'), 'latency', 'ms');
    put('foundation.l1.qps32', get(f, 'l1Search.qpsAt32'), 'throughput', 'req/s');
    put('foundation.coldStart', get(f, 'coldStartMs.afterCleanStop'), 'latency', 'ms');
    put('foundation.rss', get(f, 'serverRssMb'), 'memory', 'MB');
  }
  const l = await read('load');
  if (l) {
    for (const p of (l.phases as Json[]) ?? []) {
      const n = String(p.name);
      put(`load.${n}.qps`, get(p, 'qps'), 'throughput', 'req/s');
      put(`load.${n}.search.p95`, get(p, 'latencyMs.search.p95'), 'latency', 'ms');
      put(`load.${n}.search.p99`, get(p, 'latencyMs.search.p99'), 'latency', 'ms');
      put(`load.${n}.rss`, get(p, 'serverRssMb'), 'memory', 'MB');
    }
  }
  const rc = await read('recall');
  if (rc)
    for (const [bucket, classes] of Object.entries(rc.recallAt10 as Record<string, Record<string, number>>)) for (const [c, v] of Object.entries(classes)) put(`recall.${bucket}.${c}`, v, 'rate', '');
  const lo = await read('locomo');
  if (lo) {
    put('locomo.recall@10', get(lo, 'categories1to4.recall.@10') / 100, 'rate', '');
    put('locomo.anyHit@10', get(lo, 'categories1to4.anyHit.@10') / 100, 'rate', '');
  }
  const hy = await read('hybrid');
  if (hy) {
    put('hybrid.dense.p95', get(hy, 'dense.p95'), 'latency', 'ms');
    put('hybrid.hybrid.p95', get(hy, 'hybrid.p95'), 'latency', 'ms');
  }
  const w = await read('writes');
  if (w) {
    put('writes.single.qps1', get(w, 'concurrency1.perSecond'), 'throughput', 'req/s');
    put('writes.single.qps16', get(w, 'concurrency16.perSecond'), 'throughput', 'req/s');
    put('writes.single.p99@16', get(w, 'concurrency16.ms.p99'), 'latency', 'ms');
    put('writes.vectors.ghz16', field(w, 'vectors.ghz.c16', 'perSecond'), 'throughput', 'req/s');
    put('writes.vectors.inService.p50', field(w, 'vectors.inService.c1', 'ms.p50'), 'latency', 'ms');
    put('writes.text.inService.p50', field(w, 'text.inService.c1', 'ms.p50'), 'latency', 'ms');
  }
  const fp = await read('footprint');
  if (fp)
    for (const size of ['10000', '100000']) {
      put(`footprint.${Number(size) / 1000}k.rss`, field(fp, `this.${size}`, 'afterMb'), 'memory', 'MB');
      put(`footprint.${Number(size) / 1000}k.bytesPerMemory`, field(fp, `this.${size}`, 'bytesPerMemory'), 'memory', 'B');
    }
  const su = await read('small-users');
  if (su)
    for (const size of ['100', '1000', '4999']) {
      put(`smallUsers.${size}.vector.p50`, get(su, `${size}.vector.tookMs.p50`), 'latency', 'ms');
      put(`smallUsers.${size}.text.p50`, get(su, `${size}.text.tookMs.p50`), 'latency', 'ms');
    }
  const sq = await read('similar-queries');
  if (sq)
    for (const r of (sq.rows as Json[]) ?? []) {
      const n = `similarQueries.${String(r.embedder).split(' ')[0]}.${String(r.variant)}.${Number(r.minCosine) === 0 ? 'off' : String(r.minCosine)}`;
      put(`${n}.hitRate`, Number(r.hitRate), 'rate', '');
      put(`${n}.agreement`, Number(r.answerAgreement), 'rate', '');
    }
  const c = await read('cache');
  if (c) {
    put('cache.replayHitRate', get(c, 'replay.hitRate'), 'rate', '');
    put('cache.l1.p95', get(c, 'l1Hit.endToEndMs.p95'), 'latency', 'ms');
    put('cache.l2.p95', get(c, 'l2Hit.endToEndMs.p95'), 'latency', 'ms');
    put('cache.qps32', get(c, 'cachedQpsAt32'), 'throughput', 'req/s');
  }
  const md = await read('metadata');
  if (md)
    for (const backend of ['pglite', 'postgres']) {
      put(`metadata.${backend}.audit/s`, get(md, `${backend}.audit.perSecondAt64`), 'throughput', 'rows/s');
      put(`metadata.${backend}.listTasks.p95`, get(md, `${backend}.listMs.listTasks.p95`), 'latency', 'ms');
    }
  const cx = await read('context');
  if (cx) {
    for (const r of (cx.results as Json[]) ?? []) {
      const n = `${Number(r.size) / 1000}k`;
      put(`context.${n}.newTurn.p95`, get(r, 'assemble.newTurn.serverMs.p95'), 'latency', 'ms');
      put(`context.${n}.warm.p95`, get(r, 'assemble.warm.serverMs.p95'), 'latency', 'ms');
      put(`context.${n}.cold.p95`, get(r, 'assemble.cold.serverMs.p95'), 'latency', 'ms');
      put(`context.${n}.firstChunk.p95`, get(r, 'stream.firstChunkServerMs.p95'), 'latency', 'ms');
    }
  }
  const cq = await read('context-quality');
  if (cq) {
    for (const b of ((cq.quality as Json | undefined)?.byBudget as Json[] | undefined) ?? []) {
      put(`context.locomo.${String(b.budget)}.contextEvidence`, Number(b.contextEvidenceShare) / 100, 'rate', '');
      put(`context.locomo.${String(b.budget)}.searchEvidence`, Number(b.searchEvidenceShare) / 100, 'rate', '');
    }
    put('context.replay.hitRate', get(cq, 'replay.prefetchOn.hitRate') / 100, 'rate', '');
  }
  const pc = await read('precompute');
  if (pc) {
    for (const r of (pc.results as Json[]) ?? []) {
      const n = `${Number(r.memories) / 1000}k`;
      put(`precompute.${n}.topicsJob`, get(r, 'clusters.jobMs'), 'latency', 'ms');
      put(`precompute.${n}.hdbscan`, get(r, 'clusters.hdbscanMs'), 'latency', 'ms');
      put(`precompute.${n}.topicsARI`, get(r, 'clusters.ariVsGenerated'), 'rate', '');
      put(`precompute.${n}.profileCompile.p95`, get(r, 'profileCompileMs.p95'), 'latency', 'ms');
      put(`precompute.${n}.getProfileWarm.p99`, get(r, 'getProfileWarm.endToEndMs.p99'), 'latency', 'ms');
    }
  }
  const q = await read('qdrant');
  if (q) {
    for (const who of ['large', 'small']) {
      put(`qdrant.${who}.PRIMARY.p95`, get(q, `${who}.perClass.PRIMARY.serviceMs.p95`), 'latency', 'ms');
      put(`qdrant.${who}.PRIMARY.ratio.p95`, get(q, `${who}.perClass.PRIMARY.ratio.p95`), 'latency', '×');
      put(`qdrant.${who}.PRIMARY.recall@10`, get(q, `${who}.perClass.PRIMARY.recallAt10VsExact`), 'rate', '');
    }
    put('qdrant.ingest', get(q, 'ingest.memoriesPerSecond'), 'throughput', 'memories/s');
  }
  return m;
}

export function summaryTable(s: Summary): string {
  const rows = Object.entries(s).map(([k, v]) => `| ${k} | ${v.kind === 'rate' ? `${(v.value * 100).toFixed(1)}%` : `${v.value} ${v.unit}`} |`);
  return ['| metric | value |', '| --- | --- |', ...rows].join('\n');
}

if (process.argv[1]?.endsWith('run.ts')) {
  const only = arg('only', '');
  const extra = arg('with', '').split(',').filter(Boolean);
  const chosen = only ? only.split(',') : [...Object.keys(SUITES).filter((k) => !SUITES[k]!.optional), ...extra];
  if (!existsSync(join(root, 'dist', 'src', 'main.js'))) throw new Error('run `npm run build` first: the suites start the built server');
  const files: Record<string, string> = {};
  let failed = 0;
  const fromResults = process.argv.includes('--from-results');
  for (const name of chosen) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown suite ${name} (${Object.keys(SUITES).join(', ')})`);
    if (fromResults) {
      if (existsSync(R(suite.file))) files[name] = R(suite.file);
      continue;
    }
    console.log(`\n=== ${name}`);
    const code = await runSuite(suite.args);
    if (code !== 0) {
      failed++;
      console.log(`=== ${name} failed (exit ${code})`);
    } else files[name] = R(suite.file);
  }
  const metrics = await summarize(files);
  const summary = { at: new Date().toISOString(), machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`, suites: Object.keys(files), metrics };
  await writeFile(R('summary.json'), JSON.stringify(summary, null, 2));
  const table = summaryTable(metrics);
  console.log(`\n${table}\n\nwritten to bench/results/summary.json; compare with: npx tsx bench/compare.ts`);
  if (process.argv.includes('--update-readme')) {
    const path = join(root, 'README.md');
    const readme = await readFile(path, 'utf8');
    const block = `Generated by \`npm run bench -- --update-readme\` on ${summary.at.slice(0, 10)} (${summary.machine}); suites: ${summary.suites.join(', ')}.\n\n${table}`;
    const next = readme.replace(/(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/, `$1${block}\n$2`);
    if (next === readme) throw new Error('README has no <!-- bench:start --> / <!-- bench:end --> block to update');
    await writeFile(path, next);
  }
  if (failed > 0) process.exitCode = 1;
}
