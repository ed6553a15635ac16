/**
 * A real Postgres as the SQL executor (`pg` pool), used when DATABASE_URL is set.
 *
 * Pool: `max` connections; when all are busy a query waits up to `acquireTimeoutMs` and then
 * fails with RESOURCE_EXHAUSTED (overload is shed, not queued forever). Connections are recycled
 * after `maxUses` queries and `maxLifetimeSeconds`, closed after `idleTimeoutMs` idle, and every
 * statement has a server-side `statement_timeout`. A broken connection is dropped by the pool
 * and the next query opens a new one, so the pool recovers by itself when Postgres returns.
 *
 * Errors are translated in one function (`translatePgError`): connection failures → UNAVAILABLE.
 */
import pg from 'pg';
import { MemoryError, ResourceExhaustedError, UnavailableError } from '../../errors.js';
import type { SqlExecutor, SqlTx } from '../sql-metadata-store.js';

export interface PostgresOptions {
  url: string;
  max: number;
  acquireTimeoutMs: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
  maxUses: number;
  maxLifetimeSeconds: number;
}

/** SQLSTATE classes that mean "the server or the connection is not there right now". */
const UNAVAILABLE_CLASSES = ['08', '53', '57P'];

export function translatePgError(err: unknown): MemoryError {
  if (err instanceof MemoryError) return err;
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (/timeout exceeded when trying to connect/i.test(msg)) return new ResourceExhaustedError('metadata database: no free connection in time (pool exhausted)');
  if (e.code === '57014') return new UnavailableError('metadata database: statement timed out', { cause: err });
  if (typeof e.code === 'string' && UNAVAILABLE_CLASSES.some((c) => e.code!.startsWith(c))) return new UnavailableError(`metadata database unavailable (${e.code})`, { cause: err });
  if (
    /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection terminated|connection ended|not queryable|Client has encountered a connection error/i.test(msg) ||
    (e.code && /^E[A-Z]+$/.test(e.code))
  )
    return new UnavailableError('metadata database unreachable', { cause: err });
  return new MemoryError('INTERNAL', 'metadata database error', { cause: err });
}

export async function openPostgres(o: PostgresOptions): Promise<SqlExecutor> {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max,
    connectionTimeoutMillis: o.acquireTimeoutMs,
    idleTimeoutMillis: o.idleTimeoutMs,
    maxUses: o.maxUses,
    maxLifetimeSeconds: o.maxLifetimeSeconds,
    statement_timeout: o.statementTimeoutMs,
    application_name: 'memory-engine',
    allowExitOnIdle: true,
  });
  // An idle client that loses its connection emits here; the pool discards it. Never crash.
  pool.on('error', () => undefined);
  const query = async <R>(sql: string, params?: unknown[]) => {
    try {
      const r = await pool.query(sql, params as unknown[]);
      return { rows: r.rows as R[] };
    } catch (err) {
      throw translatePgError(err);
    }
  };
  return {
    query,
    transaction: async <T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translatePgError(err);
      }
      let broken = false;
      const run = async <R>(sql: string, params?: unknown[]) => {
        try {
          return { rows: (await client.query(sql, params as unknown[])).rows as R[] };
        } catch (err) {
          throw translatePgError(err);
        }
      };
      try {
        await run('BEGIN');
        const out = await fn({
          query: run,
          exec: async (sql) => {
            await run(sql);
          },
        });
        await run('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
