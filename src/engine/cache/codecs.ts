/**
 * Cached values and their codecs. Values of each kind travel with a Codec: L1 (in-process)
 * keeps the decoded object and only asks for its size, L2 (Redis) stores the compact bytes.
 *
 * There is no tier port: the two tiers differ on purpose (L1 answers synchronously, since an
 * await per L1 hit would cost more than the lookup; L2 is async and may miss when Redis is
 * down), and TieredCache is the one place that knows both.
 */
import type { MemoryRecord, Retriever } from '../types.js';

/** `profile`: user profiles; `precomputed`: topics, summaries, neighbour lists. */
/** What a cache entry holds (a label of the cache metrics). */
export const CACHE_KINDS = ['memory', 'search', 'embedding', 'profile', 'precomputed'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

export interface Codec<T> {
  readonly kind: CacheKind;
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
  /** Approximate in-memory size, for L1's byte bound. */
  bytes(value: T): number;
}

// ---- codecs ------------------------------------------------------------------------------

/** `[u32 json length][json][float32 bytes]`: metadata as JSON, vectors raw. */
function packJsonAndVector(json: unknown, vector: Float32Array | undefined): Buffer {
  const j = Buffer.from(JSON.stringify(json));
  const v = vector ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) : Buffer.alloc(0);
  const out = Buffer.allocUnsafe(4 + j.length + v.length);
  out.writeUInt32LE(j.length, 0);
  j.copy(out, 4);
  v.copy(out, 4 + j.length);
  return out;
}

function unpackJsonAndVector<J>(b: Buffer): [J, Float32Array] {
  const len = b.readUInt32LE(0);
  const json = JSON.parse(b.subarray(4, 4 + len).toString('utf8')) as J;
  const rest = b.subarray(4 + len);
  const vector = new Float32Array(rest.length / 4);
  Buffer.from(vector.buffer).set(rest);
  return [json, vector];
}

/**
 * Heap bytes of a cached record, for L1's byte bound. The fixed part was measured: a cached hit
 * with short strings costs ~1,090 bytes of V8 heap (object, its ~20 fields, id strings, arrays).
 */
export function recordBytes(r: MemoryRecord): number {
  return 1000 + r.content.length * 2 + r.embedding.byteLength + JSON.stringify(r.metadata).length * 2 + (r.tags.length + r.entities.length) * 48;
}

/** A record as cached: its fields, and its dense vector apart (raw floats); the keyword vector is the store's, never cached. */
function splitVector(r: MemoryRecord): [Omit<MemoryRecord, 'embedding' | 'keywords'>, Float32Array] {
  const { embedding, keywords: _k, ...meta } = r;
  return [meta, embedding];
}

export const memoryCodec: Codec<MemoryRecord> = {
  kind: 'memory',
  encode: (r) => packJsonAndVector(...splitVector(r)),
  decode: (b) => {
    const [meta, embedding] = unpackJsonAndVector<Omit<MemoryRecord, 'embedding'>>(b);
    return { ...meta, embedding };
  },
  bytes: recordBytes,
};

export const embeddingCodec: Codec<Float32Array> = {
  kind: 'embedding',
  encode: (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength),
  decode: (b) => {
    const v = new Float32Array(b.length / 4);
    Buffer.from(v.buffer).set(b);
    return v;
  },
  bytes: (v) => v.byteLength + 64,
};

/** Search results: hits with their memories (vectors only when the search asked for them). */
export interface CachedSearch {
  /** When the result was computed (epoch ms): bounds how stale it may be served. */
  at: number;
  hits: { memory: MemoryRecord; score: number; similarity: number; keywordScore?: number; retrievers: Retriever[] }[];
  /** Set when a similar query's cached result answered (semantic query cache): their cosine. */
  similarQueryCosine?: number;
}

export const searchCodec: Codec<CachedSearch> = {
  kind: 'search',
  encode: (s) => {
    const dims = s.hits[0]?.memory.embedding.length ?? 0;
    const vectors = new Float32Array(s.hits.length * dims);
    const hits = s.hits.map((h, i) => {
      if (dims > 0) vectors.set(h.memory.embedding, i * dims);
      const [meta] = splitVector(h.memory);
      return { m: meta, s: h.score, y: h.similarity, ...(h.keywordScore !== undefined ? { k: h.keywordScore } : {}), r: h.retrievers };
    });
    return packJsonAndVector({ at: s.at, d: dims, h: hits, ...(s.similarQueryCosine !== undefined ? { q: s.similarQueryCosine } : {}) }, vectors);
  },
  decode: (b) => {
    const [j, vectors] = unpackJsonAndVector<{ at: number; d: number; h: { m: Omit<MemoryRecord, 'embedding'>; s: number; y: number; k?: number; r?: Retriever[] }[]; q?: number }>(b);
    return {
      at: j.at,
      ...(j.q !== undefined ? { similarQueryCosine: j.q } : {}),
      hits: j.h.map((h, i) => ({
        memory: { ...h.m, embedding: vectors.slice(i * j.d, (i + 1) * j.d) },
        score: h.s,
        similarity: h.y,
        ...(h.k !== undefined ? { keywordScore: h.k } : {}),
        retrievers: h.r ?? ['dense'],
      })),
    };
  },
  bytes: (s) => s.hits.reduce((n, h) => n + recordBytes(h.memory), 64),
};

/**
 * A candidate pool of context assembly: up to N memories of one topic, entity or time window,
 * newest first, with their vectors (sections score them against each query). Cached as searches
 * are: new memories reach it within the search lag bound, deletes at once (generation).
 */
export interface CachedPool {
  at: number;
  records: MemoryRecord[];
  /** More memories matched than the pool holds. */
  truncated: boolean;
  /** How many memories matched (≥ records.length). */
  total: number;
}

export const poolCodec: Codec<CachedPool> = {
  kind: 'search',
  encode: (p) => {
    const dims = p.records[0]?.embedding.length ?? 0;
    const vectors = new Float32Array(p.records.length * dims);
    const metas = p.records.map((r, i) => {
      if (dims > 0) vectors.set(r.embedding, i * dims);
      return splitVector(r)[0];
    });
    return packJsonAndVector({ at: p.at, d: dims, t: p.truncated, n: p.total, r: metas }, vectors);
  },
  decode: (b) => {
    const [j, vectors] = unpackJsonAndVector<{ at: number; d: number; t: boolean; n: number; r: Omit<MemoryRecord, 'embedding'>[] }>(b);
    return { at: j.at, truncated: j.t, total: j.n, records: j.r.map((m, i) => ({ ...m, embedding: vectors.slice(i * j.d, (i + 1) * j.d) })) };
  },
  bytes: (p) => p.records.reduce((n, r) => n + recordBytes(r), 64),
};
