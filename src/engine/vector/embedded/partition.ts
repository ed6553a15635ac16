/**
 * One user's partition of the embedded store, in memory.
 *
 * Vectors live in a block matrix addressed by slot. Slots are append-only: a new or
 * re-embedded memory takes the next slot, a deleted one leaves a dead slot behind until
 * compaction renumbers. Because a slot's vector is never overwritten, a checkpoint can write
 * the matrix without copying it.
 *
 * Metadata objects are immutable too (updates replace them), kept in compact form
 * (compact-meta.ts); access statistics live in typed arrays beside them.
 */
import { VectorMatrix } from './vector-matrix.js';
import type { AccessStats, MemoryMeta, MemoryRecord } from '../../types.js';
import type { MetaPredicate } from '../../filter.js';
import type { SparseVector } from '../../sparse-vector.js';
import { KeywordIndex, type KeywordCandidate } from './keyword-index.js';
import { KeywordColumn } from './keyword-column.js';
import { unpack } from '../../packed-text.js';
import { dot } from '../../embed/embedder.js';
import { compactMeta, copyOptionalMeta } from './compact-meta.js';

const NO_VECTOR = new Float32Array(0);

/** A record under construction (MemoryRecord's fields are readonly to its readers). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Candidate {
  slot: number;
  similarity: number;
}

export class Partition {
  matrix: VectorMatrix;
  size = 0;
  live = 0;
  metaBySlot: (MemoryMeta | undefined)[] = [];
  accessedAt: Float64Array;
  accessCount: Float64Array;
  readonly byId = new Map<string, number>();

  /** A graph exists (or is being built) in the worker for this partition. */
  indexed = false;
  /** Slots below this were handed to the worker. */
  sentToIndex = 0;
  /** Slots below this are confirmed in the graph (dead ones excepted). */
  indexedUpTo = 0;
  /** When the graph last fell behind the slots sent to it (ms; 0 = caught up): an index build in progress. */
  behindSince = 0;
  /** Changed since the last checkpoint. */
  dirty = false;
  /** Generation of the last snapshot on disk (0 = none). */
  snapshotGen = 0;
  private sortedCache: number[] | undefined;
  /** Live slots by session id, built on first use and kept up to date after (a session's scroll reads only its own). */
  private sessions: Map<string, Set<number>> | undefined;
  /** Keyword vectors by slot (absent for memories written before the keyword index). */
  keywords: KeywordColumn;
  /** Live slots with a keyword vector: the N of the user's IDF. */
  keywordDocs = 0;
  /** The inverted index over `keywords`, built on the first keyword search and kept up to date after. */
  private keywordIndex: KeywordIndex | undefined;

  constructor(
    readonly userId: string,
    readonly key: string,
    readonly dims: number,
    capacity = 64,
    readonly blockRows = 4096,
  ) {
    this.matrix = new VectorMatrix(dims, blockRows);
    this.accessedAt = new Float64Array(capacity);
    this.accessCount = new Float64Array(capacity);
    this.keywords = new KeywordColumn(capacity);
  }

  get dead(): number {
    return this.size - this.live;
  }

  private ensureCapacity(slots: number): void {
    const cap = this.accessedAt.length;
    if (slots <= cap) return;
    let next = cap;
    while (next < slots) next = Math.max(64, Math.ceil(next * 1.5));
    const a = new Float64Array(next);
    a.set(this.accessedAt.subarray(0, this.size));
    this.accessedAt = a;
    const c = new Float64Array(next);
    c.set(this.accessCount.subarray(0, this.size));
    this.accessCount = c;
  }

  /**
   * Applies records in order. Returns the slots that died (so the graph can drop them).
   * A record whose vector is unchanged keeps its slot.
   */
  upsert(metas: readonly MemoryMeta[], vectors: Float32Array, stats: readonly AccessStats[], keywords: readonly (SparseVector | undefined)[]): number[] {
    const died: number[] = [];
    this.ensureCapacity(this.size + metas.length);
    const d = this.dims;
    for (let i = 0; i < metas.length; i++) {
      const meta = metas[i]!;
      const vec = vectors.subarray(i * d, (i + 1) * d);
      const old = this.byId.get(meta.id);
      if (old !== undefined && sameVector(this.matrix.row(old), vec)) {
        this.unindex(old);
        this.metaBySlot[old] = compactMeta(meta);
        this.keywords.set(old, keywords[i]);
        this.index(old);
        this.accessedAt[old] = stats[i]!.accessedAtMs;
        this.accessCount[old] = stats[i]!.accessCount;
        continue;
      }
      if (old !== undefined) {
        this.unindex(old);
        this.metaBySlot[old] = undefined;
        this.keywords.set(old, undefined);
        this.live--;
        died.push(old);
      }
      const slot = this.size++;
      this.matrix.append(vec);
      this.metaBySlot[slot] = compactMeta(meta);
      this.keywords.set(slot, keywords[i]);
      this.index(slot);
      this.accessedAt[slot] = stats[i]!.accessedAtMs;
      this.accessCount[slot] = stats[i]!.accessCount;
      this.byId.set(meta.id, slot);
      this.live++;
    }
    this.dirty = true;
    this.sortedCache = undefined;
    return died;
  }

  /** Deletes ids; returns [deleted ids, dead slots]. */
  delete(ids: readonly string[]): [string[], number[]] {
    const deleted: string[] = [];
    const slots: number[] = [];
    for (const id of ids) {
      const slot = this.byId.get(id);
      if (slot === undefined) continue;
      this.byId.delete(id);
      this.unindex(slot);
      this.metaBySlot[slot] = undefined;
      this.keywords.set(slot, undefined);
      this.live--;
      deleted.push(id);
      slots.push(slot);
    }
    if (deleted.length > 0) {
      this.dirty = true;
      this.sortedCache = undefined;
    }
    return [deleted, slots];
  }

  /** Sets a live memory's fields while it is at `version` (the version stays); false otherwise. */
  setFields(id: string, version: number, f: { keywords?: SparseVector; importance?: number; content?: string }): boolean {
    const slot = this.byId.get(id);
    const meta = slot === undefined ? undefined : this.metaBySlot[slot];
    if (slot === undefined || !meta || meta.version !== version) return false;
    if (f.keywords) {
      this.unindexKeywords(slot);
      this.keywords.set(slot, f.keywords);
      this.indexKeywords(slot);
    }
    // Neither field is indexed here (sessions, keywords): the meta is simply replaced.
    if (f.importance !== undefined || f.content !== undefined)
      this.metaBySlot[slot] = compactMeta({ ...meta, ...(f.importance !== undefined ? { importance: f.importance } : {}), ...(f.content !== undefined ? { content: f.content } : {}) });
    this.dirty = true;
    return true;
  }

  /**
   * `withVector` false: an empty embedding (as Qdrant gives without vectors), for bulk reads that
   * never look at it. Built field by field rather than by spreading the meta: metas come in many
   * hidden-class shapes (optional fields, JSON from snapshots), and a spread of them took ~5 µs,
   * most of a small user's search when a query materializes 30–60 candidates.
   */
  record(slot: number, withVector = true): MemoryRecord | undefined {
    const m = this.metaBySlot[slot];
    if (!m) return undefined;
    const r: Mutable<MemoryRecord> = {
      id: m.id,
      userId: m.userId,
      agentId: m.agentId,
      sessionId: m.sessionId,
      taskId: m.taskId,
      scope: m.scope,
      namespace: m.namespace,
      // Compressed content is unpacked on every read: nothing above the store sees the packed form.
      content: unpack(m.content),
      kind: m.kind,
      importance: m.importance,
      confidence: m.confidence,
      tags: m.tags,
      entities: m.entities,
      createdAtMs: m.createdAtMs,
      updatedAtMs: m.updatedAtMs,
      expiresAtMs: m.expiresAtMs,
      pinned: m.pinned,
      version: m.version,
      metadata: m.metadata,
      accessedAtMs: this.accessedAt[slot]!,
      accessCount: this.accessCount[slot]!,
      // A view, not a copy: rows never change once written. Callers treat it as read-only.
      embedding: withVector ? this.matrix.row(slot) : NO_VECTOR,
    };
    copyOptionalMeta(m, r);
    const keywords = withVector ? this.keywords.get(slot) : undefined;
    if (keywords) r.keywords = keywords;
    return r;
  }

  touch(slot: number, stats: AccessStats): void {
    this.accessedAt[slot] = Math.max(this.accessedAt[slot]!, stats.accessedAtMs);
    this.accessCount[slot] = this.accessCount[slot]! + stats.accessCount;
  }

  /** Adds a slot's memory to the session and keyword indexes (each only once built). */
  private index(slot: number): void {
    this.indexSession(slot);
    this.indexKeywords(slot);
  }

  /** Takes a slot's memory out of them, before its meta or keywords change. */
  private unindex(slot: number): void {
    this.unindexSession(slot);
    this.unindexKeywords(slot);
  }

  private indexSession(slot: number): void {
    const sid = this.metaBySlot[slot]?.sessionId;
    if (!this.sessions || !sid) return;
    let set = this.sessions.get(sid);
    if (!set) this.sessions.set(sid, (set = new Set()));
    set.add(slot);
  }

  private unindexSession(slot: number): void {
    const sid = this.metaBySlot[slot]?.sessionId;
    if (!this.sessions || !sid) return;
    const set = this.sessions.get(sid);
    set?.delete(slot);
    if (set?.size === 0) this.sessions.delete(sid);
  }

  private indexKeywords(slot: number): void {
    const kw = this.keywords.get(slot);
    if (!kw) return;
    this.keywordDocs++;
    this.keywordIndex?.add(slot, kw);
  }

  private unindexKeywords(slot: number): void {
    const kw = this.keywords.get(slot);
    if (!kw) return;
    this.keywordDocs--;
    this.keywordIndex?.remove(slot, kw);
  }

  /** The best `k` live, matching slots by BM25 over this user's memories. */
  keywordSearch(query: SparseVector, k: number, pred: MetaPredicate | undefined): KeywordCandidate[] {
    if (k <= 0 || this.keywordDocs === 0) return [];
    if (!this.keywordIndex) {
      this.keywordIndex = new KeywordIndex();
      for (const slot of this.byId.values()) {
        const kw = this.keywords.get(slot);
        if (kw) this.keywordIndex.add(slot, kw);
      }
    }
    const m = this.metaBySlot;
    return this.keywordIndex.search(
      query,
      k,
      this.keywordDocs,
      this.size,
      (slot) => !pred || pred(m[slot]!),
      (slot, term) => this.keywords.weight(slot, term),
    );
  }

  /** Live slots of one session in (createdAt, id) order. */
  sessionSlots(sessionId: string): number[] {
    if (!this.sessions) {
      this.sessions = new Map();
      for (const slot of this.byId.values()) this.indexSession(slot);
    }
    const m = this.metaBySlot;
    return [...(this.sessions.get(sessionId) ?? [])].sort((a, b) => {
      const x = m[a]!;
      const y = m[b]!;
      return x.createdAtMs - y.createdAtMs || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
    });
  }

  /** Live slots in (createdAt, id) order; cached until the next mutation. */
  sortedSlots(): number[] {
    if (!this.sortedCache) {
      const slots: number[] = [];
      for (const slot of this.byId.values()) slots.push(slot);
      const m = this.metaBySlot;
      slots.sort((a, b) => {
        const x = m[a]!;
        const y = m[b]!;
        return x.createdAtMs - y.createdAtMs || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
      });
      this.sortedCache = slots;
    }
    return this.sortedCache;
  }

  /**
   * Exact nearest neighbours among live, matching slots in [from, to). Asks usearch's native
   * exact search for a growing number of results until `want` matches are found or the range
   * is exhausted, so dead and filtered-out slots never starve the answer.
   */
  exactRange(query: Float32Array, from: number, to: number, want: number, pred: MetaPredicate | undefined): Candidate[] {
    const n = to - from;
    if (n <= 0 || want <= 0) return [];
    const accept = (slot: number) => {
      const meta = this.metaBySlot[slot];
      return meta !== undefined && (!pred || pred(meta));
    };
    let count = Math.min(n, want + Math.min(this.dead, want * 4));
    for (;;) {
      const found = this.matrix.nearest(query, from, to, count, accept);
      // Each block gave its best `count`; fewer than `want` overall means some were filtered.
      if (found.length >= want || count >= n) return found.slice(0, want).map((m) => ({ slot: m.row, similarity: m.similarity }));
      count = Math.min(n, count * 4);
    }
  }

  /** The exact cosine of a slot's vector with a unit query (the graph's own is approximate). */
  similarity(slot: number, query: Float32Array): number {
    return dot(this.matrix.row(slot), query);
  }

  /** Drops dead slots and renumbers: returns the old slot of every new slot. */
  compact(): Int32Array {
    const order = this.sortedSlots()
      .slice()
      .sort((a, b) => a - b);
    const cap = Math.max(64, Math.ceil(order.length * 1.25));
    const matrix = new VectorMatrix(this.dims, this.blockRows);
    const accessedAt = new Float64Array(cap);
    const accessCount = new Float64Array(cap);
    const metaBySlot: (MemoryMeta | undefined)[] = new Array(order.length);
    const oldOf = new Int32Array(order.length);
    order.forEach((old, slot) => {
      matrix.append(this.matrix.row(old));
      accessedAt[slot] = this.accessedAt[old]!;
      accessCount[slot] = this.accessCount[old]!;
      metaBySlot[slot] = this.metaBySlot[old];
      this.byId.set(this.metaBySlot[old]!.id, slot);
      oldOf[slot] = old;
    });
    this.matrix = matrix;
    this.accessedAt = accessedAt;
    this.accessCount = accessCount;
    this.metaBySlot = metaBySlot;
    this.keywords = this.keywords.renumbered(oldOf, cap);
    this.size = order.length;
    this.live = order.length;
    this.sortedCache = undefined;
    this.sessions = undefined; // slots were renumbered: rebuilt on next use
    this.keywordIndex = undefined;
    this.dirty = true;
    return oldOf;
  }
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
