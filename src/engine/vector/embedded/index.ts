/**
 * EmbeddedVectorStore: the default VectorStore, a durable vector database on local disk.
 *
 * Layout under `dir`:
 *   LOCK                   flock(2)-held while a store has it open: one writer per directory
 *   MANIFEST.json          format, dimension, embedding model, first live WAL segment, partitions
 *   wal/wal-N.log          write-ahead log (all users), group-committed with fdatasync
 *   p/<sha256(user)>/      one folder per user: snap-G.meta (JSON lines), snap-G.vec (float32),
 *                          snap-G.hnsw (usearch graph, when the user has one)
 *
 * Write path: encode → WAL append (durable) → apply to the in-memory partition → acknowledge.
 * Read path: the user's graph (in the worker) answers for slots it has confirmed; every slot
 * after that watermark is scanned exactly, so an acknowledged write is searchable at once while
 * the graph catches up in the background.
 * Checkpoints snapshot changed partitions at an exact cut of the WAL, then drop older segments;
 * they also compact partitions with many dead slots (and rebuild their graphs).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { diskUsage } from './disk-usage.js';
import type { Logger } from 'pino';
import type { Metrics } from '../../../observability/metrics.js';
import { exactSearch, MetricKind } from 'usearch';
import { DirectoryLock } from '../../../directory-lock.js';
import type { HnswParams } from '../hnsw-profiles.js';
import { ConfigError, throwIfAborted, UnavailableError } from '../../../errors.js';
import { compileFilter, unexpired, type MetaPredicate } from '../../filter.js';
import { unpacked } from '../../packed-text.js';
import type { AccessStats, KeywordHit, MemoryFilter, MemoryMeta, MemoryRecord, VectorHit } from '../../types.js';
import type { HybridHits, HybridQuery, KeywordQuery, FieldUpdate, NeighborGraph, NeighborGraphOptions, ScrollOptions, ScrollPage, StoreStats, VectorQuery, VectorStore } from '../vector-store.js';
import { compactMeta } from './compact-meta.js';
import { decodeEntry, encodeEntry, Op, splitStats, storedMeta, type StoredMeta, type WalEntry } from './codec.js';
import type { KeywordVectors } from './keyword-column.js';
import { sparseFromJson, sparseToJson, type SparseVector } from '../../sparse-vector.js';
import { syncDir, writeFileDurable } from '../../../durable/fs-durable.js';
import { HnswClient } from './hnsw-client.js';
import { Partition, type Candidate } from './partition.js';
import { VectorMatrix } from './vector-matrix.js';
import { WriteAheadLog } from '../../../durable/write-ahead-log.js';

export interface EmbeddedStoreOptions {
  dir: string;
  /** Index build times (memory_index_build_duration_seconds). */
  metrics?: Metrics;
  dimensions: number;
  /** Identifies the embedding model; stored data of another model is refused at open. */
  modelId: string;
  walSync: boolean;
  hnsw: HnswParams;
  indexMinMemories: number;
  checkpointWalBytes: number;
  checkpointIntervalMs: number;
  compactDeadRatio: number;
  /** How long close() may spend on its final checkpoint; the WAL covers whatever it leaves out. */
  closeCheckpointMs?: number;
  log: Logger;
  /** Rows per vector block (tests make it small to cross block edges). */
  blockRows?: number;
}

interface Manifest {
  format: 1;
  dims: number;
  modelId: string;
  walStart: number;
  partitions: Record<string, { userId: string; gen: number; indexUpTo: number }>;
}

interface Capture {
  p: Partition;
  gen: number;
  size: number;
  vectorChunks: Uint8Array[];
  /** By slot (undefined: a deleted slot); copies of the arrays, sharing the immutable entries. */
  metas: (MemoryMeta | undefined)[];
  keywords: KeywordVectors;
  accessedAt: Float64Array;
  accessCount: Float64Array;
  epoch: number;
  save?: Promise<{ saved?: boolean; upTo?: number; epoch?: number }>;
  /** Set once the graph snapshot is written: slots below it are in snap-G.hnsw. */
  indexUpTo?: number;
}

/** Default bound of close()'s final checkpoint. */
const DEFAULT_CLOSE_CHECKPOINT_MS = 10_000;

/** Graph searches wider than this fall back to an exact scan of the indexed range. */
const MAX_ANN_COUNT = 4096;

export class EmbeddedVectorStore implements VectorStore {
  readonly kind = 'embedded';
  readonly dimensions: number;
  private readonly partitions = new Map<string, Partition>();
  private readonly byKey = new Map<string, Partition>();
  private readonly epochs = new Map<string, number>();
  private readonly droppedSinceCheckpoint = new Set<string>();
  private readonly wal: WriteAheadLog;
  private readonly hnsw: HnswClient;
  private manifest: Manifest;
  private replaying = false;
  private opened = false;
  private closing: Promise<void> | undefined;
  private checkpointing: Promise<void> | undefined;
  private lastCheckpointAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private lock: DirectoryLock | undefined;

  constructor(private readonly o: EmbeddedStoreOptions) {
    this.dimensions = o.dimensions;
    this.wal = new WriteAheadLog(join(o.dir, 'wal'), o.walSync);
    this.hnsw = new HnswClient(
      {
        onAdded: (key, upTo, epoch) => {
          const p = this.byKey.get(key);
          if (p && this.epochOf(p) === epoch) {
            p.indexedUpTo = Math.max(p.indexedUpTo, upTo);
            if (p.behindSince && p.indexedUpTo >= p.sentToIndex) {
              o.metrics?.indexBuildDuration.observe((Date.now() - p.behindSince) / 1000);
              p.behindSince = 0;
            }
          }
        },
        onRestart: () => {
          for (const p of this.partitions.values()) {
            this.bumpEpoch(p);
            p.indexed = false;
            p.sentToIndex = 0;
            p.indexedUpTo = 0;
            p.behindSince = 0;
            this.scheduleIndex(p);
          }
        },
      },
      o.log,
    );
    this.manifest = { format: 1, dims: o.dimensions, modelId: o.modelId, walStart: 1, partitions: {} };
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Takes the directory's lock first: nothing is read or written by a second writer. */
  async open(): Promise<void> {
    await mkdir(this.o.dir, { recursive: true });
    this.lock = DirectoryLock.acquire(join(this.o.dir, 'LOCK'), 'memory-engine embedded vector store');
    try {
      await this.load();
    } catch (err) {
      await this.wal.close();
      await this.hnsw.close();
      this.lock.release();
      throw err;
    }
  }

  private async load(): Promise<void> {
    const { dir } = this.o;
    await mkdir(join(dir, 'wal'), { recursive: true });
    await mkdir(join(dir, 'p'), { recursive: true });
    const manifestPath = join(dir, 'MANIFEST.json');
    let existing: Manifest | undefined;
    try {
      existing = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (existing) {
      if (existing.format !== 1) throw new ConfigError('DATA_DIR', `${dir} holds store format ${String(existing.format)}, this build reads format 1`);
      if (existing.dims !== this.dimensions) throw new ConfigError('EMBEDDING_DIMENSIONS', `the data in ${dir} has dimension ${existing.dims}, configured ${this.dimensions}`);
      if (existing.modelId !== this.o.modelId)
        throw new ConfigError('EMBEDDER', `the data in ${dir} was embedded with "${existing.modelId}", configured "${this.o.modelId}"; use another DATA_DIR or re-ingest`);
      this.manifest = existing;
    } else {
      await writeFileDurable(manifestPath, [JSON.stringify(this.manifest)]);
    }

    for (const [key, entry] of Object.entries(this.manifest.partitions)) await this.loadSnapshot(key, entry.userId, entry.gen);

    this.replaying = true;
    try {
      await this.wal.open(this.manifest.walStart, (payload) => this.apply(decodeEntry(payload)));
    } finally {
      this.replaying = false;
    }

    this.hnsw.start();
    const loads: Promise<unknown>[] = [];
    for (const [key, entry] of Object.entries(this.manifest.partitions)) {
      const p = this.byKey.get(key);
      if (!p || entry.indexUpTo <= 0) continue;
      loads.push(this.loadGraph(p, entry.gen, Math.min(entry.indexUpTo, p.size)));
    }
    await Promise.all(loads);
    for (const p of this.partitions.values()) this.scheduleIndex(p);
    this.opened = true;
    this.timer = setInterval(() => this.maybeCheckpoint(), 1000);
    this.timer.unref();
  }

  async ready(): Promise<void> {
    if (!this.opened || this.closing) throw new UnavailableError('the embedded vector store is not open');
  }

  /**
   * Bounded: the graphs stop catching up (a bulk load can leave minutes of inserts queued), the
   * final checkpoint saves what they hold without compacting, and it stops at closeCheckpointMs.
   * Whatever it leaves out is in the WAL, replayed at the next start.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      if (this.opened) {
        this.hnsw.post({ t: 'settle' });
        const bound = AbortSignal.timeout(this.o.closeCheckpointMs ?? DEFAULT_CLOSE_CHECKPOINT_MS);
        try {
          await this.checkpointing?.catch(() => undefined);
          await this.checkpoint({ final: true, signal: bound });
        } catch (err) {
          if (bound.aborted) this.o.log.warn({ boundMs: this.o.closeCheckpointMs ?? DEFAULT_CLOSE_CHECKPOINT_MS }, 'final checkpoint stopped at its time bound; the WAL holds every write');
          else this.o.log.error({ err }, 'final checkpoint failed; the WAL still holds every write');
        }
      }
      await this.wal.close();
      await this.hnsw.close();
      this.lock?.release();
    })();
    return this.closing;
  }

  // ---- writes ----------------------------------------------------------------------------

  async upsert(userId: string, records: MemoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const d = this.dimensions;
    const vectors = new Float32Array(records.length * d);
    const metas: StoredMeta[] = records.map((r, i) => {
      if (r.embedding.length !== d) throw new UnavailableError(`vector of ${r.id} has ${r.embedding.length} dimensions, store has ${d}`);
      vectors.set(r.embedding, i * d);
      const { embedding: _e, keywords, accessedAtMs, accessCount, ...meta } = r;
      return storedMeta(meta, { accessedAtMs, accessCount }, keywords);
    });
    const entry: WalEntry = { op: Op.Upsert, userId, records: metas, vectors };
    await this.write(entry);
  }

  async delete(userId: string, ids: readonly string[]): Promise<string[]> {
    const p = this.partitions.get(userId);
    if (!p || !ids.some((id) => p.byId.has(id))) return [];
    return (await this.write({ op: Op.Delete, userId, ids: [...ids] })) as string[];
  }

  async deleteByFilter(userId: string, filter: MemoryFilter): Promise<string[]> {
    const p = this.partitions.get(userId);
    if (!p) return [];
    const pred = compileFilter(filter, Date.now());
    const ids: string[] = [];
    for (const slot of p.byId.values()) if (pred(p.metaBySlot[slot]!)) ids.push(p.metaBySlot[slot]!.id);
    return ids.length === 0 ? [] : this.delete(userId, ids);
  }

  async setFields(userId: string, items: readonly FieldUpdate[]): Promise<number> {
    const p = this.partitions.get(userId);
    if (!p || items.length === 0) return 0;
    const stored = items.map((x) => ({
      id: x.id,
      ver: x.version,
      ...(x.keywords ? { kw: sparseToJson(x.keywords) } : {}),
      ...(x.importance !== undefined ? { imp: x.importance } : {}),
      ...(x.storedContent !== undefined ? { c: x.storedContent } : {}),
    }));
    return (await this.write({ op: Op.SetFields, userId, items: stored })) as number;
  }

  async users(): Promise<string[]> {
    return [...this.partitions.values()].filter((p) => p.live > 0).map((p) => p.userId);
  }

  async dropTenant(userId: string): Promise<number> {
    if (!this.partitions.has(userId)) return 0;
    return (await this.write({ op: Op.DropTenant, userId })) as number;
  }

  touch(userId: string, ids: readonly string[], stats: AccessStats): void {
    const p = this.partitions.get(userId);
    if (!p) return;
    for (const id of ids) {
      const slot = p.byId.get(id);
      if (slot !== undefined) p.touch(slot, stats);
    }
  }

  private async write(entry: WalEntry): Promise<unknown> {
    if (!this.opened || this.closing) throw new UnavailableError('the embedded vector store is not open');
    let result: unknown;
    await this.wal.append(encodeEntry(entry), () => {
      result = this.apply(entry);
    });
    return result;
  }

  /** Applies one durable entry to memory (live path and WAL replay alike). */
  private apply(e: WalEntry): unknown {
    switch (e.op) {
      case Op.Upsert: {
        if (e.vectors.length !== e.records.length * this.dimensions) throw new Error(`WAL entry for ${e.userId} has vectors of the wrong dimension`);
        const p = this.partitionFor(e.userId);
        const metas: MemoryMeta[] = [];
        const stats: AccessStats[] = [];
        const keywords: (SparseVector | undefined)[] = [];
        for (const r of e.records) {
          const [m, s, kw] = splitStats(r);
          metas.push(m);
          stats.push(s);
          keywords.push(kw);
        }
        this.afterMutation(p, p.upsert(metas, e.vectors, stats, keywords));
        return undefined;
      }
      case Op.Delete: {
        const p = this.partitions.get(e.userId);
        if (!p) return [];
        const [ids, slots] = p.delete(e.ids);
        this.afterMutation(p, slots);
        return ids;
      }
      case Op.SetFields: {
        const p = this.partitions.get(e.userId);
        if (!p) return 0;
        let set = 0;
        for (const it of e.items) {
          const fields = { ...(it.kw ? { keywords: sparseFromJson(it.kw) } : {}), ...(it.imp !== undefined ? { importance: it.imp } : {}), ...(it.c !== undefined ? { content: it.c } : {}) };
          if (p.setFields(it.id, it.ver, fields)) set++;
        }
        return set;
      }
      case Op.DropTenant: {
        const p = this.partitions.get(e.userId);
        if (!p) return 0;
        this.partitions.delete(e.userId);
        this.byKey.delete(p.key);
        if (p.indexed && !this.replaying) this.hnsw.post({ t: 'drop', key: p.key });
        this.bumpEpoch(p);
        this.droppedSinceCheckpoint.add(p.key);
        return p.live;
      }
    }
  }

  private partitionFor(userId: string): Partition {
    let p = this.partitions.get(userId);
    if (!p) {
      const key = partitionKey(userId);
      p = new Partition(userId, key, this.dimensions, 64, this.o.blockRows);
      this.partitions.set(userId, p);
      this.byKey.set(key, p);
      this.droppedSinceCheckpoint.delete(key);
    }
    return p;
  }

  private afterMutation(p: Partition, deadSlots: number[]): void {
    if (this.replaying) return;
    if (p.indexed) {
      const inGraph = deadSlots.filter((s) => s < p.sentToIndex);
      if (inGraph.length > 0) this.hnsw.post({ t: 'remove', key: p.key, keys: Float64Array.from(inGraph) });
    }
    this.scheduleIndex(p);
  }

  private epochOf(p: Partition): number {
    return this.epochs.get(p.key) ?? 0;
  }

  private bumpEpoch(p: Partition): number {
    const e = this.epochOf(p) + 1;
    this.epochs.set(p.key, e);
    return e;
  }

  /** Creates the user's graph once it is large enough and hands new slots to the worker. */
  private scheduleIndex(p: Partition): void {
    if (!p.indexed) {
      if (p.live < this.o.indexMinMemories || p.live === 0) return;
      const epoch = this.bumpEpoch(p);
      this.hnsw.post({ t: 'create', key: p.key, dims: p.dims, m: this.o.hnsw.m, efc: this.o.hnsw.efConstruction, epoch });
      p.indexed = true;
      p.sentToIndex = 0;
      p.indexedUpTo = 0;
    }
    if (p.sentToIndex >= p.size) return;
    const d = p.dims;
    const slots: number[] = [];
    for (let s = p.sentToIndex; s < p.size; s++) if (p.metaBySlot[s]) slots.push(s);
    const keys = Float64Array.from(slots);
    const vectors = new Float32Array(slots.length * d);
    slots.forEach((s, i) => vectors.set(p.matrix.row(s), i * d));
    this.hnsw.post({ t: 'add', key: p.key, keys, vectors, upTo: p.size, epoch: this.epochOf(p) }, [keys.buffer, vectors.buffer]);
    p.sentToIndex = p.size;
    p.behindSince ||= Date.now();
  }

  // ---- reads -----------------------------------------------------------------------------

  async get(userId: string, ids: readonly string[]): Promise<MemoryRecord[]> {
    const p = this.partitions.get(userId);
    if (!p) return [];
    const now = Date.now();
    const out: MemoryRecord[] = [];
    for (const id of ids) {
      const slot = p.byId.get(id);
      if (slot === undefined) continue;
      const r = p.record(slot);
      if (r && unexpired(r, now)) out.push(r);
    }
    return out;
  }

  async count(userId: string, filter?: MemoryFilter): Promise<number> {
    const p = this.partitions.get(userId);
    if (!p) return 0;
    const pred = compileFilter(filter, Date.now());
    let n = 0;
    for (const slot of p.byId.values()) if (pred(p.metaBySlot[slot]!)) n++;
    return n;
  }

  async scroll(userId: string, o: ScrollOptions): Promise<ScrollPage> {
    const p = this.partitions.get(userId);
    if (!p) return { records: [] };
    const pred = compileFilter(o.filter, o.includeExpired ? 0 : Date.now());
    // A session's memories come from the session index: a conversation's scroll never reads the whole partition.
    const order = o.filter?.sessionId ? p.sessionSlots(o.filter.sessionId) : p.sortedSlots();
    const m = p.metaBySlot;
    const records: MemoryRecord[] = [];
    // Oldest first: start just after the cursor; newest first: just before it.
    let i = o.newestFirst ? (o.after ? boundary(order, m, o.after, false) - 1 : order.length - 1) : o.after ? boundary(order, m, o.after, true) : 0;
    const step = o.newestFirst ? -1 : 1;
    for (; i >= 0 && i < order.length; i += step) {
      const slot = order[i]!;
      if (!pred(m[slot]!)) continue;
      if (records.length === o.limit) {
        const last = records[records.length - 1]!;
        return { records, next: { createdAtMs: last.createdAtMs, id: last.id } };
      }
      records.push(p.record(slot, o.withVectors)!);
    }
    return { records };
  }

  async search(userId: string, q: VectorQuery): Promise<VectorHit[]> {
    const p = this.partitions.get(userId);
    if (!p || p.live === 0 || q.k <= 0) return [];
    const pred = compileFilter(q.filter, Date.now());
    let cands: Candidate[];
    if (q.filter?.ids && q.filter.ids.length > 0) {
      cands = this.scoreIds(p, q.vector, q.filter.ids, pred, q.k);
    } else if (q.exact || !p.indexed || p.indexedUpTo === 0) {
      cands = p.exactRange(q.vector, 0, p.size, q.k, pred);
    } else {
      cands = await this.graphSearch(p, q, pred);
    }
    if (!this.partitions.has(userId)) return []; // dropped while searching
    const hits: VectorHit[] = [];
    const min = q.minSimilarity;
    cands.sort((a, b) => b.similarity - a.similarity);
    for (const c of cands) {
      if (hits.length === q.k) break;
      if (min !== undefined && c.similarity < min) break;
      const record = p.record(c.slot);
      if (record) hits.push({ record, similarity: c.similarity });
    }
    return hits;
  }

  async searchHybrid(userId: string, q: HybridQuery): Promise<HybridHits> {
    const [dense, keyword] = await Promise.all([q.dense ? this.search(userId, q.dense) : [], q.keyword ? this.keywordSearch(userId, q.keyword) : []]);
    return { dense, keyword };
  }

  private keywordSearch(userId: string, q: KeywordQuery): KeywordHit[] {
    const p = this.partitions.get(userId);
    if (!p || p.live === 0 || q.k <= 0 || q.vector.indices.length === 0) return [];
    const pred = compileFilter(q.filter, Date.now());
    const hits: KeywordHit[] = [];
    for (const c of p.keywordSearch(q.vector, q.k, pred)) {
      const record = p.record(c.slot);
      if (record) hits.push({ record, score: c.score });
    }
    return hits;
  }

  async withoutKeywords(limit: number): Promise<{ userId: string; memories: MemoryMeta[] }[]> {
    const out: { userId: string; memories: MemoryMeta[] }[] = [];
    let left = limit;
    for (const p of this.partitions.values()) {
      if (left <= 0) break;
      if (p.keywordDocs === p.live) continue;
      const memories: MemoryMeta[] = [];
      for (const slot of p.byId.values()) {
        if (p.keywords.has(slot)) continue;
        memories.push(unpacked(p.metaBySlot[slot]!));
        if (--left === 0) break;
      }
      if (memories.length > 0) out.push({ userId: p.userId, memories });
    }
    return out;
  }

  searchBatch(userId: string, queries: VectorQuery[]): Promise<VectorHit[][]> {
    return Promise.all(queries.map((q) => this.search(userId, q)));
  }

  /** Graph over the confirmed range + exact scan of the rest, deduplicated by slot. */
  private async graphSearch(p: Partition, q: VectorQuery, pred: MetaPredicate): Promise<Candidate[]> {
    const epoch = this.epochOf(p);
    const upTo = p.indexedUpTo;
    let ann: Candidate[] | undefined;
    let count = Math.max(q.k, q.ef);
    while (count <= MAX_ANN_COUNT) {
      let reply;
      try {
        reply = await this.hnsw.request({ t: 'search', key: p.key, vector: ownBuffer(q.vector), count });
      } catch (err) {
        this.o.log.warn({ err, user: p.key }, 'graph search failed; scanning exactly');
        break;
      }
      if (this.epochOf(p) !== epoch || reply.epoch !== epoch) break; // rebuilt meanwhile: numbering changed
      const keys = reply.keys!;
      const found: Candidate[] = [];
      for (let i = 0; i < keys.length; i++) {
        const slot = keys[i]!;
        const meta = p.metaBySlot[slot];
        if (meta && pred(meta)) found.push({ slot, similarity: p.similarity(slot, q.vector) });
      }
      if (found.length >= q.k || keys.length < count) {
        ann = found;
        break;
      }
      count *= 4;
    }
    if (!ann || this.epochOf(p) !== epoch) return p.exactRange(q.vector, 0, p.size, q.k, pred);
    const tail = p.exactRange(q.vector, upTo, p.size, q.k, pred);
    if (tail.length === 0) return ann;
    const seen = new Set(ann.map((c) => c.slot));
    for (const c of tail) if (!seen.has(c.slot)) ann.push(c);
    return ann;
  }

  /**
   * Exact similarities of the given memories (an ids filter, e.g. a topic's members). Many ids
   * are gathered into one matrix for usearch's native exact search (a few µs per hundred rows);
   * a handful are scored in JS. Vectors are unit length: inner product = cosine.
   */
  private scoreIds(p: Partition, v: Float32Array, ids: readonly string[], pred: MetaPredicate, k: number): Candidate[] {
    const slots: number[] = [];
    for (const id of new Set(ids)) {
      const slot = p.byId.get(id);
      if (slot !== undefined && pred(p.metaBySlot[slot]!)) slots.push(slot);
    }
    const d = p.dims;
    if (slots.length > 32 && k < slots.length) {
      const rows = new Float32Array(slots.length * d);
      slots.forEach((slot, i) => rows.set(p.matrix.row(slot), i * d));
      const r = exactSearch(rows, v.slice(), d, Math.min(k, slots.length), MetricKind.IP, 1) as { keys: BigUint64Array; distances: Float32Array };
      const out: Candidate[] = [];
      for (let i = 0; i < r.keys.length; i++) out.push({ slot: slots[Number(r.keys[i])]!, similarity: 1 - r.distances[i]! });
      return out;
    }
    return slots.map((slot) => {
      const row = p.matrix.row(slot);
      let dot = 0;
      for (let i = 0; i < d; i++) dot += row[i]! * v[i]!;
      return { slot, similarity: dot };
    });
  }

  /**
   * The kNN graph for clustering: each memory's k nearest among `ids`. Users with a graph are
   * searched in the worker in batches of 32 (a wide beam), plus an exact scan of
   * the slots the graph has not confirmed; smaller users are scanned exactly. Between batches
   * the event loop is free.
   */
  async neighborGraph(userId: string, ids: readonly string[], vectors: Float32Array, k: number, opts?: NeighborGraphOptions): Promise<NeighborGraph> {
    const n = ids.length;
    const d = this.dimensions;
    const neighbors = new Int32Array(n * k).fill(-1);
    const similarities = new Float32Array(n * k);
    const p = this.partitions.get(userId);
    if (!p || n === 0 || k <= 0) return { k, neighbors, similarities };
    const posOfSlot = new Int32Array(p.size).fill(-1);
    ids.forEach((id, i) => {
      const slot = p.byId.get(id);
      if (slot !== undefined) posOfSlot[slot] = i;
    });
    const want = k + 1;
    const wide = Math.max(2 * want, 32);
    // Small batches: a batch occupies the index worker, and every user's searches wait behind it.
    const BATCH = 32;
    for (let from = 0; from < n; from += BATCH) {
      throwIfAborted(opts?.signal);
      await (opts?.pace ? opts.pace() : new Promise<void>((r) => setImmediate(r)));
      const to = Math.min(n, from + BATCH);
      const size = p.size;
      const perQuery: Candidate[][] = [];
      const epoch = this.epochOf(p);
      const upTo = p.indexed ? p.indexedUpTo : 0;
      let graph: { keys: Float64Array; counts: Float64Array; count: number } | undefined;
      if (upTo > 0) {
        const batch = vectors.slice(from * d, to * d);
        try {
          const reply = await this.hnsw.request({ t: 'knn', key: p.key, vectors: batch, dims: d, count: wide }, [batch.buffer]);
          if (reply.epoch === epoch && this.epochOf(p) === epoch) graph = reply as typeof graph;
        } catch (err) {
          this.o.log.warn({ err, user: p.key }, 'graph batch search failed; scanning exactly');
        }
      }
      for (let i = from; i < to; i++) {
        const query = vectors.slice(i * d, (i + 1) * d);
        const cands: Candidate[] = [];
        if (graph) {
          const q = i - from;
          const c = graph.counts[q]!;
          for (let j = 0; j < c; j++) {
            const slot = graph.keys[q * graph.count + j]!;
            if (slot >= 0 && p.metaBySlot[slot]) cands.push({ slot, similarity: p.similarity(slot, query) });
          }
          cands.push(...p.exactRange(query, upTo, size, want, undefined));
        } else {
          cands.push(...p.exactRange(query, 0, size, want, undefined));
        }
        perQuery.push(cands);
      }
      perQuery.forEach((cands, x) => {
        const i = from + x;
        cands.sort((a, b) => b.similarity - a.similarity);
        let j = 0;
        const seen = new Set<number>();
        for (const c of cands) {
          if (j === k) break;
          if (seen.has(c.slot)) continue;
          seen.add(c.slot);
          const t = c.slot < posOfSlot.length ? posOfSlot[c.slot]! : -1;
          if (t < 0 || t === i) continue;
          neighbors[i * k + j] = t;
          similarities[i * k + j] = c.similarity;
          j++;
        }
      });
    }
    return { k, neighbors, similarities };
  }

  // ---- statistics ------------------------------------------------------------------------

  stats(): { partitions: number; memories: number; unindexed: number; walBytes: number; indexBuildOldestSeconds: number } & StoreStats {
    let memories = 0;
    let unindexed = 0;
    let behindSince = Infinity;
    for (const p of this.partitions.values()) {
      memories += p.live;
      if (p.indexed) unindexed += p.size - p.indexedUpTo;
      if (p.behindSince) behindSince = Math.min(behindSince, p.behindSince);
    }
    const indexBuildOldestSeconds = behindSince === Infinity ? 0 : (Date.now() - behindSince) / 1000;
    return { partitions: this.partitions.size, memories, unindexed, walBytes: this.wal.bytesSinceRotation, indexBuildOldestSeconds };
  }

  diskUsage(): Promise<Record<string, number>> {
    return diskUsage(this.o.dir);
  }

  /** One partition's slot accounting (for tests and diagnostics). */
  partitionStats(userId: string): { size: number; live: number; indexed: boolean; indexedUpTo: number } | undefined {
    const p = this.partitions.get(userId);
    return p && { size: p.size, live: p.live, indexed: p.indexed, indexedUpTo: p.indexedUpTo };
  }

  // ---- checkpoints -----------------------------------------------------------------------

  private maybeCheckpoint(): void {
    if (this.checkpointing || this.closing) return;
    const due = this.wal.bytesSinceRotation >= this.o.checkpointWalBytes || (Date.now() - this.lastCheckpointAt >= this.o.checkpointIntervalMs && this.wal.bytesSinceRotation > 0);
    if (due) this.checkpoint().catch((err: unknown) => this.o.log.error({ err }, 'checkpoint failed; will retry'));
  }

  /**
   * Snapshots every changed partition at one cut of the WAL, then drops the older segments.
   * `final` (close): no compaction, whose graph rebuild would hold the shutdown up.
   */
  checkpoint(o: { final?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    this.checkpointing ??= this.runCheckpoint(o).finally(() => {
      this.checkpointing = undefined;
      this.lastCheckpointAt = Date.now();
    });
    return this.checkpointing;
  }

  /** `signal`: stop between snapshots (the manifest then still names the previous checkpoint). */
  private async runCheckpoint(o: { final?: boolean; signal?: AbortSignal }): Promise<void> {
    const anyDirty = [...this.partitions.values()].some((p) => p.dirty) || this.droppedSinceCheckpoint.size > 0;
    if (!anyDirty && this.wal.bytesSinceRotation === 0) return;
    // Compaction first, a partition per turn of the event loop: after a mass delete (maintenance)
    // hundreds of partitions are due, and copying them all inside the cut below (which must not
    // yield) was one long pause for every request. Slots are not in the WAL, so a partition can be
    // compacted at any time before it is captured.
    if (!o.final) {
      for (const p of [...this.partitions.values()]) {
        if (!p.dirty || p.size === 0 || p.dead / p.size < this.o.compactDeadRatio || this.partitions.get(p.userId) !== p) continue;
        this.compact(p);
        await new Promise((r) => setImmediate(r));
      }
    }
    const cut = await this.wal.rotate((segment) => {
      const captures: Capture[] = [];
      for (const p of this.partitions.values()) {
        if (!p.dirty) continue;
        captures.push(this.capture(p));
        p.dirty = false;
      }
      const dropped = [...this.droppedSinceCheckpoint];
      this.droppedSinceCheckpoint.clear();
      return { segment, captures, dropped };
    });
    try {
      for (const c of cut.captures) {
        o.signal?.throwIfAborted();
        await this.writeSnapshot(c);
      }
      o.signal?.throwIfAborted();
      const next: Manifest = { ...this.manifest, walStart: cut.segment, partitions: { ...this.manifest.partitions } };
      for (const key of cut.dropped) delete next.partitions[key];
      for (const c of cut.captures) next.partitions[c.p.key] = { userId: c.p.userId, gen: c.gen, indexUpTo: c.indexUpTo ?? 0 };
      await writeFileDurable(join(this.o.dir, 'MANIFEST.json'), [JSON.stringify(next)]);
      this.manifest = next;
    } catch (err) {
      // Nothing is lost: the manifest still points at the old snapshots and WAL segments.
      for (const c of cut.captures) if (this.partitions.get(c.p.userId) === c.p) c.p.dirty = true;
      for (const key of cut.dropped) this.droppedSinceCheckpoint.add(key);
      throw err;
    }
    for (const c of cut.captures) {
      c.p.snapshotGen = c.gen;
      await this.removeOldGenerations(c.p.key, c.gen);
    }
    for (const key of cut.dropped) if (!this.byKey.has(key)) await rm(join(this.o.dir, 'p', key), { recursive: true, force: true });
    await this.wal.removeSegmentsBefore(cut.segment);
  }

  /** Compacts a partition in place and starts rebuilding its graph. */
  private compact(p: Partition): void {
    p.compact();
    if (p.indexed) {
      this.hnsw.post({ t: 'drop', key: p.key });
      p.indexed = false;
    }
    this.bumpEpoch(p);
    p.sentToIndex = 0;
    p.indexedUpTo = 0;
    this.scheduleIndex(p);
  }

  private capture(p: Partition): Capture {
    const gen = p.snapshotGen + 1;
    // Array copies, not a line per memory: the cut captures every changed partition without a
    // turn of the event loop, so its cost per memory is a pause for every request.
    const c: Capture = {
      p,
      gen,
      size: p.size,
      vectorChunks: p.matrix.chunks(),
      metas: p.metaBySlot.slice(0, p.size),
      keywords: p.keywords.view(p.size),
      accessedAt: p.accessedAt.slice(0, p.size),
      accessCount: p.accessCount.slice(0, p.size),
      epoch: this.epochOf(p),
    };
    if (p.indexed) {
      // The worker writes the graph file itself, so its folder must exist before the request.
      mkdirSync(join(this.o.dir, 'p', p.key), { recursive: true });
      const save = this.hnsw.request({ t: 'save', key: p.key, path: this.snapPath(p.key, gen, 'hnsw') });
      save.catch(() => undefined); // observed in writeSnapshot; never an unhandled rejection
      c.save = save;
    }
    return c;
  }

  private snapPath(key: string, gen: number, ext: 'meta' | 'vec' | 'hnsw'): string {
    return join(this.o.dir, 'p', key, `snap-${gen}.${ext}`);
  }

  private async writeSnapshot(c: Capture): Promise<void> {
    const key = c.p.key;
    await mkdir(join(this.o.dir, 'p', key), { recursive: true });
    const header = JSON.stringify({ userId: c.p.userId, dims: c.p.dims, size: c.size, gen: c.gen });
    async function* metaChunks(): AsyncGenerator<string> {
      yield header + '\n';
      for (let i = 0; i < c.size; i += 2000) {
        let s = '';
        for (let slot = i; slot < Math.min(c.size, i + 2000); slot++) {
          const meta = c.metas[slot];
          if (meta) s += JSON.stringify({ ...storedMeta(meta, { accessedAtMs: c.accessedAt[slot]!, accessCount: c.accessCount[slot]! }, c.keywords.get(slot)), slot }) + '\n';
        }
        yield s;
        await new Promise((r) => setImmediate(r));
      }
    }
    await writeFileDurable(this.snapPath(key, c.gen, 'meta'), metaChunks());
    await writeFileDurable(this.snapPath(key, c.gen, 'vec'), c.vectorChunks);
    c.indexUpTo = 0;
    if (c.save) {
      try {
        const r = await c.save;
        if (r.saved && r.epoch === c.epoch) {
          const fh = await open(this.snapPath(key, c.gen, 'hnsw'), 'r');
          await fh.sync();
          await fh.close();
          c.indexUpTo = Math.min(r.upTo ?? 0, c.size);
        }
      } catch (err) {
        this.o.log.warn({ err, key }, 'graph snapshot failed; it will be rebuilt after a restart');
      }
    }
    await syncDir(join(this.o.dir, 'p', key));
  }

  private async removeOldGenerations(key: string, keep: number): Promise<void> {
    const dir = join(this.o.dir, 'p', key);
    for (const f of await readdir(dir)) {
      const m = /^snap-(\d+)\./.exec(f);
      if (m && Number(m[1]) !== keep) await rm(join(dir, f), { force: true });
    }
  }

  private async loadSnapshot(key: string, userId: string, gen: number): Promise<void> {
    const text = await readFile(this.snapPath(key, gen, 'meta'), 'utf8');
    const lines = text.split('\n');
    const header = JSON.parse(lines[0]!) as { userId: string; dims: number; size: number };
    if (header.dims !== this.dimensions || header.userId !== userId) throw new ConfigError('DATA_DIR', `snapshot ${key}/snap-${gen} does not match the manifest`);
    const vecBuf = await readFile(this.snapPath(key, gen, 'vec'));
    if (vecBuf.length !== header.size * this.dimensions * 4) throw new ConfigError('DATA_DIR', `snapshot ${key}/snap-${gen}.vec is truncated`);
    const p = new Partition(userId, key, this.dimensions, Math.max(64, Math.ceil(header.size * 1.25)), this.o.blockRows);
    p.matrix = VectorMatrix.fromBytes(vecBuf, this.dimensions, header.size, this.o.blockRows);
    p.size = header.size;
    p.metaBySlot = new Array(header.size);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      const { slot, ...stored } = JSON.parse(line) as StoredMeta & { slot: number };
      const [meta, stats, keywords] = splitStats(stored);
      p.metaBySlot[slot] = compactMeta(meta);
      p.keywords.set(slot, keywords);
      if (keywords) p.keywordDocs++;
      p.accessedAt[slot] = stats.accessedAtMs;
      p.accessCount[slot] = stats.accessCount;
      p.byId.set(meta.id, slot);
      p.live++;
    }
    p.snapshotGen = gen;
    this.partitions.set(userId, p);
    this.byKey.set(key, p);
  }

  private async loadGraph(p: Partition, gen: number, upTo: number): Promise<void> {
    const epoch = this.bumpEpoch(p);
    try {
      await this.hnsw.request({ t: 'load', key: p.key, path: this.snapPath(p.key, gen, 'hnsw'), dims: p.dims, m: this.o.hnsw.m, efc: this.o.hnsw.efConstruction, upTo, epoch });
    } catch (err) {
      this.o.log.warn({ err, key: p.key }, 'graph snapshot unreadable; rebuilding');
      return;
    }
    p.indexed = true;
    p.sentToIndex = upTo;
    p.indexedUpTo = upTo;
    const dead: number[] = [];
    for (let s = 0; s < upTo; s++) if (!p.metaBySlot[s]) dead.push(s);
    if (dead.length > 0) this.hnsw.post({ t: 'remove', key: p.key, keys: Float64Array.from(dead) });
  }
}

/**
 * Position of a cursor in (createdAt, id) order: the first index whose record comes after it
 * (`strictlyAfter`), or the first that does not come before it.
 */
function boundary(order: number[], m: (MemoryMeta | undefined)[], c: { createdAtMs: number; id: string }, strictlyAfter: boolean): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = m[order[mid]!]!;
    const cmp = x.createdAtMs - c.createdAtMs || (x.id < c.id ? -1 : x.id > c.id ? 1 : 0);
    if (cmp < 0 || (strictlyAfter && cmp === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** postMessage clones a view's whole ArrayBuffer: send a compact copy when `v` is a view. */
function ownBuffer(v: Float32Array): Float32Array {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : v.slice();
}

export function partitionKey(userId: string): string {
  return createHash('sha256').update(userId).digest('hex').slice(0, 32);
}
