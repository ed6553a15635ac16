/**
 * The `archive` table: memories moved out of the vector store, one row per (user, memory),
 * as opaque JSON plus the vector's bytes. The engine's cold store gives the rows meaning.
 */
import type { ArchiveRows, ArchivedRow } from './metadata-store.js';
import { valuesRow } from './sql-values.js';

/** What the table needs of the database (SqlExecutor has it). */
interface Queries {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Rows in one INSERT (4 parameters each). */
const PUT_BATCH = 500;

interface Row {
  memory_id: string;
  archived_at: Date;
  record: Record<string, unknown>;
  embedding: Uint8Array | null;
}

const toRow = (r: Row): ArchivedRow => ({ memoryId: r.memory_id, archivedAtMs: r.archived_at.getTime(), record: r.record, embedding: r.embedding ? Buffer.from(r.embedding) : null });

export class ArchiveTable implements ArchiveRows {
  constructor(private readonly db: Queries) {}

  async put(userId: string, rows: readonly Omit<ArchivedRow, 'archivedAtMs'>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += PUT_BATCH) {
      const part = rows.slice(i, i + PUT_BATCH);
      const params: unknown[] = [];
      const values = part.map((r) => valuesRow(params, [userId, r.memoryId, JSON.stringify(r.record), r.embedding], ['', '', 'jsonb']));
      await this.db.query(
        `INSERT INTO archive (user_id, memory_id, record, embedding) VALUES ${values.join(',')}
         ON CONFLICT (user_id, memory_id) DO UPDATE SET record = EXCLUDED.record, embedding = EXCLUDED.embedding, archived_at = now()`,
        params,
      );
    }
  }

  async get(userId: string, ids: readonly string[]): Promise<ArchivedRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<Row>('SELECT memory_id, archived_at, record, embedding FROM archive WHERE user_id = $1 AND memory_id = ANY($2::text[])', [userId, [...ids]]);
    return rows.map(toRow);
  }

  async list(userId: string, o: { after?: string; limit: number }): Promise<ArchivedRow[]> {
    const { rows } = await this.db.query<Row>('SELECT memory_id, archived_at, record, embedding FROM archive WHERE user_id = $1 AND memory_id > $2 ORDER BY memory_id LIMIT $3', [
      userId,
      o.after ?? '',
      o.limit,
    ]);
    return rows.map(toRow);
  }

  async delete(userId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<{ memory_id: string }>('DELETE FROM archive WHERE user_id = $1 AND memory_id = ANY($2::text[]) RETURNING memory_id', [userId, [...ids]]);
    return rows.map((r) => r.memory_id);
  }

  async deleteUser(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('WITH d AS (DELETE FROM archive WHERE user_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM d', [userId]);
    return rows[0]?.n ?? 0;
  }

  async count(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM archive WHERE user_id = $1', [userId]);
    return rows[0]?.n ?? 0;
  }

  async users(o: { after?: string; limit: number }): Promise<string[]> {
    const { rows } = await this.db.query<{ user_id: string }>('SELECT DISTINCT user_id FROM archive WHERE user_id > $1 ORDER BY user_id LIMIT $2', [o.after ?? '', o.limit]);
    return rows.map((r) => r.user_id);
  }
}
