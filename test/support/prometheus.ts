/**
 * A real Prometheus server for tests (Debian's prometheus package), scraping the given targets
 * every second with the given rule files, on a free loopback port in a temp dir; stopped after.
 * Without the binary the tests skip loudly; under CI=true that fails (.ci/run installs it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killServer, spawnServer, waitUntil } from './process.js';
import { freePort } from './servers.js';
import { findTool, PROMETHEUS, toolMissing } from './tools.js';

export interface TestPrometheus {
  url: string;
  /** An instant query; throws on a query error (bad PromQL). */
  query(expr: string): Promise<unknown[]>;
  /** Every metric name Prometheus has stored. */
  names(): Promise<Set<string>>;
  /** Resolves once every target has been scraped (target discovery takes Prometheus ~5 s). */
  scraping(): Promise<void>;
  stop(): Promise<void>;
}

export function findPrometheus(): string | undefined {
  return findTool(PROMETHEUS) ?? toolMissing(PROMETHEUS, 'apt-get install prometheus');
}

export async function startTestPrometheus(bin: string, o: { targets: string[]; ruleFiles: string[] }): Promise<TestPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'me-prom-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
    'scrape_configs:',
    '  - job_name: memory-engine',
    '    static_configs:',
    `      - targets: [${o.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config + '\n');
  const proc = spawnServer(bin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    cwd: dir,
  });
  const url = `http://127.0.0.1:${port}`;
  const ready = async () => {
    try {
      return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(500) })).status === 200;
    } catch {
      return false;
    }
  };
  try {
    await waitUntil(proc, ready, 'prometheus', 30_000);
  } catch (e) {
    await killServer(proc);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const query = async (expr: string): Promise<unknown[]> => {
    const res = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
    if (res.status !== 'success') throw new Error(`${expr}: ${res.error}`);
    return res.data!.result;
  };
  return {
    url,
    query,
    async scraping() {
      const end = Date.now() + 30_000;
      for (;;) {
        const up = (await query('up == 1')).length;
        if (up >= o.targets.length) return;
        if (Date.now() > end) throw new Error(`prometheus scraped ${up} of ${o.targets.length} targets in 30 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async names() {
      const res = (await (await fetch(`${url}/api/v1/label/__name__/values`)).json()) as { data: string[] };
      return new Set(res.data);
    },
    async stop() {
      await killServer(proc);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
