/**
 * deploy/prometheus: the rules are valid (`promtool check rules`), every alert fires just past its
 * threshold and not before (`promtool test rules`), and every series they read is one the service
 * exports. promtool comes from Debian's prometheus package; without it these tests skip loudly
 * (under CI=true that fails: .ci/run installs it).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { findTool, PROMTOOL, toolMissing } from '../support/tools.js';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('../../deploy/prometheus', import.meta.url));
const RULE_FILES = ['recording-rules.yml', 'alert-rules.yml'];

const promtool = findTool(PROMTOOL) ?? toolMissing(PROMTOOL, 'apt-get install prometheus');

describe('Prometheus rules', () => {
  it.skipIf(!promtool)('pass promtool check rules', async () => {
    const { stdout } = await run(promtool!, ['check', 'rules', ...RULE_FILES], { cwd: dir });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found[\s\S]*SUCCESS: \d+ rules found/);
  });

  it.skipIf(!promtool)('fire around every threshold as the unit tests expect (promtool test rules)', async () => {
    const { stdout } = await run(promtool!, ['test', 'rules', 'tests/alert-rules.test.yml'], { cwd: dir });
    expect(stdout).toContain('SUCCESS');
  });

  it('read only series the service exports', async () => {
    const exported = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const text = (await Promise.all(RULE_FILES.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
    const exprs = [...text.matchAll(/expr: (.*)/g)].map((m) => m[1]!);
    const read = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(memory_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))));
    expect(read.size).toBeGreaterThan(8);
    for (const name of read) expect(exported, name).toContain(name);
  });
});
