/**
 * The Grafana dashboards against a real Prometheus that scraped a real service under traffic
 * (with Redis and Postgres, and Qdrant when QDRANT_BIN is set): every panel's query must run
 * without error, and every series it names must exist in Prometheus (the recording rules
 * included, evaluated by that Prometheus). Also: the committed JSON is what the generator makes.
 */
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, DASHBOARDS, dashboardFile, dashboardJson, type Requirement } from '../../scripts/grafana-dashboards.js';
import { call, startApp, type TestApp } from '../helpers.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { findPrometheus, startTestPrometheus, type TestPrometheus } from '../support/prometheus.js';
import { startTestQdrant, type TestQdrant } from '../support/qdrant.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

const RULES = fileURLToPath(new URL('../../deploy/prometheus/recording-rules.yml', import.meta.url));
const prometheusBin = findPrometheus();

describe('Grafana dashboards', () => {
  it('are the generator’s output (npx tsx scripts/grafana-dashboards.ts)', async () => {
    for (const d of DASHBOARDS) expect(await readFile(dashboardFile(d), 'utf8'), d.uid).toBe(dashboardJson(d));
    expect((await readdir(DASHBOARD_DIR)).sort()).toEqual(DASHBOARDS.map((d) => `${d.uid}.json`).sort());
  });
});

describe.skipIf(!prometheusBin)('Grafana dashboards on a real Prometheus', () => {
  let redis: TestRedis | undefined;
  let pg: TestPostgres | undefined;
  let qdrant: TestQdrant | undefined;
  let app: TestApp;
  let second: TestApp | undefined;
  let prom: TestPrometheus;
  let rulesDir: string;
  const have = new Set<Requirement>();

  beforeAll(async () => {
    redis = await startTestRedis();
    pg = await startTestPostgres();
    qdrant = process.env.QDRANT_BIN || process.env.QDRANT_URL ? await startTestQdrant() : undefined;
    if (redis) have.add('redis');
    if (pg) have.add('postgres');
    if (qdrant) have.add('qdrant');
    const backends = {
      ...(redis ? { redisUrl: redis.url } : {}),
      ...(pg ? { databaseUrl: pg.url, auth: 'off' as const } : {}),
      ...(qdrant ? { qdrantUrl: qdrant.url, qdrantCollectionPrefix: qdrant.prefix } : {}),
    };
    app = await startApp({ ...backends, indexMinMemories: 10 });
    // Without Qdrant, the embedded store's series come from a second instance (Qdrant has none).
    if (qdrant) second = await startApp({ indexMinMemories: 10 });
    // The recording rules as deployed, evaluated every second instead of every 30 s.
    rulesDir = await mkdtemp(join(tmpdir(), 'me-rules-'));
    const rules = join(rulesDir, 'recording-rules.yml');
    await writeFile(rules, (await readFile(RULES, 'utf8')).replace(/interval: 30s/g, 'interval: 1s'));
    const targets = [app, second].filter((a): a is TestApp => Boolean(a)).map((a) => `127.0.0.1:${a.app.httpPort}`);
    prom = await startTestPrometheus(prometheusBin!, { targets, ruleFiles: [rules] });
    await prom.scraping();

    // Traffic: writes (embedding, precompute triggers, graphs), searches (L3, then L1), context, profile, topics.
    for (const target of [app, second].filter((a): a is TestApp => Boolean(a))) {
      const items = Array.from({ length: 40 }, (_, i) => ({ content: `Dana note ${i}: ${['likes hiking', 'allergic to shellfish', 'works in Oslo', 'plays chess'][i % 4]} on day ${i}` }));
      await call(target.client, 'RememberBatch', { userId: 'dash-dana', items });
      for (let round = 0; round < 3; round++) {
        for (const q of ['hiking plans', 'food allergies', 'where does she work', 'board games']) await call(target.client, 'Search', { userId: 'dash-dana', query: q });
        await call(target.client, 'AssembleContext', { userId: 'dash-dana', query: 'what should we cook?', tokenBudget: 400 });
        await call(target.client, 'GetProfile', { userId: 'dash-dana' }).catch(() => undefined);
        await call(target.client, 'ListTopics', { userId: 'dash-dana' }).catch(() => undefined);
        await call(target.client, 'Get', { userId: 'dash-dana', id: '00000000-0000-4000-8000-000000000000' }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1500));
      }
    }
    // A few scrapes and rule evaluations after the traffic.
    await new Promise((r) => setTimeout(r, 4000));
  }, 240_000);

  afterAll(async () => {
    await prom?.stop();
    await app?.stop();
    await second?.stop();
    await redis?.stop();
    await pg?.stop();
    await qdrant?.stop();
    if (rulesDir) await rm(rulesDir, { recursive: true, force: true });
  });

  it('runs every panel query without error, and every series it names exists', async () => {
    const names = await prom.names();
    const checked: string[] = [];
    const skipped: string[] = [];
    for (const d of DASHBOARDS) {
      for (const panel of d.panels) {
        if (panel.requires && !have.has(panel.requires)) {
          skipped.push(`${d.uid} / ${panel.title} (needs ${panel.requires})`);
          continue;
        }
        for (const t of panel.targets) {
          await expect(prom.query(t.expr), `${d.uid} / ${panel.title}: ${t.expr}`).resolves.toBeDefined();
          const series = [...t.expr.matchAll(/\b((?:memory|process|nodejs)_[a-z0-9_]+|memory:[a-z0-9_:]+)/g)].map((m) => m[1]!);
          for (const s of series) expect(names, `${d.uid} / ${panel.title}: series ${s}`).toContain(s);
          checked.push(t.expr);
        }
      }
    }
    if (skipped.length) console.warn(`panels not checked here (their backend is not running): ${skipped.join('; ')}`);
    expect(checked.length).toBeGreaterThan(40);
    // Without Qdrant only its own panels are left out; CI runs Redis and Postgres, so those are always checked.
    expect(skipped.every((s) => s.includes('needs qdrant'))).toBe(true);
  });

  it('records the SLO series from the live service', async () => {
    const p95 = (await prom.query('memory:grpc_request_duration_seconds:p95{method="Search"}')) as { value: [number, string] }[];
    expect(p95).toHaveLength(1);
    expect(Number(p95[0]!.value[1]), JSON.stringify(p95)).toBeGreaterThan(0);
    const ratio = (await prom.query('memory:search_cache_hit_ratio:rate10m')) as { value: [number, string] }[];
    expect(Number(ratio[0]!.value[1]), JSON.stringify(ratio)).toBeGreaterThan(0);
  });
});
