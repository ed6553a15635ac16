/**
 * Regression check: compares benchmark results with accepted figures.
 *
 *   npx tsx bench/compare.ts                      # bench/results/summary.json vs bench/baseline.json
 *   npx tsx bench/compare.ts --current F --baseline G
 *   npx tsx bench/compare.ts --accept             # make the current summary the new baseline
 *
 * Rules (warn / fail): latency p95 rise over 15% / 30%; throughput drop over 10% / 25%;
 * hit rate or recall drop over 5 / 15 points; memory rise over 20% / 50%. Exit code 1 when any
 * metric fails. Numbers on shared machines are noisy: compare runs made side by side on the same
 * machine, by hand or in a nightly job, never in the unit test suite.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, root } from './lib.js';

export type MetricKind = 'latency' | 'throughput' | 'rate' | 'memory';

export interface SummaryMetric {
  value: number;
  kind: MetricKind;
  unit: string;
}

export type Summary = Record<string, SummaryMetric>;

export interface Verdict {
  name: string;
  baseline: number;
  current: number;
  change: string;
  level: 'ok' | 'warn' | 'fail' | 'new' | 'gone';
}

const RULES: Record<MetricKind, { warn: number; fail: number }> = {
  latency: { warn: 0.15, fail: 0.3 },
  throughput: { warn: 0.1, fail: 0.25 },
  rate: { warn: 5, fail: 15 },
  memory: { warn: 0.2, fail: 0.5 },
};

export function compare(baseline: Summary, current: Summary): Verdict[] {
  const out: Verdict[] = [];
  for (const [name, cur] of Object.entries(current)) {
    const base = baseline[name];
    if (!base) {
      out.push({ name, baseline: NaN, current: cur.value, change: 'new', level: 'new' });
      continue;
    }
    const rule = RULES[cur.kind];
    let level: Verdict['level'] = 'ok';
    let change: string;
    if (cur.kind === 'rate') {
      // Rates are fractions in [0, 1]; thresholds are in percentage points.
      const drop = (base.value - cur.value) * 100;
      change = `${drop >= 0 ? '-' : '+'}${Math.abs(drop).toFixed(1)} pts`;
      if (drop > rule.fail) level = 'fail';
      else if (drop > rule.warn) level = 'warn';
    } else {
      const rel = base.value === 0 ? 0 : (cur.value - base.value) / base.value;
      change = `${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%`;
      const worse = cur.kind === 'throughput' ? -rel : rel;
      if (worse > rule.fail) level = 'fail';
      else if (worse > rule.warn) level = 'warn';
    }
    out.push({ name, baseline: base.value, current: cur.value, change, level });
  }
  for (const name of Object.keys(baseline)) if (!(name in current)) out.push({ name, baseline: baseline[name]!.value, current: NaN, change: 'missing', level: 'gone' });
  return out;
}

export function verdictTable(v: Verdict[]): string {
  const rows = v.map((x) => `| ${x.name} | ${Number.isNaN(x.baseline) ? '—' : x.baseline} | ${Number.isNaN(x.current) ? '—' : x.current} | ${x.change} | ${x.level.toUpperCase()} |`);
  return ['| metric | baseline | current | change | verdict |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

if (process.argv[1]?.endsWith('compare.ts')) {
  const currentPath = arg('current', join(root, 'bench', 'results', 'summary.json'));
  const baselinePath = arg('baseline', join(root, 'bench', 'baseline.json'));
  if (process.argv.includes('--accept')) {
    await copyFile(currentPath, baselinePath);
    console.log(`accepted ${currentPath} as ${baselinePath}`);
  } else {
    const load = async (p: string) => (JSON.parse(await readFile(p, 'utf8')) as { metrics: Summary }).metrics;
    const verdicts = compare(await load(baselinePath), await load(currentPath));
    console.log(verdictTable(verdicts));
    const fails = verdicts.filter((x) => x.level === 'fail').length;
    const warns = verdicts.filter((x) => x.level === 'warn').length;
    console.log(`\n${fails} failed, ${warns} warned, ${verdicts.length - fails - warns} ok or new`);
    if (fails > 0) process.exitCode = 1;
  }
}
