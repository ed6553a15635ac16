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
];

/** Arbitrary constant key for pg_advisory_lock: "memory-engine migrations". */
export const MIGRATION_LOCK_KEY = 727_165_001;
