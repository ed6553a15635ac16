/** The default cold store: the metadata database's `archive` table (Postgres or embedded PGlite). */
import type { ArchiveRows } from '../../metadata/metadata-store.js';
import type { MemoryRecord } from '../types.js';
import { archivedJson, fromArchived, vectorBytes } from './archive-codec.js';
import type { ColdPage, ColdStore } from './cold-store.js';

export class TableColdStore implements ColdStore {
  readonly kind = 'table';

  constructor(private readonly rows: ArchiveRows) {}

  /** The table belongs to the metadata store, which opens and closes it. */
  async open(): Promise<void> {}
  close(): void {}

  put(userId: string, records: readonly MemoryRecord[]): Promise<void> {
    return this.rows.put(
      userId,
      records.map((r) => ({ memoryId: r.id, record: archivedJson(r), embedding: vectorBytes(r.embedding) })),
    );
  }

  async get(userId: string, ids: readonly string[]): Promise<MemoryRecord[]> {
    const byId = new Map((await this.rows.get(userId, ids)).map((r) => [r.memoryId, fromArchived(r.record, r.embedding)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async list(userId: string, o: { after?: string; limit: number }): Promise<ColdPage> {
    const rows = await this.rows.list(userId, o);
    const records = rows.map((r) => fromArchived(r.record, r.embedding));
    return rows.length < o.limit ? { records } : { records, next: rows[rows.length - 1]!.memoryId };
  }

  delete(userId: string, ids: readonly string[]): Promise<string[]> {
    return this.rows.delete(userId, ids);
  }

  deleteUser(userId: string): Promise<number> {
    return this.rows.deleteUser(userId);
  }

  count(userId: string): Promise<number> {
    return this.rows.count(userId);
  }
}
