/**
 * The Grafana dashboards of deploy/grafana/dashboards/, from one compact description: which
 * panels, which PromQL, which unit. `npx tsx scripts/grafana-dashboards.ts` writes the JSON files
 * (provisioned as they are); test/e2e/grafana-dashboards.test.ts checks the files match and
 * evaluates every query against a real Prometheus that scraped a real service under traffic.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A backend a panel needs: its series exist only in deployments that use it. */
export type Requirement = 'redis' | 'postgres' | 'qdrant';

export interface PanelSpec {
  title: string;
  unit: 's' | 'percentunit' | 'reqps' | 'bytes' | 'short' | 'ops';
  targets: { expr: string; legend: string }[];
  /** Threshold lines (the SLO edges), in the panel's unit. */
  thresholds?: number[];
  requires?: Requirement;
  description?: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  panels: PanelSpec[];
}

const p95 = (metric: string, by: string, range = '5m') => `histogram_quantile(0.95, sum by (le, ${by}) (rate(${metric}_bucket[${range}])))`;

export const DASHBOARDS: DashboardSpec[] = [
  {
    uid: 'memory-engine-latency',
    title: 'memory-engine / Latency vs SLO',
    panels: [
      {
        title: 'Search latency (p50, p95, p99) vs SLO',
        unit: 's',
        thresholds: [0.15, 0.25],
        targets: [
          { expr: 'memory:grpc_request_duration_seconds:p50{method="Search"}', legend: 'p50' },
          { expr: 'memory:grpc_request_duration_seconds:p95{method="Search"}', legend: 'p95' },
          { expr: 'memory:grpc_request_duration_seconds:p99{method="Search"}', legend: 'p99' },
        ],
        description: 'HighRetrievalLatency fires when p95 stays above 150 ms for 5 min, CriticalRetrievalLatency above 250 ms for 2 min.',
      },
      { title: 'Search p95 by serving tier', unit: 's', thresholds: [0.15], targets: [{ expr: 'memory:search_duration_seconds:p95', legend: '{{tier}}' }] },
      { title: 'Search p95 by step', unit: 's', targets: [{ expr: 'memory:search_step_duration_seconds:p95', legend: '{{step}}' }] },
      { title: 'p95 by RPC', unit: 's', thresholds: [0.15], targets: [{ expr: 'memory:grpc_request_duration_seconds:p95', legend: '{{method}}' }] },
      {
        title: 'Searches slower than 150 ms (budget: 1%)',
        unit: 'percentunit',
        thresholds: [0.01],
        targets: [
          { expr: 'memory:search_slow_calls:ratio_rate5m', legend: '5m' },
          { expr: 'memory:search_slow_calls:ratio_rate1h', legend: '1h' },
        ],
      },
      {
        title: 'Server-side error ratio (budget: 0.1%)',
        unit: 'percentunit',
        thresholds: [0.001, 0.01],
        targets: [
          { expr: 'memory:grpc_server_errors:ratio_rate5m', legend: '5m' },
          { expr: 'memory:grpc_server_errors:ratio_rate1h', legend: '1h' },
        ],
      },
    ],
  },
  {
    uid: 'memory-engine-cache',
    title: 'memory-engine / Cache',
    panels: [
      { title: 'Hit ratio by tier', unit: 'percentunit', thresholds: [0.5], targets: [{ expr: 'memory:cache_hit_ratio:rate5m', legend: '{{tier}}' }] },
      { title: 'Searches served from a cache (L1 or L2)', unit: 'percentunit', thresholds: [0.5, 0.8], targets: [{ expr: 'memory:search_cache_hit_ratio:rate10m', legend: 'cached' }] },
      { title: 'Hits by tier and kind', unit: 'ops', targets: [{ expr: 'sum by (tier, kind) (rate(memory_cache_hits_total[5m]))', legend: '{{tier}} {{kind}}' }] },
      { title: 'Misses by tier and kind', unit: 'ops', targets: [{ expr: 'sum by (tier, kind) (rate(memory_cache_misses_total[5m]))', legend: '{{tier}} {{kind}}' }] },
      { title: 'Evictions by reason', unit: 'ops', targets: [{ expr: 'sum by (tier, reason) (rate(memory_cache_evictions_total[5m]))', legend: '{{tier}} {{reason}}' }] },
      {
        title: 'L1 size',
        unit: 'bytes',
        targets: [{ expr: 'memory_cache_size_bytes{tier="l1"}', legend: '{{instance}}' }],
      },
      { title: 'Coalesced loads (single flight)', unit: 'ops', targets: [{ expr: 'sum by (kind) (rate(memory_cache_single_flight_coalesced_total[5m]))', legend: '{{kind}}' }] },
      {
        title: 'Redis server: memory and evictions (server-wide)',
        unit: 'bytes',
        requires: 'redis',
        targets: [
          { expr: 'max(memory_redis_server_used_memory_bytes)', legend: 'used memory' },
          { expr: 'max(memory_redis_server_keys)', legend: 'keys' },
          { expr: 'max(deriv(memory_redis_server_evicted_keys[5m]))', legend: 'evictions/s' },
        ],
      },
      {
        title: 'Invalidations across instances',
        unit: 'ops',
        requires: 'redis',
        targets: [
          { expr: 'sum(rate(memory_cache_invalidations_sent_total[5m]))', legend: 'sent' },
          { expr: 'sum(rate(memory_cache_invalidations_received_total[5m]))', legend: 'received' },
          { expr: 'histogram_quantile(0.95, sum by (le) (rate(memory_cache_invalidation_propagation_seconds_bucket[5m])))', legend: 'propagation p95 (s)' },
        ],
      },
    ],
  },
  {
    uid: 'memory-engine-operations',
    title: 'memory-engine / Operations',
    panels: [
      { title: 'Calls by RPC', unit: 'reqps', targets: [{ expr: 'memory:grpc_requests:rate5m', legend: '{{method}}' }] },
      { title: 'Errors by code', unit: 'reqps', targets: [{ expr: 'sum by (code) (rate(memory_grpc_requests_total{code!="OK"}[5m]))', legend: '{{code}}' }] },
      {
        title: 'Vector search, profile, topics, context: p95',
        unit: 's',
        thresholds: [0.15],
        targets: [
          { expr: 'memory:search_step_duration_seconds:p95{step="store_query"}', legend: 'vector search (store query)' },
          { expr: 'memory:grpc_request_duration_seconds:p95{method=~"GetProfile|ListTopics|GetTopic|GetRelated|AssembleContext|StreamContext"}', legend: '{{method}}' },
        ],
      },
      { title: 'Context sections: p95', unit: 's', targets: [{ expr: p95('memory_context_section_duration_seconds', 'section'), legend: '{{section}}' }] },
      {
        title: 'Context sections left out, by reason',
        unit: 'ops',
        targets: [{ expr: 'sum by (section, reason) (rate(memory_context_sections_missing_total[5m]))', legend: '{{section}} {{reason}}' }],
      },
      {
        title: 'Entities and topics: p95',
        unit: 's',
        targets: [{ expr: 'histogram_quantile(0.95, sum by (le, section) (rate(memory_context_section_duration_seconds_bucket{section=~"entities|topics"}[5m])))', legend: '{{section}} section' }],
      },
      {
        title: 'Embedding calls',
        unit: 's',
        targets: [
          { expr: 'histogram_quantile(0.95, sum by (le) (rate(memory_embed_duration_seconds_bucket[5m])))', legend: 'p95 call' },
          { expr: 'sum(rate(memory_embed_batch_size_sum[5m])) / sum(rate(memory_embed_batch_size_count[5m]))', legend: 'texts per call' },
        ],
      },
      { title: 'Topic routing', unit: 'ops', targets: [{ expr: 'sum by (outcome) (rate(memory_search_topic_routed_total[5m]))', legend: '{{outcome}}' }] },
      {
        title: 'Memories written and deleted',
        unit: 'ops',
        targets: [
          { expr: 'sum(rate(memory_memories_written_total[5m]))', legend: 'written' },
          { expr: 'sum(rate(memory_memories_deleted_total[5m]))', legend: 'deleted' },
        ],
      },
    ],
  },
  {
    uid: 'memory-engine-jobs',
    title: 'memory-engine / Precompute and lifecycle jobs',
    panels: [
      { title: 'Runs by kind and outcome', unit: 'ops', targets: [{ expr: 'sum by (kind, outcome) (rate(memory_precompute_runs_total[15m]))', legend: '{{kind}} {{outcome}}' }] },
      { title: 'Run time p95 by kind', unit: 's', targets: [{ expr: p95('memory_precompute_run_duration_seconds', 'kind', '15m'), legend: '{{kind}}' }] },
      {
        title: 'Queue depth, runs in progress, operator pause',
        unit: 'short',
        thresholds: [1000],
        targets: [
          { expr: 'memory_precompute_queue_depth', legend: 'queued {{instance}}' },
          { expr: 'memory_precompute_running', legend: 'running {{instance}}' },
          // 1 while PauseBackgroundJobs holds the instance: a queue that grows then is expected.
          { expr: 'memory_precompute_paused', legend: 'paused {{instance}}' },
        ],
      },
      {
        title: 'Triggers and drops',
        unit: 'ops',
        targets: [
          { expr: 'sum by (kind) (rate(memory_precompute_triggers_total[5m]))', legend: '{{kind}}' },
          { expr: 'sum by (kind) (rate(memory_precompute_triggers_dropped_total[5m]))', legend: 'dropped {{kind}}' },
        ],
      },
      { title: 'Artifacts pruned after deletes', unit: 'ops', targets: [{ expr: 'sum(rate(memory_precompute_artifacts_pruned_total[5m]))', legend: 'pruned' }] },
      {
        title: 'Index builds',
        unit: 's',
        thresholds: [1800],
        targets: [
          { expr: 'max(memory_index_build_oldest_seconds)', legend: 'oldest running' },
          { expr: 'histogram_quantile(0.95, sum by (le) (rate(memory_index_build_duration_seconds_bucket[15m])))', legend: 'p95 build' },
        ],
      },
      { title: 'Keyword backfill', unit: 'ops', targets: [{ expr: 'sum(rate(memory_keyword_backfill_total[5m]))', legend: 'indexed' }] },
    ],
  },
  {
    uid: 'memory-engine-backends',
    title: 'memory-engine / Backends',
    panels: [
      { title: 'Backends answering', unit: 'short', targets: [{ expr: 'min by (backend) (memory_backend_up)', legend: '{{backend}}' }] },
      { title: 'Redis breaker (0 closed, 1 open, 2 probing)', unit: 'short', requires: 'redis', targets: [{ expr: 'max by (instance) (memory_cache_l2_breaker_state)', legend: '{{instance}}' }] },
      {
        title: 'Postgres pool',
        unit: 'short',
        requires: 'postgres',
        targets: [{ expr: 'sum by (state) (memory_metadata_pool_connections)', legend: '{{state}}' }],
      },
      { title: 'Qdrant calls by outcome', unit: 'ops', requires: 'qdrant', targets: [{ expr: 'sum by (op, outcome) (rate(memory_qdrant_requests_total[5m]))', legend: '{{op}} {{outcome}}' }] },
      { title: 'Qdrant p95 by operation', unit: 's', requires: 'qdrant', targets: [{ expr: p95('memory_qdrant_request_duration_seconds', 'op'), legend: '{{op}}' }] },
      {
        title: 'Qdrant retries and dedicated users',
        unit: 'short',
        requires: 'qdrant',
        targets: [
          { expr: 'sum(rate(memory_qdrant_retries_total[5m]))', legend: 'retries/s' },
          { expr: 'max(memory_qdrant_dedicated_users)', legend: 'dedicated users' },
        ],
      },
      {
        title: 'Embedded store',
        unit: 'short',
        targets: [
          { expr: 'sum(memory_store_memories)', legend: 'memories' },
          { expr: 'sum(memory_store_partitions)', legend: 'users' },
          { expr: 'sum(memory_store_unindexed_slots)', legend: 'not yet in a graph' },
        ],
      },
      { title: 'Embedded store on disk', unit: 'bytes', targets: [{ expr: 'sum by (part) (memory_store_disk_bytes)', legend: '{{part}}' }] },
      {
        title: 'Process',
        unit: 'bytes',
        targets: [
          { expr: 'process_resident_memory_bytes', legend: 'RSS {{instance}}' },
          { expr: 'nodejs_heap_size_used_bytes', legend: 'heap {{instance}}' },
        ],
      },
      { title: 'Event loop lag p99', unit: 's', targets: [{ expr: 'nodejs_eventloop_lag_p99_seconds', legend: '{{instance}}' }] },
    ],
  },
];

/** The Grafana JSON of one dashboard (schema of Grafana 10/11: timeseries panels on a 2-column grid). */
export function renderDashboard(d: DashboardSpec): object {
  return {
    uid: d.uid,
    title: d.title,
    tags: ['memory-engine'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus', current: {} }],
    },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: {
        defaults: {
          unit: p.unit,
          ...(p.thresholds
            ? {
                thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, ...p.thresholds.map((value, j) => ({ color: j === 0 ? 'orange' : 'red', value }))] },
                custom: { thresholdsStyle: { mode: 'line' } },
              }
            : {}),
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legend, datasource: { type: 'prometheus', uid: '${datasource}' } })),
    })),
  };
}

export const DASHBOARD_DIR = fileURLToPath(new URL('../deploy/grafana/dashboards', import.meta.url));

export function dashboardFile(d: DashboardSpec): string {
  return join(DASHBOARD_DIR, `${d.uid}.json`);
}

export function dashboardJson(d: DashboardSpec): string {
  return JSON.stringify(renderDashboard(d), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const d of DASHBOARDS) await writeFile(dashboardFile(d), dashboardJson(d));
  console.log(`wrote ${DASHBOARDS.length} dashboards to ${DASHBOARD_DIR}`);
}
