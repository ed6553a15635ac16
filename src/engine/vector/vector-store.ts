import type { SparseVector } from '../sparse-vector.js';
import type { AccessStats, KeywordHit, MemoryFilter, MemoryMeta, MemoryRecord, VectorHit } from '../types.js';

/**
 * VectorStore: the system of record for memories and their vectors, partitioned by user.
 *
 * Covers: per-tenant upsert, get, delete (by ids, by filter), similarity search (single and
 * batch), scroll in creation order, count, dropping a tenant. Every call names the tenant and
 * the store applies it itself: no call can read or touch another user's memories.
 *
 * Guarantees: when `upsert`/`delete*`/`dropTenant` resolve, the change is durable (survives a
 * crash of the process) and visible to every later read and search of this store. A backend
 * that cannot be reached rejects with UnavailableError; callers may retry.
 *
 * Leaves out: validation (the engine validates before calling), ranking beyond similarity,
 * caching, embedding, and audit. Access statistics (`touch`) are best-effort: they are kept
 * with the record but a crash may lose the most recent ones.
 */
/**
 * A store's own figures. One it cannot know cheaply is absent, never a false 0 (Qdrant does not
 * count memories across its collections on every scrape).
 */
export interface StoreStats {
  memories?: number;
  /** Memories not yet in a graph (searched exactly until they are). */
  unindexed?: number;
  partitions?: number;
  [figure: string]: number | undefined;
}

export interface VectorStore {
  readonly kind: string;
  readonly dimensions: number;

  /** Opens or recovers the store; checks stored data against `dimensions`. */
  open(): Promise<void>;
  /** Flushes and closes. Idempotent. */
  close(): Promise<void>;
  /** Readiness: resolves when the store can serve; throws UnavailableError otherwise. */
  ready(): Promise<void>;

  /** Inserts or replaces records of one user, atomically as a group. */
  upsert(userId: string, records: MemoryRecord[], opts?: StoreCallOptions): Promise<void>;
  /**
   * Records by id, in the order asked; missing ids are left out. A returned record's
   * `embedding` may be a view into the store's memory: read it, never write to it.
   */
  get(userId: string, ids: readonly string[], opts?: StoreCallOptions): Promise<MemoryRecord[]>;
  /** Deletes by id; resolves with the ids that existed. */
  delete(userId: string, ids: readonly string[], opts?: StoreCallOptions): Promise<string[]>;
  /** Deletes every memory matching the filter; resolves with the deleted ids. */
  deleteByFilter(userId: string, filter: MemoryFilter, opts?: StoreCallOptions): Promise<string[]>;
  /** Nearest memories by cosine similarity, best first, only those matching the filter. */
  search(userId: string, query: VectorQuery, opts?: StoreCallOptions): Promise<VectorHit[]>;
  /**
   * A dense and a keyword search of one user in one call (one round trip to a remote store);
   * either may be left out. Keyword scores are BM25 over the user's own memories.
   */
  searchHybrid(userId: string, query: HybridQuery, opts?: StoreCallOptions): Promise<HybridHits>;
  /**
   * Up to `limit` memories that have no keyword vector yet (written before the keyword index
   * existed), grouped by user, without their vectors. Setting their keywords takes them out.
   */
  withoutKeywords(limit: number, opts?: StoreCallOptions): Promise<{ userId: string; memories: MemoryMeta[] }[]>;
  /**
   * Sets fields of memories without a new version (keyword backfill, importance decay,
   * compression), each only while the memory is still at `version`: a memory changed meanwhile
   * keeps what that write gave it, and a deleted one stays deleted. Durable like a write;
   * resolves with how many were set.
   */
  setFields(userId: string, items: readonly FieldUpdate[], opts?: StoreCallOptions): Promise<number>;
  /** Several searches of one user in one call; results in query order. */
  searchBatch(userId: string, queries: VectorQuery[], opts?: StoreCallOptions): Promise<VectorHit[][]>;
  /** A page of memories in creation order (then id), after `cursor`. */
  scroll(userId: string, options: ScrollOptions & StoreCallOptions): Promise<ScrollPage>;
  /** How many live (unexpired) memories match. */
  count(userId: string, filter?: MemoryFilter, opts?: StoreCallOptions): Promise<number>;
  /** Users with memories here (maintenance sweeps), in no particular order. */
  users(opts?: StoreCallOptions): Promise<string[]>;
  /** Removes the user's partition; resolves with the number of memories removed. */
  dropTenant(userId: string, opts?: StoreCallOptions): Promise<number>;
  /**
   * The k nearest neighbours of each of `ids` among `ids` (normally all of the user's live
   * memories), by the index: the kNN graph clustering runs on. `vectors` are the memories'
   * vectors (n×dimensions, in `ids` order). Rows are best first; -1 pads a short row.
   * Approximate like any index search; long-running, so it honours the signal between chunks.
   */
  neighborGraph(userId: string, ids: readonly string[], vectors: Float32Array, k: number, opts?: NeighborGraphOptions): Promise<NeighborGraph>;
  /** Records that these memories were read (best effort, not durable on its own). */
  touch(userId: string, ids: readonly string[], stats: AccessStats): void;
  /** What the store knows about itself, for logs and gauges. */
  stats(): StoreStats;
  /** Bytes on local disk by part (vectors, graphs, wal); absent for a remote store. */
  diskUsage?(): Promise<Record<string, number>>;
}

export interface VectorQuery {
  vector: Float32Array;
  k: number;
  filter?: MemoryFilter;
  /** Search breadth of the graph (HNSW ef); ignored when exact. */
  ef: number;
  /** Exhaustive search instead of the index. */
  exact: boolean;
  /** Hits below this cosine similarity are dropped. */
  minSimilarity?: number;
  /**
   * Whether hits must carry their embedding (default true). A remote store can skip sending
   * vectors when the caller will not return them; a hit without one has an empty embedding.
   */
  withVectors?: boolean;
}

export interface KeywordQuery {
  /** Query terms (KeywordEncoder.query): weights the store multiplies by each term's IDF. */
  vector: SparseVector;
  k: number;
  filter?: MemoryFilter;
  /** As VectorQuery.withVectors. */
  withVectors?: boolean;
}

export interface HybridQuery {
  dense?: VectorQuery;
  keyword?: KeywordQuery;
}

export interface HybridHits {
  dense: VectorHit[];
  keyword: KeywordHit[];
}

export interface FieldUpdate {
  id: string;
  version: number;
  /** A new keyword vector. */
  keywords?: SparseVector;
  /** A new importance (decay). */
  importance?: number;
  /** The content in a new stored form (packed-text.ts): reads still see the same text. */
  storedContent?: string;
}

/**
 * Per-call options. `signal` fires at the caller's deadline or cancellation: a remote store stops
 * waiting and rejects with the signal's reason. A write stopped this way may still have been
 * applied (retrying it is safe: writes are idempotent by id).
 */
export interface StoreCallOptions {
  signal?: AbortSignal;
}

export interface NeighborGraphOptions extends StoreCallOptions {
  /** Awaited between chunks: the caller's pacing (background work yields to requests). */
  pace?: () => Promise<void>;
}

export interface ScrollCursor {
  createdAtMs: number;
  id: string;
}

export interface ScrollOptions {
  filter?: MemoryFilter;
  limit: number;
  after?: ScrollCursor;
  newestFirst: boolean;
  /** Expired memories too (maintenance: the TTL sweep finds them this way). */
  includeExpired?: boolean;
  /**
   * Whether records must carry their embedding (default true). A remote store can skip sending
   * vectors; a record without one has an empty embedding.
   */
  withVectors?: boolean;
}

export interface ScrollPage {
  records: MemoryRecord[];
  /** Present when more records may follow. */
  next?: ScrollCursor;
}

/** A kNN graph of unit vectors as a store returns it: cosine similarities, best first. */
export interface NeighborGraph {
  k: number;
  /** n×k indices into the input list; -1 where fewer than k neighbours were found. */
  neighbors: Int32Array;
  /** n×k cosine similarities, descending within a row. */
  similarities: Float32Array;
}
