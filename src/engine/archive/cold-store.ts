/**
 * ColdStore: where archived memories live once they leave the vector store (the metadata
 * database's archive table, or an S3-compatible object store). Records keep every field and
 * their vectors, so a restore puts back exactly what was archived. Writes are durable when
 * they resolve; every call names the user and touches only that user's memories.
 */
import type { MemoryRecord } from '../types.js';

export interface ColdPage {
  records: MemoryRecord[];
  /** Present when more may follow: pass it as `after`. */
  next?: string;
}

export interface ColdStore {
  /** "table" or "s3": where ForgetUser's receipt says the archive was. */
  readonly kind: string;
  /** Checks the backend (and creates what it needs, like a bucket). */
  open(): Promise<void>;
  close(): void;
  /** Inserts or replaces (a memory archived again replaces its copy). */
  put(userId: string, records: readonly MemoryRecord[]): Promise<void>;
  get(userId: string, ids: readonly string[]): Promise<MemoryRecord[]>;
  /** A page in memory-id order. */
  list(userId: string, o: { after?: string; limit: number }): Promise<ColdPage>;
  /** Resolves with the ids that were there. */
  delete(userId: string, ids: readonly string[]): Promise<string[]>;
  /** Removes every archived memory of the user; resolves with how many there were. */
  deleteUser(userId: string): Promise<number>;
  count(userId: string): Promise<number>;
}
