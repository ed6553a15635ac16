/**
 * The MetadataStore in SQL, over any executor that speaks Postgres: PGlite (embedded) or `pg`
 * (a real server). One set of queries and migrations serves both.
 */
import { randomUUID } from 'node:crypto';
import { MemoryError, NotFoundError } from '../errors.js';
import type {
  ApiKeyInfo,
  AuditCursor,
  AuditEvent,
  AuditInput,
  JobRun,
  JobStatus,
  MetadataStore,
  Page,
  PrecomputedRow,
  Prune,
  PutPrecomputedOptions,
  ImportedAudit,
  Task,
  TaskCursor,
  TaskStatus,
} from './metadata-store.js';
import type { Logger } from 'pino';
import { ArchiveTable } from './archive-table.js';
import { valuesRow } from './sql-values.js';
import { AuditJournal, type JournaledAudit } from './audit-journal.js';
import { TERMINAL_TASK_STATUSES } from './metadata-store.js';
import { MIGRATION_LOCK_KEY, MIGRATIONS } from './migrations.js';

export interface SqlTx {
  query: SqlExecutor['query'];
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Connections of a pool (Postgres): open, idle, and queries waiting for one. Absent for PGlite. */
  pool?(): { total: number; idle: number; waiting: number };
}

interface TaskRow {
  id: string;
  user_id: string;
  agent_id: string;
  title: string;
  status: TaskStatus;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  metadata: Record<string, string>;
}

interface AuditRow {
  id: string | number;
  at: Date;
  user_id: string;
  actor: string;
  operation: string;
  memory_ids: string[];
  request_id: string;
  details: Record<string, string>;
}

interface KeyRow {
  id: string;
  name: string;
  secret_sha256: string;
  scopes: string[];
  created_at: Date;
  revoked_at: Date | null;
}

interface JobRow {
  id: string;
  user_id: string;
  kind: string;
  status: JobStatus;
  trigger: string;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  counts: Record<string, number>;
  error: string;
}

interface PrecomputedDbRow {
  kind: string;
  key: string;
  body: unknown;
  sources?: string[];
  generated_at: Date;
}

/** Advisory lock spaces (first key of pg_advisory_xact_lock(int, int)). */
const PRECOMPUTE_LOCK = 727_165_002;
/** An INSERT of precomputed artifacts holds at most this many rows, or about this many source ids. */
const PRECOMPUTED_BATCH_ROWS = 50;
const PRECOMPUTED_BATCH_SOURCES = 1000;
const JOB_LOCK = 727_165_003;
/** Removals this long before a job read its inputs are still pruned from what it writes. */
const REMOVAL_MARGIN_MS = 10 * 60_000;
/** An erasure this long before a job read its inputs stops it from writing. */
const ERASURE_MARGIN_MS = 60_000;
/** Audit operations after which the memories they name must leave every artifact. */
const REMOVALS_SQL = `(operation IN ('Forget','Correction','Supersede','Expire','GC','Archive') OR (operation = 'Update' AND (details->>'fields' LIKE '%content%' OR details->>'fields' LIKE '%embedding%')))`;

const ms = (d: Date | null) => (d ? d.getTime() : 0);
const toJob = (r: JobRow): JobRun => ({
  id: r.id,
  userId: r.user_id,
  kind: r.kind,
  status: r.status,
  trigger: r.trigger,
  queuedAtMs: ms(r.queued_at),
  startedAtMs: ms(r.started_at),
  finishedAtMs: ms(r.finished_at),
  counts: r.counts ?? {},
  error: r.error,
});
const toPrecomputed = (r: PrecomputedDbRow): PrecomputedRow => ({ kind: r.kind, key: r.key, body: r.body, sources: r.sources ?? [], generatedAtMs: ms(r.generated_at) });
const toKey = (r: KeyRow): ApiKeyInfo => ({ id: r.id, name: r.name, scopes: r.scopes, createdAtMs: ms(r.created_at), revokedAtMs: ms(r.revoked_at) });
const toTask = (r: TaskRow): Task => ({
  id: r.id,
  userId: r.user_id,
  agentId: r.agent_id,
  title: r.title,
  status: r.status,
  createdAtMs: ms(r.created_at),
  updatedAtMs: ms(r.updated_at),
  finishedAtMs: ms(r.finished_at),
  metadata: r.metadata ?? {},
});

/**
 * Postgres text and jsonb cannot hold NUL. Requests are refused with one (the validation rule),
 * but memories stored before that rule may still carry one into what is built from them.
 */
const withoutNul = (s: string) => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);
const jsonbText = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? withoutNul(v) : v));

interface PendingAudit {
  e: AuditInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Most audit rows in one INSERT (6–8 parameters each; far below Postgres' 65,535 limit). */
const AUDIT_BATCH = 500;

/** An audit row's values in audit_events' column order: user_id, actor, operation, memory_ids, request_id, details. */
const auditColumns = (e: AuditInput): unknown[] => [e.userId, e.actor, e.operation, [...e.memoryIds], e.requestId, jsonbText(e.details ?? {})];
/** The casts of those columns and `at`, for VALUES lists that feed a CTE (where types are not inferred). */
const AUDIT_CASTS = ['', '', '', 'text[]', '', 'jsonb', 'timestamptz'];

export interface SqlMetadataStoreOptions {
  /** 'pglite' | 'postgres' (logs, metrics, readiness). */
  kind: string;
  db: SqlExecutor;
  /**
   * A directory for the audit journal (embedded PGlite): audit rows are then acknowledged once
   * durable there and reach the table in the background (see audit-journal.ts). Without it,
   * each row is acknowledged once its group-committed INSERT commits (Postgres).
   */
  auditJournalDir?: string;
  log?: Logger;
}

export class SqlMetadataStore implements MetadataStore {
  readonly kind: string;
  readonly archive: ArchiveTable;
  private readonly db: SqlExecutor;
  private readonly journal: AuditJournal | undefined;
  private closed = false;
  private journalOpen = false;
  private auditQueue: PendingAudit[] = [];
  private auditFlushing = false;

  constructor(o: SqlMetadataStoreOptions) {
    this.kind = o.kind;
    this.db = o.db;
    this.archive = new ArchiveTable(o.db);
    this.journal = o.auditJournalDir ? new AuditJournal({ dir: o.auditJournalDir, ship: (rows, upTo) => this.shipJournaled(rows, upTo), log: o.log }) : undefined;
  }

  async open(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const q = tx.query;
      // Transaction-scoped advisory lock: concurrent starts wait here, then see the applied rows.
      await q('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await q('CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await q<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      const applied = new Set(rows.map((r) => r.version));
      const newest = Math.max(0, ...applied);
      const known = Math.max(...MIGRATIONS.map((m) => m.version));
      if (newest > known) throw new MemoryError('FAILED_PRECONDITION', `metadata schema version ${newest} is newer than this build (${known}); upgrade the service`);
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await tx.exec(m.sql);
        await q('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
    if (this.journal && !this.journalOpen) {
      this.journalOpen = true;
      const { rows } = await this.db.query<{ shipped_seq: string }>('SELECT shipped_seq FROM audit_journal WHERE id = 1');
      await this.journal.open(Number(rows[0]?.shipped_seq ?? 0));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.journal?.close();
    } finally {
      await this.db.close();
    }
  }

  /** The connection pool's figures, when the database has a pool (Postgres). */
  pool(): { total: number; idle: number; waiting: number } | undefined {
    return this.db.pool?.();
  }

  async ready(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /**
   * Resolves once the row is durable: in the journal when there is one; otherwise in the table,
   * group-committed (the first row goes at once, rows that arrive while an INSERT runs go
   * together in the next one: one statement, one commit).
   */
  appendAudit(e: AuditInput): Promise<void> {
    if (this.journal) return this.journal.append(e);
    return new Promise<void>((resolve, reject) => {
      this.auditQueue.push({ e, resolve, reject });
      if (!this.auditFlushing) void this.flushAudit();
    });
  }

  private async flushAudit(): Promise<void> {
    this.auditFlushing = true;
    try {
      while (this.auditQueue.length > 0) {
        const batch = this.auditQueue.splice(0, AUDIT_BATCH);
        const params: unknown[] = [];
        const rows = batch.map(({ e }) => valuesRow(params, auditColumns(e)));
        try {
          await this.db.query(`INSERT INTO audit_events (user_id, actor, operation, memory_ids, request_id, details) VALUES ${rows.join(', ')}`, params);
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.auditFlushing = false;
    }
  }

  /**
   * Journaled rows into the table with their append time, and the watermark, in one statement
   * (atomic on its own): each PGlite statement costs ~0.5 ms of CPU however small.
   */
  private async shipJournaled(rows: readonly JournaledAudit[], upToSeq: number): Promise<void> {
    const params: unknown[] = [upToSeq];
    const values = rows.map((e) => valuesRow(params, [...auditColumns(e), new Date(e.atMs)], AUDIT_CASTS));
    await this.db.query(
      `WITH shipped AS (INSERT INTO audit_events (user_id, actor, operation, memory_ids, request_id, details, at) VALUES ${values.join(', ')})
       UPDATE audit_journal SET shipped_seq = $1 WHERE id = 1`,
      params,
    );
  }

  /** Readers of the audit table first wait for the rows acknowledged before them. */
  private auditVisible(): Promise<void> {
    return this.journal?.drain() ?? Promise.resolve();
  }

  async importAudit(userId: string, events: readonly ImportedAudit[]): Promise<number> {
    await this.auditVisible();
    let added = 0;
    for (let i = 0; i < events.length; i += AUDIT_BATCH) {
      const part = events.slice(i, i + AUDIT_BATCH);
      const params: unknown[] = [];
      const rows = part.map((e) => valuesRow(params, [...auditColumns({ ...e, userId, details: { ...e.details, origin_id: e.originId } }), new Date(e.atMs), e.originId], AUDIT_CASTS));
      const { rows: inserted } = await this.db.query<{ n: number }>(
        `WITH v (user_id, actor, operation, memory_ids, request_id, details, at, origin) AS (VALUES ${rows.join(', ')}),
              ins AS (INSERT INTO audit_events (user_id, actor, operation, memory_ids, request_id, details, at)
                      SELECT v.user_id, v.actor, v.operation, v.memory_ids, v.request_id, v.details, v.at FROM v
                      WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.user_id = v.user_id AND a.details->>'origin_id' = v.origin)
                      RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
        params,
      );
      added += inserted[0]?.n ?? 0;
    }
    return added;
  }

  async listAudit(userId: string, o: { limit: number; after?: AuditCursor; operation?: string }): Promise<Page<AuditEvent, AuditCursor>> {
    await this.auditVisible();
    const params: unknown[] = [userId];
    let where = 'user_id = $1';
    if (o.operation) {
      params.push(o.operation);
      where += ` AND operation = $${params.length}`;
    }
    if (o.after) {
      params.push(o.after.id);
      where += ` AND id < $${params.length}::bigint`;
    }
    params.push(o.limit + 1);
    const { rows } = await this.db.query<AuditRow>(`SELECT * FROM audit_events WHERE ${where} ORDER BY id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, o.limit).map((r) => ({
      id: String(r.id),
      atMs: ms(r.at),
      userId: r.user_id,
      actor: r.actor,
      operation: r.operation,
      memoryIds: r.memory_ids,
      requestId: r.request_id,
      details: r.details ?? {},
    }));
    return rows.length > o.limit ? { items, next: { id: items[items.length - 1]!.id } } : { items };
  }

  async createTask(t: { id: string; userId: string; agentId: string; title: string; metadata: Record<string, string> }): Promise<Task> {
    const id = t.id || randomUUID();
    const { rows } = await this.db.query<TaskRow>(
      `INSERT INTO tasks (id, user_id, agent_id, title, status, metadata) VALUES ($1, $2, $3, $4, 'PENDING', $5)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, t.userId, t.agentId, t.title, jsonbText(t.metadata)],
    );
    if (rows[0]) return toTask(rows[0]);
    throw new MemoryError('ALREADY_EXISTS', `task ${id} already exists`);
  }

  async importTask(t: Task): Promise<boolean> {
    const at = (x: number) => (x > 0 ? new Date(x) : null);
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO tasks (id, user_id, agent_id, title, status, created_at, updated_at, finished_at, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [t.id, t.userId, t.agentId, t.title, t.status, at(t.createdAtMs) ?? new Date(), at(t.updatedAtMs) ?? new Date(), at(t.finishedAtMs), jsonbText(t.metadata)],
    );
    return rows.length > 0;
  }

  async updateTaskStatus(userId: string, id: string, status: TaskStatus): Promise<Task> {
    const terminal = TERMINAL_TASK_STATUSES.includes(status);
    const { rows } = await this.db.query<TaskRow>(
      `UPDATE tasks SET status = $3, updated_at = now(), finished_at = CASE WHEN $4 THEN now() ELSE NULL END
       WHERE user_id = $1 AND id = $2 AND status IN ('PENDING','RUNNING') RETURNING *`,
      [userId, id, status, terminal],
    );
    if (rows[0]) return toTask(rows[0]);
    const existing = await this.getTask(userId, id);
    if (!existing) throw new NotFoundError(`task ${id} not found`);
    throw new MemoryError('FAILED_PRECONDITION', `task ${id} already finished with status ${existing.status}`);
  }

  async getTask(userId: string, id: string): Promise<Task | undefined> {
    const { rows } = await this.db.query<TaskRow>('SELECT * FROM tasks WHERE user_id = $1 AND id = $2', [userId, id]);
    return rows[0] ? toTask(rows[0]) : undefined;
  }

  async listTasks(userId: string, o: { limit: number; after?: TaskCursor; status?: TaskStatus }): Promise<Page<Task, TaskCursor>> {
    const params: unknown[] = [userId];
    let where = 'user_id = $1';
    if (o.status) {
      params.push(o.status);
      where += ` AND status = $${params.length}`;
    }
    if (o.after) {
      params.push(o.after.createdAt, o.after.id);
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(o.limit + 1);
    // The cursor carries created_at as Postgres prints it: microseconds, which a JS Date would lose.
    const { rows } = await this.db.query<TaskRow & { cursor_at: string }>(
      `SELECT *, created_at::text AS cursor_at FROM tasks WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, o.limit);
    const last = page[page.length - 1];
    const items = page.map(toTask);
    return rows.length > o.limit && last ? { items, next: { createdAt: last.cursor_at, id: last.id } } : { items };
  }

  async deleteUser(userId: string): Promise<{ tasks: number; archived: number; precomputed: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PRECOMPUTE_LOCK, userId]);
      const { rows } = await tx.query<{ tasks: number; archived: number; precomputed: number }>(
        `WITH t AS (DELETE FROM tasks WHERE user_id = $1 RETURNING 1), a AS (DELETE FROM archive WHERE user_id = $1 RETURNING 1),
              p AS (DELETE FROM precomputed WHERE user_id = $1 RETURNING 1), j AS (DELETE FROM job_runs WHERE user_id = $1 AND status <> 'RUNNING' RETURNING 1)
         SELECT (SELECT count(*) FROM t)::int AS tasks, (SELECT count(*) FROM a)::int AS archived, (SELECT count(*) FROM p)::int AS precomputed`,
        [userId],
      );
      return { tasks: rows[0]?.tasks ?? 0, archived: rows[0]?.archived ?? 0, precomputed: rows[0]?.precomputed ?? 0 };
    });
  }

  // ---- job runs ---------------------------------------------------------------------------

  async createJobRun(r: { id: string; userId: string; kind: string; trigger: string }): Promise<void> {
    await this.db.query(`INSERT INTO job_runs (id, user_id, kind, status, trigger) VALUES ($1, $2, $3, 'QUEUED', $4) ON CONFLICT (id) DO NOTHING`, [r.id, r.userId, r.kind, r.trigger]);
  }

  async startJobRun(r: { id: string; userId: string; kind: string; trigger: string }, leaseMs: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // One (user, kind) at a time across instances: serialize the check-and-claim.
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [JOB_LOCK, `${r.kind}|${r.userId}`]);
      await tx.query(
        `UPDATE job_runs SET status = 'FAILED', finished_at = now(), lease_until = NULL, error = 'lease expired: the instance running it stopped'
         WHERE user_id = $1 AND kind = $2 AND status = 'RUNNING' AND lease_until < now()`,
        [r.userId, r.kind],
      );
      const { rows } = await tx.query<{ id: string }>(`SELECT id FROM job_runs WHERE user_id = $1 AND kind = $2 AND status = 'RUNNING' AND id <> $3`, [r.userId, r.kind, r.id]);
      const holder = rows[0];
      const status = holder ? 'SKIPPED' : 'RUNNING';
      await tx.query(
        `INSERT INTO job_runs (id, user_id, kind, status, trigger, started_at, finished_at, lease_until, error)
         VALUES ($1, $2, $3, $4, $5, now(), CASE WHEN $4 = 'SKIPPED' THEN now() END, CASE WHEN $4 = 'RUNNING' THEN now() + $6 * interval '1 millisecond' END, $7)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at, lease_until = excluded.lease_until, error = excluded.error`,
        [r.id, r.userId, r.kind, status, r.trigger, leaseMs, holder ? `run ${holder.id} of this kind is running for this user` : ''],
      );
      return !holder;
    });
  }

  async renewJobLease(id: string, leaseMs: number): Promise<void> {
    await this.db.query(`UPDATE job_runs SET lease_until = now() + $2 * interval '1 millisecond' WHERE id = $1 AND status = 'RUNNING'`, [id, leaseMs]);
  }

  async finishJobRun(id: string, status: Exclude<JobStatus, 'QUEUED' | 'RUNNING'>, counts: Record<string, number>, error: string): Promise<void> {
    await this.db.query(
      `UPDATE job_runs SET status = $2, finished_at = now(), lease_until = NULL, counts = $3, error = $4, started_at = coalesce(started_at, now()) WHERE id = $1 AND status IN ('QUEUED','RUNNING')`,
      [id, status, jsonbText(counts), withoutNul(error.slice(0, 1000))],
    );
  }

  async lastSucceededRun(userId: string, kind: string): Promise<JobRun | undefined> {
    const { rows } = await this.db.query<JobRow>(`SELECT * FROM job_runs WHERE user_id = $1 AND kind = $2 AND status = 'SUCCEEDED' AND started_at IS NOT NULL ORDER BY started_at DESC LIMIT 1`, [
      userId,
      kind,
    ]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async getJobRun(userId: string, id: string): Promise<JobRun | undefined> {
    const { rows } = await this.db.query<JobRow>('SELECT * FROM job_runs WHERE id = $1 AND user_id = $2', [id, userId]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  // ---- precomputed artifacts ------------------------------------------------------------

  async putPrecomputed(userId: string, rows: Omit<PrecomputedRow, 'generatedAtMs'>[], o: PutPrecomputedOptions): Promise<{ written: number; pruned: number; erased: boolean }> {
    // The removals and erasures below are read from the audit table.
    await this.auditVisible();
    return this.db.transaction(async (tx) => {
      // Serialized with removals and erasure of the same user (see removeFromPrecomputed).
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PRECOMPUTE_LOCK, userId]);
      const erased = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND operation = 'ForgetUser' AND at >= $2`, [
        userId,
        new Date(o.readSinceMs - ERASURE_MARGIN_MS),
      ]);
      if ((erased.rows[0]?.n ?? 0) > 0) return { written: 0, pruned: 0, erased: true };
      const events = await tx.query<{ memory_ids: string[] }>(`SELECT memory_ids FROM audit_events WHERE user_id = $1 AND at >= $2 AND ${REMOVALS_SQL}`, [
        userId,
        new Date(o.readSinceMs - REMOVAL_MARGIN_MS),
      ]);
      const removed = new Set(events.rows.flatMap((e) => e.memory_ids));
      let pruned = 0;
      const out: Omit<PrecomputedRow, 'generatedAtMs'>[] = [];
      for (const r of rows) {
        if (removed.size > 0 && r.sources.some((id) => removed.has(id))) {
          pruned++;
          const p = o.prune({ ...r, generatedAtMs: 0 }, removed);
          if (p) out.push(p);
        } else {
          out.push(r);
        }
      }
      // Replacing a kind deletes only the keys this write does not bring again (the upsert below
      // rewrites the others): a rebuild of 20,000 neighbour lists is not 20,000 deletes at once.
      if (o.replaceKinds && o.replaceKinds.length > 0) {
        const kept = out.filter((r) => o.replaceKinds!.includes(r.kind));
        await tx.query(
          `DELETE FROM precomputed WHERE user_id = $1 AND kind = ANY($2::text[])
             AND (kind, key) NOT IN (SELECT k, v FROM unnest($3::text[], $4::text[]) AS t(k, v))`,
          [userId, o.replaceKinds, kept.map((r) => r.kind), kept.map((r) => withoutNul(r.key))],
        );
      }
      // Statements of bounded size with a turn of the event loop between them: building one
      // (its JSON bodies) is work on the service's thread, which requests must not wait through.
      for (let i = 0; i < out.length;) {
        if (i > 0) await new Promise((r) => setImmediate(r));
        const params: unknown[] = [userId];
        const values: string[] = [];
        let weight = 0;
        for (; i < out.length && values.length < PRECOMPUTED_BATCH_ROWS && weight < PRECOMPUTED_BATCH_SOURCES; i++) {
          const r = out[i]!;
          params.push(r.kind, withoutNul(r.key), jsonbText(r.body), r.sources);
          weight += r.sources.length;
          const n = params.length;
          values.push(`($1, $${n - 3}, $${n - 2}, $${n - 1}::jsonb, $${n}::text[], now())`);
        }
        await tx.query(
          `INSERT INTO precomputed (user_id, kind, key, body, sources, generated_at) VALUES ${values.join(', ')}
           ON CONFLICT (user_id, kind, key) DO UPDATE SET body = excluded.body, sources = excluded.sources, generated_at = excluded.generated_at`,
          params,
        );
      }
      return { written: out.length, pruned, erased: false };
    });
  }

  async getPrecomputed(userId: string, kind: string, key: string): Promise<PrecomputedRow | undefined> {
    const { rows } = await this.db.query<PrecomputedDbRow>('SELECT kind, key, body, sources, generated_at FROM precomputed WHERE user_id = $1 AND kind = $2 AND key = $3', [userId, kind, key]);
    return rows[0] ? toPrecomputed(rows[0]) : undefined;
  }

  async listPrecomputed(userId: string, kind: string, withSources: boolean, keys?: readonly string[]): Promise<PrecomputedRow[]> {
    if (keys && keys.length === 0) return [];
    const { rows } = await this.db.query<PrecomputedDbRow>(
      `SELECT kind, key, body, ${withSources ? 'sources' : `'{}'::text[] AS sources`}, generated_at FROM precomputed
       WHERE user_id = $1 AND kind = $2 ${keys ? 'AND key = ANY($3::text[])' : ''} ORDER BY key`,
      keys ? [userId, kind, [...keys]] : [userId, kind],
    );
    return rows.map(toPrecomputed);
  }

  async removeFromPrecomputed(userId: string, ids: readonly string[], prune: Prune): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PRECOMPUTE_LOCK, userId]);
      const { rows } = await tx.query<PrecomputedDbRow>('SELECT kind, key, body, sources, generated_at FROM precomputed WHERE user_id = $1 AND sources && $2::text[] FOR UPDATE', [userId, [...ids]]);
      const removed = new Set(ids);
      for (const row of rows) {
        const next = prune(toPrecomputed(row), removed);
        if (next) {
          await tx.query('UPDATE precomputed SET body = $4::jsonb, sources = $5::text[] WHERE user_id = $1 AND kind = $2 AND key = $3', [
            userId,
            row.kind,
            row.key,
            jsonbText(next.body),
            next.sources,
          ]);
        } else {
          await tx.query('DELETE FROM precomputed WHERE user_id = $1 AND kind = $2 AND key = $3', [userId, row.kind, row.key]);
        }
      }
      return rows.length;
    });
  }

  async createApiKey(k: { id: string; name: string; secretSha256: string; scopes: string[] }): Promise<ApiKeyInfo> {
    const { rows } = await this.db.query<KeyRow>('INSERT INTO api_keys (id, name, secret_sha256, scopes) VALUES ($1, $2, $3, $4) RETURNING *', [k.id, k.name, k.secretSha256, k.scopes]);
    return toKey(rows[0]!);
  }

  async findApiKey(id: string): Promise<(ApiKeyInfo & { secretSha256: string }) | undefined> {
    const { rows } = await this.db.query<KeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0] ? { ...toKey(rows[0]), secretSha256: rows[0].secret_sha256 } : undefined;
  }

  async listApiKeys(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.db.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows.map(toKey);
  }

  async revokeApiKey(id: string): Promise<boolean> {
    const { rows } = await this.db.query<{ id: string }>('UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}
