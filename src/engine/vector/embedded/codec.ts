/**
 * WAL entry payloads: `[u8 op][u32 json length][json][f32 vectors…]`. Vectors are raw float32
 * (little endian), never JSON numbers: 384 floats are 1.5 KB instead of ~7 KB of text.
 */
import type { AccessStats, MemoryMeta } from '../../types.js';
import { sparseFromJson, sparseToJson, type SparseVector } from '../../sparse-vector.js';

export const enum Op {
  Upsert = 1,
  Delete = 2,
  DropTenant = 3,
  /** Fields set without a new version (keywords, importance, stored content); was SetKeywords, same number. */
  SetFields = 4,
}

/** A record as the WAL and snapshots hold it: its vector apart, its keyword vector as `kw` arrays. */
export type StoredMeta = MemoryMeta & AccessStats & { kw?: { i: number[]; v: number[] } };

export type WalEntry =
  | { op: Op.Upsert; userId: string; records: StoredMeta[]; vectors: Float32Array }
  | { op: Op.Delete; userId: string; ids: string[] }
  | { op: Op.DropTenant; userId: string }
  | { op: Op.SetFields; userId: string; items: StoredFields[] };

/** One memory's fields in a SetFields entry; only those present change. */
export interface StoredFields {
  id: string;
  ver: number;
  kw?: { i: number[]; v: number[] };
  imp?: number;
  /** Content in its stored form (packed-text.ts). */
  c?: string;
}

export function encodeEntry(e: WalEntry): Buffer {
  const body = e.op === Op.Upsert ? { u: e.userId, r: e.records } : e.op === Op.Delete ? { u: e.userId, ids: e.ids } : e.op === Op.SetFields ? { u: e.userId, k: e.items } : { u: e.userId };
  const json = Buffer.from(JSON.stringify(body));
  const vecBytes = e.op === Op.Upsert ? e.vectors.byteLength : 0;
  const out = Buffer.allocUnsafe(5 + json.length + vecBytes);
  out.writeUInt8(e.op, 0);
  out.writeUInt32LE(json.length, 1);
  json.copy(out, 5);
  if (e.op === Op.Upsert) Buffer.from(e.vectors.buffer, e.vectors.byteOffset, vecBytes).copy(out, 5 + json.length);
  return out;
}

export function decodeEntry(buf: Buffer): WalEntry {
  const op = buf.readUInt8(0) as Op;
  const jsonLen = buf.readUInt32LE(1);
  const body = JSON.parse(buf.subarray(5, 5 + jsonLen).toString('utf8')) as { u: string; r?: StoredMeta[]; ids?: string[]; k?: StoredFields[] };
  switch (op) {
    case Op.Upsert: {
      const start = 5 + jsonLen;
      // Copy: the payload buffer is not 4-byte aligned for a Float32Array view.
      const bytes = buf.subarray(start);
      const vectors = new Float32Array(bytes.length / 4);
      Buffer.from(vectors.buffer).set(bytes);
      return { op, userId: body.u, records: body.r ?? [], vectors };
    }
    case Op.Delete:
      return { op, userId: body.u, ids: body.ids ?? [] };
    case Op.DropTenant:
      return { op, userId: body.u };
    case Op.SetFields:
      return { op, userId: body.u, items: body.k ?? [] };
    default:
      throw new Error(`unknown WAL op ${String(op)}`);
  }
}

/** Splits a stored record into its immutable meta, its access stats and its keyword vector. */
export function splitStats(r: StoredMeta): [MemoryMeta, AccessStats, SparseVector | undefined] {
  const { accessedAtMs, accessCount, kw, ...meta } = r;
  return [meta, { accessedAtMs, accessCount }, kw ? sparseFromJson(kw) : undefined];
}

/** A record's stored form (without its dense vector, which travels as raw floats). */
export function storedMeta(meta: MemoryMeta, stats: AccessStats, keywords: SparseVector | undefined): StoredMeta {
  return { ...meta, accessedAtMs: stats.accessedAtMs, accessCount: stats.accessCount, ...(keywords ? { kw: sparseToJson(keywords) } : {}) };
}
