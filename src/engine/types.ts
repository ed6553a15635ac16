/** Domain types of the engine. The gRPC layer maps proto messages to and from these. */
import type { SparseVector } from './sparse-vector.js';

export type Scope = 'GLOBAL' | 'USER' | 'TASK' | 'SESSION';
export const SCOPES: readonly Scope[] = ['GLOBAL', 'USER', 'TASK', 'SESSION'];

export type QueryClass = 'SUGGESTION' | 'PREFETCH' | 'PRIMARY' | 'VERIFICATION';

/** Which retrievers answer a search: the vector index, the keyword (BM25) index, or both fused. */
export type SearchMode = 'DENSE' | 'KEYWORD' | 'HYBRID';
export const SEARCH_MODES: readonly SearchMode[] = ['DENSE', 'KEYWORD', 'HYBRID'];

/** A retriever that found a search hit. */
export type Retriever = 'dense' | 'keyword';

/** Everything about a memory except its vector. Instances are never mutated: updates replace them. */
export interface MemoryMeta {
  readonly id: string;
  readonly userId: string;
  readonly agentId: string;
  readonly sessionId: string;
  readonly taskId: string;
  readonly scope: Scope;
  readonly namespace: string;
  readonly content: string;
  readonly kind: string;
  readonly importance: number;
  readonly confidence: number;
  readonly tags: readonly string[];
  readonly entities: readonly string[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly expiresAtMs: number;
  readonly pinned: boolean;
  readonly version: number;
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * The memory that replaced this one (Remember/Update `supersedes`). A superseded memory is kept
   * for history, readable by id, and out of every default read. Absent while current.
   */
  readonly supersededBy?: string;
  /** When it was superseded (epoch ms); absent while current. */
  readonly validUntilMs?: number;
}

/** Access statistics change on reads; stores keep them apart from the immutable record. */
export interface AccessStats {
  accessedAtMs: number;
  accessCount: number;
}

export interface MemoryRecord extends MemoryMeta, AccessStats {
  /** Unit-length vector of the deployment's dimension. */
  readonly embedding: Float32Array;
  /**
   * The memory's keyword (BM25) vector, when it has one: absent for memories written before the
   * keyword index existed (until the backfill reaches them) and for hits that were not asked to carry vectors.
   */
  readonly keywords?: SparseVector;
}

/** A filter over one user's memories (the user is never part of it: stores add the tenant). */
export interface MemoryFilter {
  scopes?: Scope[];
  namespaces?: string[];
  kinds?: string[];
  tagsAny?: string[];
  tagsAll?: string[];
  entitiesAny?: string[];
  agentId?: string;
  sessionId?: string;
  taskId?: string;
  createdAfterMs?: number;
  createdBeforeMs?: number;
  minImportance?: number;
  maxImportance?: number;
  pinned?: boolean;
  ids?: string[];
  /** Also match superseded memories (history); by default only current ones match. */
  includeSuperseded?: boolean;
}

export interface VectorHit {
  record: MemoryRecord;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

export interface KeywordHit {
  record: MemoryRecord;
  /** BM25 score (≥ 0, unbounded). */
  score: number;
}
