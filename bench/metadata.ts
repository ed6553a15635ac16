/**
 * Metadata benchmark on embedded PGlite and a real Postgres (started here, durable settings):
 *   - audit appends: sequential latency, and throughput with 64 in flight (group-committed)
 *   - with 1M audit rows and 100k tasks (1,000 users): p50/p95/p99 of ListTasks, ListTasks by
 *     status and ListAuditEvents pages, for random users
 *
 *   npx tsx bench/metadata.ts [--audit-rows 1000000] [--tasks 100000]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openPGlite } from '../src/metadata/pglite/index.js';
import { applyPgliteWasmTier } from '../src/metadata/pglite/wasm-tier.js';
import { openPostgres } from '../src/metadata/postgres/index.js';
import { SqlMetadataStore, type SqlExecutor } from '../src/metadata/sql-metadata-store.js';
import { startTestPostgres } from '../test/support/postgres.js';
import { arg, Latency, rng, root, runConcurrent } from './lib.js';

// PGlite compiled as the service compiles it (PGLITE_OPTIMIZED_WASM=true for the optimizing tier).
applyPgliteWasmTier(loadConfig(process.env));
const AUDIT_ROWS = Number(arg('audit-rows', '1000000'));
const TASKS = Number(arg('tasks', '100000'));
const USERS = 1000;

async function measure(name: string, db: SqlExecutor): Promise<Record<string, unknown>> {
  const store = new SqlMetadataStore({ kind: name, db: db });
  await store.open();
  const event = (i: number) => ({ userId: `user-${i % USERS}`, actor: 'bench', operation: 'Remember', memoryIds: [`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`], requestId: `r${i}` });
  const seq = new Latency();
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await store.appendAudit(event(i));
    seq.record(performance.now() - t);
  }
  const conc = new Latency();
  const N = 20_000;
  const wall = await runConcurrent(N, 64, async (i) => {
    const t = performance.now();
    await store.appendAudit(event(i));
    conc.record(performance.now() - t);
  });
  const auditPerSecond = Math.round(N / (wall / 1000));
  console.log(`${name}: audit append sequential ${JSON.stringify(seq.summary())} ms; ${auditPerSecond}/s with 64 in flight, ${JSON.stringify(conc.summary())} ms`);

  const t0 = performance.now();
  await db.query(
    `INSERT INTO audit_events (user_id, actor, operation, memory_ids, request_id)
     SELECT 'user-' || (g % ${USERS}), 'bench', CASE WHEN g % 10 = 0 THEN 'Forget' ELSE 'Remember' END, ARRAY[md5(g::text)], 'bulk' || g
     FROM generate_series(1, ${AUDIT_ROWS - 22_000}) g`,
  );
  await db.query(
    `INSERT INTO tasks (id, user_id, agent_id, title, status, created_at)
     SELECT md5('task' || g)::uuid, 'user-' || (g % ${USERS}), 'agent', 'task ' || g,
            (ARRAY['PENDING','RUNNING','SUCCEEDED','FAILED','CANCELLED'])[1 + g % 5], now() - (g || ' seconds')::interval
     FROM generate_series(1, ${TASKS}) g`,
  );
  await db.query('ANALYZE');
  const loadS = (performance.now() - t0) / 1000;
  const r = rng(5);
  const user = () => `user-${Math.floor(r() * USERS)}`;
  const lists: Record<string, Latency> = { listTasks: new Latency(), listTasksByStatus: new Latency(), listTasksPage2: new Latency(), listAudit: new Latency(), listAuditByOperation: new Latency() };
  for (let i = 0; i < 1000; i++) {
    const u = user();
    let t = performance.now();
    const p1 = await store.listTasks(u, { limit: 50 });
    lists.listTasks!.record(performance.now() - t);
    t = performance.now();
    await store.listTasks(u, { limit: 50, status: 'RUNNING' });
    lists.listTasksByStatus!.record(performance.now() - t);
    if (p1.next) {
      t = performance.now();
      await store.listTasks(u, { limit: 50, after: p1.next });
      lists.listTasksPage2!.record(performance.now() - t);
    }
    t = performance.now();
    await store.listAudit(u, { limit: 50 });
    lists.listAudit!.record(performance.now() - t);
    t = performance.now();
    await store.listAudit(u, { limit: 50, operation: 'Forget' });
    lists.listAuditByOperation!.record(performance.now() - t);
  }
  const listMs = Object.fromEntries(Object.entries(lists).map(([k, l]) => [k, l.summary()]));
  console.log(`${name}: loaded ${AUDIT_ROWS} audit rows and ${TASKS} tasks in ${loadS.toFixed(1)} s; list latency ms ${JSON.stringify(listMs)}`);
  await store.close();
  return { audit: { sequentialMs: seq.summary(), concurrent64Ms: conc.summary(), perSecondAt64: auditPerSecond }, auditRows: AUDIT_ROWS, tasks: TASKS, users: USERS, listMs };
}

const result: Record<string, unknown> = { bench: 'metadata', at: new Date().toISOString() };
const dir = await mkdtemp(join(tmpdir(), 'me-md-'));
result.pglite = await measure('pglite', await openPGlite(join(dir, 'pglite')));
await rm(dir, { recursive: true, force: true });
const pg = await startTestPostgres({ durable: true });
if (pg) {
  result.postgres = await measure(
    'postgres',
    await openPostgres({ url: pg.url, max: 10, acquireTimeoutMs: 5000, idleTimeoutMs: 30_000, statementTimeoutMs: 60_000, maxUses: 10_000, maxLifetimeSeconds: 1800 }),
  );
  await pg.stop();
} else console.log('postgres: skipped (no server binaries)');
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'metadata.json'), JSON.stringify(result, null, 2));
