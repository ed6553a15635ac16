/**
 * The JSON-lines format of ExportUser and ImportUser, version 1. One object per line, by `type`:
 *   header  {format, user_id, exported_at_ms, dimensions, embeddings}   (first line)
 *   memory  {archived, memory: {id, content, …, superseded_by, valid_until_ms, embedding?}}
 *   task    {task: {id, status, title, …}}
 *   audit   {event: {id, operation, memory_ids, at_ms, …}}
 * Field names are the proto's (snake_case), so a line reads like the API's own messages.
 * Parsing validates every field and names the line; nothing here touches storage.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { ImportedAudit, Task, TaskStatus } from '../../metadata/metadata-store.js';
import { TASK_STATUSES } from '../../metadata/metadata-store.js';
import type { MemoryMeta, MemoryRecord, Scope } from '../types.js';
import * as v from '../validate.js';
import type { Limits } from '../validate.js';

export const FORMAT = 'memory-engine/v1';

export type Line =
  | { type: 'header'; userId: string }
  | { type: 'memory'; archived: boolean; meta: MemoryMeta; stats: { accessedAtMs: number; accessCount: number }; embedding?: Float32Array }
  | { type: 'task'; task: Task }
  | { type: 'audit'; event: ImportedAudit };

// ---- writing -----------------------------------------------------------------------------

export function headerLine(userId: string, dimensions: number, embeddings: boolean, nowMs: number): string {
  return JSON.stringify({ type: 'header', format: FORMAT, user_id: userId, exported_at_ms: nowMs, dimensions, embeddings });
}

export function memoryLine(r: MemoryRecord, archived: boolean, withEmbedding: boolean): string {
  const memory = {
    id: r.id,
    user_id: r.userId,
    agent_id: r.agentId,
    session_id: r.sessionId,
    task_id: r.taskId,
    scope: r.scope,
    namespace: r.namespace,
    content: r.content,
    kind: r.kind,
    importance: r.importance,
    confidence: r.confidence,
    tags: r.tags,
    entities: r.entities,
    created_at_ms: r.createdAtMs,
    updated_at_ms: r.updatedAtMs,
    accessed_at_ms: r.accessedAtMs,
    access_count: r.accessCount,
    expires_at_ms: r.expiresAtMs,
    pinned: r.pinned,
    version: r.version,
    metadata: r.metadata,
    superseded_by: r.supersededBy ?? '',
    valid_until_ms: r.validUntilMs ?? 0,
    ...(withEmbedding ? { embedding: Array.from(r.embedding) } : {}),
  };
  return JSON.stringify({ type: 'memory', archived, memory });
}

export function taskLine(t: Task): string {
  return JSON.stringify({
    type: 'task',
    task: {
      id: t.id,
      user_id: t.userId,
      agent_id: t.agentId,
      title: t.title,
      status: t.status,
      created_at_ms: t.createdAtMs,
      updated_at_ms: t.updatedAtMs,
      finished_at_ms: t.finishedAtMs,
      metadata: t.metadata,
    },
  });
}

export function auditLine(e: { id: string; userId: string; actor: string; operation: string; memoryIds: readonly string[]; requestId: string; atMs: number; details: Record<string, string> }): string {
  const origin = e.details.origin_id ?? e.id;
  return JSON.stringify({
    type: 'audit',
    event: { id: origin, user_id: e.userId, actor: e.actor, operation: e.operation, memory_ids: e.memoryIds, request_id: e.requestId, at_ms: e.atMs, details: e.details },
  });
}

// ---- reading -----------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** Parses and validates one line; errors name `line N` and the field. */
export function parseLine(text: string, lineNo: number, userId: string, limits: Limits): Line {
  const where = (f: string) => `line ${lineNo}${f ? `: ${f}` : ''}`;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`lines[${lineNo}]`, `${where('')} is not JSON`);
  }
  if (!isObject(o)) throw new InvalidArgumentError(`lines[${lineNo}]`, `${where('')} is not a JSON object`);
  const field = (f: string) => `lines[${lineNo}].${f}`;
  const owner = (u: unknown, f: string) => {
    if (u !== undefined && u !== userId) throw new InvalidArgumentError(field(f), `${where('')} belongs to user ${v.echo(u)}, not ${v.echo(userId)}`);
  };
  switch (o.type) {
    case 'header': {
      if (o.format !== FORMAT) throw new InvalidArgumentError(field('format'), `${where('')} has format ${v.echo(o.format)}; this server reads ${FORMAT}`);
      owner(o.user_id, 'user_id');
      return { type: 'header', userId };
    }
    case 'memory': {
      const m = o.memory;
      if (!isObject(m)) throw new InvalidArgumentError(field('memory'), `${where('')} has no memory object`);
      owner(m.user_id, 'memory.user_id');
      return { type: 'memory', archived: o.archived === true, ...memoryOf(m, (f) => field(`memory.${f}`), userId, limits) };
    }
    case 'task': {
      const t = o.task;
      if (!isObject(t)) throw new InvalidArgumentError(field('task'), `${where('')} has no task object`);
      owner(t.user_id, 'task.user_id');
      const f = (x: string) => field(`task.${x}`);
      const status = str(t.status, f('status')) as TaskStatus;
      if (!TASK_STATUSES.includes(status)) throw new InvalidArgumentError(f('status'), `unknown task status ${v.echo(status)}`);
      return {
        type: 'task',
        task: {
          id: v.checkMemoryId(f('id'), str(t.id, f('id')), true),
          userId,
          agentId: v.checkIdentifier(f('agent_id'), optStr(t.agent_id, f('agent_id')), false),
          title: v.checkTitle(f('title'), optStr(t.title, f('title')), 1000),
          status,
          createdAtMs: time(t.created_at_ms, f('created_at_ms')),
          updatedAtMs: time(t.updated_at_ms, f('updated_at_ms')),
          finishedAtMs: time(t.finished_at_ms, f('finished_at_ms')),
          metadata: v.checkMetadata(f('metadata'), strMap(t.metadata, f('metadata')), limits),
        },
      };
    }
    case 'audit': {
      const e = o.event;
      if (!isObject(e)) throw new InvalidArgumentError(field('event'), `${where('')} has no event object`);
      owner(e.user_id, 'event.user_id');
      const f = (x: string) => field(`event.${x}`);
      const ids = strList(e.memory_ids, f('memory_ids'));
      return {
        type: 'audit',
        event: {
          originId: v.checkIdentifier(f('id'), str(e.id, f('id')), true),
          userId,
          actor: v.checkIdentifier(f('actor'), optStr(e.actor, f('actor')), false),
          operation: v.checkShort(f('operation'), str(e.operation, f('operation'))),
          memoryIds: ids,
          requestId: v.checkIdentifier(f('request_id'), optStr(e.request_id, f('request_id')), false),
          atMs: time(e.at_ms, f('at_ms')),
          details: strMap(e.details, f('details')),
        },
      };
    }
    default:
      throw new InvalidArgumentError(field('type'), `${where('')} has unknown type ${v.echo(o.type)} (header, memory, task or audit)`);
  }
}

function memoryOf(m: Json, f: (x: string) => string, userId: string, limits: Limits): Omit<Extract<Line, { type: 'memory' }>, 'type' | 'archived'> {
  const sessionId = v.checkIdentifier(f('session_id'), optStr(m.session_id, f('session_id')), false);
  const taskId = v.checkIdentifier(f('task_id'), optStr(m.task_id, f('task_id')), false);
  const embedding = m.embedding === undefined ? undefined : v.checkVector(f('embedding'), numList(m.embedding, f('embedding')), limits);
  const version = num(m.version, f('version'));
  if (!Number.isSafeInteger(version) || version < 1) throw new InvalidArgumentError(f('version'), `must be a positive integer, got ${version}`);
  const supersededBy = v.checkMemoryId(f('superseded_by'), optStr(m.superseded_by, f('superseded_by')), false);
  const meta: MemoryMeta = {
    id: v.checkMemoryId(f('id'), str(m.id, f('id')), true),
    userId,
    agentId: v.checkIdentifier(f('agent_id'), optStr(m.agent_id, f('agent_id')), false),
    sessionId,
    taskId,
    scope: v.checkScope(f('scope'), str(m.scope, f('scope')) as Scope, sessionId, taskId, f('x').slice(0, -2)),
    namespace: v.checkShort(f('namespace'), optStr(m.namespace, f('namespace'))),
    content: v.checkContent(f('content'), str(m.content, f('content')), limits, !embedding),
    kind: v.checkShort(f('kind'), optStr(m.kind, f('kind')), 'fact'),
    importance: v.checkUnit(f('importance'), optNum(m.importance, f('importance')), 0.5),
    confidence: v.checkUnit(f('confidence'), optNum(m.confidence, f('confidence')), 1),
    tags: v.checkList(f('tags'), strList(m.tags, f('tags')), limits),
    entities: v.checkList(f('entities'), strList(m.entities, f('entities')), limits),
    createdAtMs: time(m.created_at_ms, f('created_at_ms')),
    updatedAtMs: time(m.updated_at_ms, f('updated_at_ms')),
    expiresAtMs: time(m.expires_at_ms, f('expires_at_ms')),
    pinned: m.pinned === true,
    version,
    metadata: v.checkMetadata(f('metadata'), strMap(m.metadata, f('metadata')), limits),
    ...(supersededBy ? { supersededBy, validUntilMs: time(m.valid_until_ms, f('valid_until_ms')) } : {}),
  };
  const stats = { accessedAtMs: time(m.accessed_at_ms, f('accessed_at_ms')), accessCount: time(m.access_count, f('access_count')) };
  return { meta, stats, ...(embedding ? { embedding } : {}) };
}

const isObject = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

function str(x: unknown, field: string): string {
  if (typeof x !== 'string') throw new InvalidArgumentError(field, `must be a string, got ${x === undefined ? 'nothing' : typeof x}`);
  return x;
}

const optStr = (x: unknown, field: string): string => (x === undefined || x === null ? '' : str(x, field));

const optNum = (x: unknown, field: string): number | undefined => (x === undefined || x === null ? undefined : num(x, field));

function num(x: unknown, field: string): number {
  if (x === undefined || x === null) throw new InvalidArgumentError(field, 'is required');
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidArgumentError(field, `must be a number, got ${v.echo(x)}`);
  return x;
}

/** A non-negative integer (times in epoch ms, counts); absent is 0. */
function time(x: unknown, field: string): number {
  if (x === undefined || x === null) return 0;
  const n = num(x, field);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(field, `must be a non-negative integer, got ${n}`);
  return n;
}

function strList(x: unknown, field: string): string[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) throw new InvalidArgumentError(field, 'must be a list of strings');
  return x.map((e, i) => str(e, `${field}[${i}]`));
}

function numList(x: unknown, field: string): number[] {
  if (!Array.isArray(x)) throw new InvalidArgumentError(field, 'must be a list of numbers');
  return x.map((e, i) => num(e, `${field}[${i}]`));
}

function strMap(x: unknown, field: string): Record<string, string> {
  if (x === undefined || x === null) return {};
  if (!isObject(x)) throw new InvalidArgumentError(field, 'must be an object of strings');
  for (const [k, val] of Object.entries(x)) str(val, `${field}.${k}`);
  return x as Record<string, string>;
}
