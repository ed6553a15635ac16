/**
 * A memory as the archive keeps it: its fields and access statistics as JSON (the keyword
 * vector as index/value arrays), its dense vector as raw float32 bytes.
 */
import { sparseFromJson, sparseToJson } from '../sparse-vector.js';
import type { MemoryRecord } from '../types.js';

type ArchivedJson = Omit<MemoryRecord, 'embedding' | 'keywords'> & { kw?: { i: number[]; v: number[] } };

export function archivedJson(r: MemoryRecord): Record<string, unknown> {
  const { embedding: _e, keywords, ...rest } = r;
  return { ...rest, ...(keywords ? { kw: sparseToJson(keywords) } : {}) };
}

export function vectorBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function fromArchived(json: Record<string, unknown>, embedding: Uint8Array | null): MemoryRecord {
  const { kw, ...rest } = json as ArchivedJson;
  const bytes = embedding ?? new Uint8Array(0);
  // Copy: the bytes need not be 4-byte aligned for a Float32Array view.
  const vector = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return { ...rest, embedding: vector, ...(kw ? { keywords: sparseFromJson(kw) } : {}) };
}

/** One archived memory as one self-contained object: `[u32 json length][json][float32 bytes]` (the object store's body). */
export function encodeArchived(r: MemoryRecord): Buffer {
  const json = Buffer.from(JSON.stringify(archivedJson(r)));
  const out = Buffer.allocUnsafe(4 + json.length + r.embedding.byteLength);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  vectorBytes(r.embedding).copy(out, 4 + json.length);
  return out;
}

export function decodeArchived(b: Uint8Array): MemoryRecord {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const len = buf.readUInt32LE(0);
  return fromArchived(JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as Record<string, unknown>, buf.subarray(4 + len));
}
