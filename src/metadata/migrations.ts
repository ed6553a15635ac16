/**
 * Schema migrations, shared by embedded PGlite and a real Postgres. Each runs once, in order,
 * inside a transaction, under an advisory lock so concurrent starts do not race.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'tasks and audit log',
    sql: `
      CREATE TABLE tasks (
        id            uuid PRIMARY KEY,
        user_id       text NOT NULL,
        agent_id      text NOT NULL DEFAULT '',
        title         text NOT NULL DEFAULT '',
        status        text NOT NULL CHECK (status IN ('PENDING','RUNNING','SUCCEEDED','FAILED','CANCELLED')),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz,
        metadata      jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX tasks_user_created ON tasks (user_id, created_at DESC, id DESC);
      CREATE INDEX tasks_user_status ON tasks (user_id, status, created_at DESC, id DESC);
      CREATE INDEX tasks_active ON tasks (user_id) WHERE status IN ('PENDING','RUNNING');

      CREATE TABLE audit_events (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT now(),
        user_id       text NOT NULL,
        actor         text NOT NULL,
        operation     text NOT NULL,
        memory_ids    text[] NOT NULL DEFAULT '{}',
        request_id    text NOT NULL,
        details       jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX audit_user_id ON audit_events (user_id, id DESC);
      CREATE INDEX audit_user_op ON audit_events (user_id, operation, id DESC);
    `,
  },
  {
    version: 2,
    name: 'job runs, api keys, archive',
    sql: `
      CREATE TABLE job_runs (
        id            uuid PRIMARY KEY,
        user_id       text NOT NULL,
        kind          text NOT NULL,
        status        text NOT NULL CHECK (status IN ('RUNNING','SUCCEEDED','FAILED','CANCELLED')),
        started_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz,
        counts        jsonb NOT NULL DEFAULT '{}'::jsonb,
        error         text NOT NULL DEFAULT ''
      );
      CREATE INDEX job_runs_user_kind ON job_runs (user_id, kind, started_at DESC);
      CREATE INDEX job_runs_running ON job_runs (kind) WHERE status = 'RUNNING';

      -- Only a hash of each key's secret is stored; the key itself is shown once at creation.
      CREATE TABLE api_keys (
        id            text PRIMARY KEY,
        name          text NOT NULL,
        secret_sha256 text NOT NULL,
        scopes        text[] NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz
      );

      -- Cold storage for memories moved out of the vector store by lifecycle work.
      CREATE TABLE archive (
        user_id       text NOT NULL,
        memory_id     text NOT NULL,
        archived_at   timestamptz NOT NULL DEFAULT now(),
        record        jsonb NOT NULL,
        embedding     bytea,
        PRIMARY KEY (user_id, memory_id)
      );
      CREATE INDEX archive_user_time ON archive (user_id, archived_at DESC);
    `,
  },
  {
    version: 3,
    name: 'precompute: queued and skipped job runs with leases, precomputed artifacts',
    sql: `
      ALTER TABLE job_runs DROP CONSTRAINT IF EXISTS job_runs_status_check;
      ALTER TABLE job_runs ADD CONSTRAINT job_runs_status_check CHECK (status IN ('QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED','SKIPPED'));
      ALTER TABLE job_runs ALTER COLUMN started_at DROP NOT NULL;
      ALTER TABLE job_runs ALTER COLUMN started_at DROP DEFAULT;
      ALTER TABLE job_runs ADD COLUMN trigger text NOT NULL DEFAULT '';
      ALTER TABLE job_runs ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
      -- A running job holds its (user, kind) until lease_until; an instance that died leaves
      -- a lease that runs out, and the next run takes over.
      ALTER TABLE job_runs ADD COLUMN lease_until timestamptz;
      DROP INDEX IF EXISTS job_runs_running;
      CREATE UNIQUE INDEX job_runs_one_running ON job_runs (user_id, kind) WHERE status = 'RUNNING';

      -- Profiles, topics, summaries, neighbour lists. sources: the memory ids each one draws on,
      -- so a deleted memory is removed from everything built from it (GIN: array overlap).
      CREATE TABLE precomputed (
        user_id       text NOT NULL,
        kind          text NOT NULL,
        key           text NOT NULL,
        body          jsonb NOT NULL,
        sources       text[] NOT NULL DEFAULT '{}',
        generated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, kind, key)
      );
      CREATE INDEX precomputed_sources ON precomputed USING gin (sources);
    `,
  },
  {
    version: 4,
    name: 'precomputed sources index without a pending list',
    sql: `
      -- With fastupdate a GIN index queues new entries and merges 4 MB of them inside whichever
      -- INSERT passes the limit: 400+ ms in one statement while a job writes 20,000 neighbour
      -- lists, and on embedded PGlite that statement holds the event loop. Without it every
      -- insert pays its own small share (the whole write takes as long).
      ALTER INDEX precomputed_sources SET (fastupdate = off);
    `,
  },
  {
    version: 5,
    name: 'audit journal watermark',
    sql: `
      -- The last audit journal row in audit_events (embedded PGlite, see audit-journal.ts):
      -- updated in the same transaction as each shipped batch.
      CREATE TABLE audit_journal (
        id            int PRIMARY KEY CHECK (id = 1),
        shipped_seq   bigint NOT NULL
      );
      INSERT INTO audit_journal (id, shipped_seq) VALUES (1, 0);
    `,
  },
];

/** Arbitrary constant key for pg_advisory_lock: "memory-engine migrations". */
export const MIGRATION_LOCK_KEY = 727_165_001;
