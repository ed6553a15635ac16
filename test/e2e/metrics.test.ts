/**
 * /metrics as an operator's dashboards and alerts read it: every labelled series exported from
 * the start (so rates and ratios are 0, not "no data"), search latency by tier and by step in
 * buckets with an edge at every SLO threshold, the embedded store's size on disk, L1 evictions
 * by reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApp, type TestApp } from '../helpers.js';

let t: TestApp;
const scrape = async () => (await fetch(`http://127.0.0.1:${t.app.httpPort}/metrics`)).text();
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t?.stop();
});

describe('/metrics', () => {
  it('exports every known labelled series at 0 before anything happened', async () => {
    const text = await scrape();
    expect(value(text, 'memory_grpc_requests_total{method="ForgetUser",code="INTERNAL"}')).toBe(0);
    expect(value(text, 'memory_grpc_requests_total{method="Search",code="OK"}')).toBe(0);
    expect(value(text, 'memory_grpc_request_duration_seconds_count{method="AssembleContext"}')).toBe(0);
    expect(value(text, 'memory_cache_hits_total{tier="l2",kind="search"}')).toBe(0);
    expect(value(text, 'memory_cache_evictions_total{tier="l1",reason="ttl"}')).toBe(0);
    expect(value(text, 'memory_precompute_runs_total{kind="gc",outcome="FAILED"}')).toBe(0);
    expect(value(text, 'memory_search_duration_seconds_count{tier="l2"}')).toBe(0);
    expect(value(text, 'memory_search_step_duration_seconds_count{step="embed"}')).toBe(0);
    // Each backend's readiness at the scrape, for the unavailable-backend alerts.
    expect(value(text, 'memory_backend_up{backend="vector_store"}')).toBe(1);
    expect(value(text, 'memory_backend_up{backend="metadata"}')).toBe(1);
    // No Redis and no Qdrant here: their series are absent, not 0.
    expect(text).not.toMatch(/^memory_(redis_server_\w+|cache_l2_breaker_state|qdrant_\w+)[ {]/m);
  });

  it('times searches by the tier that served them and by step, with an edge at every SLO threshold', async () => {
    await call(t.client, 'Remember', { userId: 'metrics-user', memory: { content: 'Alice is allergic to peanuts' } });
    await call(t.client, 'Search', { userId: 'metrics-user', query: 'allergies' }); // L3
    await call(t.client, 'Search', { userId: 'metrics-user', query: 'allergies' }); // L1
    const text = await scrape();
    expect(value(text, 'memory_search_duration_seconds_count{tier="l3"}')).toBe(1);
    expect(value(text, 'memory_search_duration_seconds_count{tier="l1"}')).toBe(1);
    for (const step of ['embed', 'store_query', 'rank']) expect(value(text, `memory_search_step_duration_seconds_count{step="${step}"}`), step).toBe(1);
    expect(value(text, 'memory_search_step_duration_seconds_count{step="cache"}')).toBe(2);
    for (const le of ['0.005', '0.01', '0.025', '0.05', '0.075', '0.1', '0.15', '0.2', '0.25', '0.3', '0.5', '1']) {
      expect(text).toContain(`memory_grpc_request_duration_seconds_bucket{le="${le}",method="Search"}`);
      expect(text).toContain(`memory_search_duration_seconds_bucket{le="${le}",tier="l1"}`);
    }
    expect(value(text, 'memory_grpc_requests_total{method="Search",code="OK"}')).toBe(2);
  });
});

describe('/metrics of the embedded store', () => {
  it("reports the store's bytes on disk by part (walked at most once a minute, so on a fresh service)", async () => {
    const fresh = await startApp({ indexMinMemories: 5 });
    try {
      await call(fresh.client, 'RememberBatch', { userId: 'disk-user', items: Array.from({ length: 12 }, (_, i) => ({ content: `Bob keeps ${i} bees` })) });
      const text = await (await fetch(`http://127.0.0.1:${fresh.app.httpPort}/metrics`)).text();
      expect(value(text, 'memory_store_disk_bytes{part="wal"}')).toBeGreaterThan(0);
      expect(value(text, 'memory_store_disk_bytes{part="vectors"}')).toBeGreaterThan(0);
      expect(value(text, 'memory_store_disk_bytes{part="graphs"}')).toBeGreaterThanOrEqual(0);
      // The user's graph is built in the background: one build observed, none left running.
      let built: string;
      for (let i = 0; ; i++) {
        built = await (await fetch(`http://127.0.0.1:${fresh.app.httpPort}/metrics`)).text();
        if (value(built, 'memory_index_build_duration_seconds_count') === 1 || i > 100) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(value(built, 'memory_index_build_duration_seconds_count')).toBe(1);
      expect(value(built, 'memory_index_build_oldest_seconds')).toBe(0);
    } finally {
      await fresh.stop();
    }
  });
});
