/**
 * How memories are laid out in Qdrant: point ids, payloads, filters. Pure functions, no I/O.
 *
 * Point id = a UUID derived from (user, memory id), so a retried upsert replaces the same point
 * and two users' memories with the same id never collide. The payload carries the memory id and
 * the user; the store checks the user on everything it reads back.
 */
import { createHash } from 'node:crypto';
import type { Schemas } from '@qdrant/js-client-rest';
import type { MemoryFilter, MemoryRecord, Scope } from '../../types.js';
import { sparseFromJson, type SparseVector } from '../../sparse-vector.js';
import { unpack } from '../../packed-text.js';

/** The named sparse vector of the keyword index, beside the unnamed dense vector of each point. */
export const KEYWORD_VECTOR = 'kw';

/** What a point's `vector` holds: the dense vector alone, or with the keyword vector by name ("" is the unnamed one). */
export type PointVectors = number[] | { '': number[]; [KEYWORD_VECTOR]: { indices: number[]; values: number[] } };

export type QFilter = Schemas['Filter'];
export type QCondition = Schemas['Condition'];

/** `exp` of a memory that never expires (fits Qdrant's i64 and a JS safe integer). */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** Fields the engine filters on, with the payload index each gets. Nothing else is indexed. */
export const INDEXED_FIELDS: readonly { field: string; schema: 'keyword' | 'integer' | 'float' | 'bool' }[] = [
  { field: 'scope', schema: 'keyword' },
  { field: 'namespace', schema: 'keyword' },
  { field: 'kind', schema: 'keyword' },
  { field: 'tags', schema: 'keyword' },
  { field: 'entities', schema: 'keyword' },
  { field: 'agent_id', schema: 'keyword' },
  { field: 'session_id', schema: 'keyword' },
  { field: 'task_id', schema: 'keyword' },
  { field: 'created_at_ms', schema: 'integer' },
  { field: 'importance', schema: 'float' },
  { field: 'pinned', schema: 'bool' },
  { field: 'exp', schema: 'integer' },
  { field: 'superseded_by', schema: 'keyword' },
];

export function pointId(userId: string, memoryId: string): string {
  const h = createHash('sha256').update(userId).update('\u0000').update(memoryId).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5 layout (name-based)
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A type, not an interface: it must fit Qdrant's `Payload` (an index signature). */
export type MemoryPayload = {
  user_id: string;
  memory_id: string;
  agent_id: string;
  session_id: string;
  task_id: string;
  scope: Scope;
  namespace: string;
  content: string;
  kind: string;
  importance: number;
  confidence: number;
  tags: string[];
  entities: string[];
  created_at_ms: number;
  updated_at_ms: number;
  expires_at_ms: number;
  exp: number;
  pinned: boolean;
  version: number;
  metadata: Record<string, string>;
  accessed_at_ms: number;
  access_count: number;
  /** Only on superseded memories: current ones have no such key (so "is empty" finds them, old points included). */
  superseded_by?: string;
  valid_until_ms?: number;
};

export function sparseOut(v: SparseVector): { indices: number[]; values: number[] } {
  return { indices: Array.from(v.indices), values: Array.from(v.values) };
}

export function toPoint(r: MemoryRecord): { id: string; vector: PointVectors; payload: MemoryPayload } {
  const dense = Array.from(r.embedding);
  return {
    id: pointId(r.userId, r.id),
    vector: r.keywords ? { '': dense, [KEYWORD_VECTOR]: sparseOut(r.keywords) } : dense,
    payload: {
      user_id: r.userId,
      memory_id: r.id,
      agent_id: r.agentId,
      session_id: r.sessionId,
      task_id: r.taskId,
      scope: r.scope,
      namespace: r.namespace,
      content: r.content,
      kind: r.kind,
      importance: r.importance,
      confidence: r.confidence,
      tags: [...r.tags],
      entities: [...r.entities],
      created_at_ms: r.createdAtMs,
      updated_at_ms: r.updatedAtMs,
      expires_at_ms: r.expiresAtMs,
      exp: r.expiresAtMs > 0 ? r.expiresAtMs : NEVER,
      pinned: r.pinned,
      version: r.version,
      metadata: { ...r.metadata },
      accessed_at_ms: r.accessedAtMs,
      access_count: r.accessCount,
      ...(r.supersededBy ? { superseded_by: r.supersededBy, valid_until_ms: r.validUntilMs ?? 0 } : {}),
    },
  };
}

const EMPTY = new Float32Array(0);

/** A point's dense vector as Qdrant returns it: alone, or under "" beside named ones. */
export function denseVector(v: unknown): number[] | undefined {
  const d = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[''] : v;
  return Array.isArray(d) && (d.length === 0 || typeof d[0] === 'number') ? (d as number[]) : undefined;
}

/** A point's keyword vector as Qdrant returns it, when it has one. */
export function keywordVector(v: unknown): SparseVector | undefined {
  const s = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[KEYWORD_VECTOR] : undefined;
  const x = s as { indices?: unknown; values?: unknown } | undefined;
  if (!x || !Array.isArray(x.indices) || !Array.isArray(x.values) || x.indices.length !== x.values.length) return undefined;
  return sparseFromJson({ i: x.indices as number[], v: x.values as number[] });
}

/** A point's vectors as read, to write elsewhere unchanged (promotion copies); undefined without a dense one. */
export function pointVectors(v: unknown): PointVectors | undefined {
  const dense = denseVector(v);
  if (!dense) return undefined;
  const kw = keywordVector(v);
  return kw ? { '': dense, [KEYWORD_VECTOR]: sparseOut(kw) } : dense;
}

/** A record from a point; `undefined` when the payload is not a memory of `userId` (never trusted blindly). */
export function fromPoint(userId: string, payload: unknown, vector: unknown): MemoryRecord | undefined {
  const p = payload as Partial<MemoryPayload> | null | undefined;
  if (!p || p.user_id !== userId || typeof p.memory_id !== 'string') return undefined;
  const dense = denseVector(vector);
  const keywords = keywordVector(vector);
  return {
    id: p.memory_id,
    userId,
    agentId: p.agent_id ?? '',
    sessionId: p.session_id ?? '',
    taskId: p.task_id ?? '',
    scope: p.scope ?? 'USER',
    namespace: p.namespace ?? '',
    // Compressed content is unpacked here: nothing above the store sees the packed form.
    content: unpack(p.content ?? ''),
    kind: p.kind ?? '',
    importance: p.importance ?? 0,
    confidence: p.confidence ?? 0,
    tags: p.tags ?? [],
    entities: p.entities ?? [],
    createdAtMs: p.created_at_ms ?? 0,
    updatedAtMs: p.updated_at_ms ?? 0,
    expiresAtMs: p.expires_at_ms ?? 0,
    pinned: p.pinned ?? false,
    version: p.version ?? 1,
    metadata: p.metadata ?? {},
    accessedAtMs: p.accessed_at_ms ?? 0,
    accessCount: p.access_count ?? 0,
    ...(p.superseded_by ? { supersededBy: p.superseded_by, validUntilMs: p.valid_until_ms ?? 0 } : {}),
    embedding: dense ? Float32Array.from(dense) : EMPTY,
    ...(keywords ? { keywords } : {}),
  };
}

/** Whether a payload is live at `nowMs` (Qdrant filters do this too; reads by id check it here). */
export function isLive(p: MemoryRecord, nowMs: number): boolean {
  return p.expiresAtMs === 0 || p.expiresAtMs > nowMs;
}

/**
 * The Qdrant filter of one user's memories matching `f`, live at `nowMs` (0: expired ones too),
 * current unless `f` asks for history. The tenant condition
 * is always first and always present: this is the only place filters are built.
 */
export function tenantFilter(userId: string, f: MemoryFilter | undefined, nowMs: number, extra: QCondition[] = []): QFilter {
  const must: QCondition[] = [
    { key: 'user_id', match: { value: userId } },
    { key: 'exp', range: { gt: nowMs } },
  ];
  if (!f?.includeSuperseded) must.push({ is_empty: { key: 'superseded_by' } });
  if (f) {
    const any = (key: string, xs: readonly string[] | undefined) => {
      if (xs && xs.length > 0) must.push({ key, match: { any: [...xs] } });
    };
    any('scope', f.scopes);
    any('namespace', f.namespaces);
    any('kind', f.kinds);
    any('tags', f.tagsAny);
    any('entities', f.entitiesAny);
    for (const t of f.tagsAll ?? []) must.push({ key: 'tags', match: { value: t } });
    if (f.agentId) must.push({ key: 'agent_id', match: { value: f.agentId } });
    if (f.sessionId) must.push({ key: 'session_id', match: { value: f.sessionId } });
    if (f.taskId) must.push({ key: 'task_id', match: { value: f.taskId } });
    if (f.createdAfterMs || f.createdBeforeMs) {
      must.push({ key: 'created_at_ms', range: { ...(f.createdAfterMs ? { gte: f.createdAfterMs } : {}), ...(f.createdBeforeMs ? { lt: f.createdBeforeMs } : {}) } });
    }
    if (f.minImportance !== undefined || f.maxImportance !== undefined) {
      must.push({ key: 'importance', range: { ...(f.minImportance !== undefined ? { gte: f.minImportance } : {}), ...(f.maxImportance !== undefined ? { lte: f.maxImportance } : {}) } });
    }
    if (f.pinned !== undefined) must.push({ key: 'pinned', match: { value: f.pinned } });
    if (f.ids && f.ids.length > 0) must.push({ has_id: f.ids.map((id) => pointId(userId, id)) });
  }
  must.push(...extra);
  return { must };
}

/** Every point of a user, live or expired (for drops, copies and cleanups). */
export function allOfUser(userId: string): QFilter {
  return { must: [{ key: 'user_id', match: { value: userId } }] };
}
