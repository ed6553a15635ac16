/**
 * Input validation. Every problem is an InvalidArgumentError naming the field as the caller
 * sent it (proto names, with the path: `items[3].importance`). Nothing here touches storage, so
 * a request is validated whole before anything is written.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { normalizeInPlace } from './embed/embedder.js';
import { QUERY_CLASSES } from './query-class.js';
import type { MemoryFilter, QueryClass, Scope, SearchMode } from './types.js';
import { SCOPES, SEARCH_MODES } from './types.js';

export interface Limits {
  maxContentBytes: number;
  maxBatchItems: number;
  maxTopK: number;
  maxMetadataBytes: number;
  maxTags: number;
  dimensions: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ID_CHARS = 256;
const MAX_SHORT_CHARS = 256;
/** How much of a caller's value an error message repeats (status details must stay small). */
const ECHO_CHARS = 64;

const at = (path: string, field: string) => (path ? `${path}.${field}` : field);

/** A caller's value, quoted and cut short, for an error message. */
export function echo(value: unknown): string {
  const s = String(value);
  return s.length > ECHO_CHARS ? `${JSON.stringify(s.slice(0, ECHO_CHARS))}… (${s.length} characters)` : JSON.stringify(s);
}

// ---- the one rule for characters ------------------------------------------------------------
// Every string a caller sends, in every field of every RPC, is well-formed Unicode without
// control characters; free text (contents, queries, titles, metadata values) may also hold tab,
// line feed and carriage return. NUL above all can be stored nowhere we keep text (Postgres
// text and jsonb refuse it), so it is refused on entry rather than accepted and broken later.
// eslint-disable-next-line no-control-regex
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** `freeText`: tab, line feed and carriage return are allowed (see the rule above). */
export function checkText(field: string, s: string, freeText: boolean): string {
  const bad = (freeText ? CONTROL_IN_TEXT : CONTROL_IN_NAME).exec(s);
  if (bad) {
    const cp = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidArgumentError(field, `contains the control character U+${cp} at offset ${bad.index}${freeText ? ' (only tab, line feed and carriage return are allowed)' : ''}`);
  }
  const lone = LONE_SURROGATE.exec(s);
  if (lone) throw new InvalidArgumentError(field, `is not well-formed Unicode (a lone surrogate at offset ${lone.index})`);
  return s;
}

/** Proto fields of free text (see the rule above); every other string field is a name. */
const FREE_TEXT_FIELDS = new Set(['content', 'query', 'title']);
/** The proto's map<string, string> fields: their keys are data, not field names. */
const MAP_FIELDS = new Set(['metadata']);

/**
 * Applies the rule to every string in a decoded request, naming each by its proto path
 * (`items[2].metadata["k"]`). Map fields hold free-text values under name keys. Runs at the
 * edge for every RPC, so no field can slip past it however a handler reads the request.
 */
export function checkRequestText(request: unknown, path = ''): void {
  if (request === null || typeof request !== 'object' || ArrayBuffer.isView(request)) return;
  if (Array.isArray(request)) {
    request.forEach((x, i) => (typeof x === 'string' ? checkText(`${path}[${i}]`, x, false) : checkRequestText(x, `${path}[${i}]`)));
    return;
  }
  for (const [key, value] of Object.entries(request as Record<string, unknown>)) {
    if (key.startsWith('_')) continue; // proto-loader's presence markers for `optional` fields
    const field = at(
      path,
      key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
    );
    if (typeof value === 'string') checkText(field, value, FREE_TEXT_FIELDS.has(field.slice(field.lastIndexOf('.') + 1)));
    else if (MAP_FIELDS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, val] of Object.entries(value as Record<string, unknown>)) {
        checkText(`${field}[${echo(k)}]`, k, false);
        if (typeof val === 'string') checkText(`${field}[${echo(k)}]`, val, true);
      }
    } else checkRequestText(value, field);
  }
}

/** A tenant or agent/session/task identifier: non-empty where required, bounded, printable. */
export function checkIdentifier(field: string, v: string | undefined, required: boolean): string {
  const s = v ?? '';
  if (s === '') {
    if (required) throw new InvalidArgumentError(field, 'is required');
    return '';
  }
  if (s.length > MAX_ID_CHARS) throw new InvalidArgumentError(field, `is longer than ${MAX_ID_CHARS} characters`);
  return checkText(field, s, false);
}

export function checkUserId(v: string | undefined): string {
  return checkIdentifier('user_id', v, true);
}

/** A memory id supplied by a caller must be a UUID; lower-cased so retries match. */
export function checkMemoryId(field: string, v: string | undefined, required: boolean): string {
  const s = v ?? '';
  if (s === '') {
    if (required) throw new InvalidArgumentError(field, 'is required');
    return '';
  }
  if (!UUID_RE.test(s)) throw new InvalidArgumentError(field, `must be a UUID, got ${echo(s)}`);
  return s.toLowerCase();
}

export function checkUnit(field: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new InvalidArgumentError(field, `must be between 0 and 1, got ${v}`);
  return v;
}

export function checkContent(field: string, v: string | undefined, limits: Limits, required: boolean): string {
  const s = v ?? '';
  if (s.trim() === '') {
    if (required) throw new InvalidArgumentError(field, 'is required (or send an embedding)');
    return s;
  }
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > limits.maxContentBytes) throw new InvalidArgumentError(field, `is ${bytes} bytes, the limit is ${limits.maxContentBytes}`);
  return checkText(field, s, true);
}

export function checkShort(field: string, v: string | undefined, dflt = ''): string {
  const s = v ?? '';
  if (s === '') return dflt;
  if (s.length > MAX_SHORT_CHARS) throw new InvalidArgumentError(field, `is longer than ${MAX_SHORT_CHARS} characters`);
  return checkText(field, s, false);
}

/** Free text with a length bound (a task title). */
export function checkTitle(field: string, v: string | undefined, maxChars: number): string {
  const s = v ?? '';
  if (s.length > maxChars) throw new InvalidArgumentError(field, `is longer than ${maxChars} characters`);
  return checkText(field, s, true);
}

export function checkList(field: string, v: readonly string[] | undefined, limits: Limits): string[] {
  const xs = v ?? [];
  if (xs.length > limits.maxTags) throw new InvalidArgumentError(field, `has ${xs.length} values, the limit is ${limits.maxTags}`);
  const out: string[] = [];
  xs.forEach((x, i) => {
    const s = checkShort(`${field}[${i}]`, x);
    if (s === '') throw new InvalidArgumentError(`${field}[${i}]`, 'is empty');
    if (!out.includes(s)) out.push(s);
  });
  return out;
}

export function checkMetadata(field: string, v: Record<string, string> | undefined, limits: Limits): Record<string, string> {
  const m = v ?? {};
  let bytes = 0;
  for (const [k, val] of Object.entries(m)) {
    if (k === '') throw new InvalidArgumentError(field, 'has an empty key');
    const entry = `${field}[${echo(k)}]`;
    if (typeof val !== 'string') throw new InvalidArgumentError(entry, 'must be a string');
    checkText(entry, k, false);
    checkText(entry, val, true);
    bytes += Buffer.byteLength(k) + Buffer.byteLength(val);
  }
  if (bytes > limits.maxMetadataBytes) throw new InvalidArgumentError(field, `is ${bytes} bytes, the limit is ${limits.maxMetadataBytes}`);
  return { ...m };
}

/** Validates a client vector and returns a unit-length copy. */
export function checkVector(field: string, v: ArrayLike<number> | undefined, limits: Limits): Float32Array | undefined {
  if (!v || v.length === 0) return undefined;
  if (v.length !== limits.dimensions) throw new InvalidArgumentError(field, `has ${v.length} dimensions, this deployment uses ${limits.dimensions}`);
  const out = Float32Array.from(v);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) throw new InvalidArgumentError(`${field}[${i}]`, 'is not a finite number');
  if (!normalizeInPlace(out)) throw new InvalidArgumentError(field, 'is the zero vector');
  return out;
}

export function checkScope(field: string, v: Scope | undefined, sessionId: string, taskId: string, path: string): Scope {
  const s = v ?? 'USER';
  if (!SCOPES.includes(s)) throw new InvalidArgumentError(field, `unknown scope ${String(s)}`);
  if (s === 'SESSION' && sessionId === '') throw new InvalidArgumentError(at(path, 'session_id'), 'is required when scope is SCOPE_SESSION');
  if (s === 'TASK' && taskId === '') throw new InvalidArgumentError(at(path, 'task_id'), 'is required when scope is SCOPE_TASK');
  return s;
}

export function checkTimeMs(field: string, v: number | undefined): number {
  const n = v ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(field, `must be a non-negative integer of milliseconds, got ${n}`);
  return n;
}

export function checkPageSize(field: string, v: number | undefined, dflt: number, limits: Limits): number {
  const n = v ?? 0;
  if (n === 0) return dflt;
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(field, `must be a positive integer, got ${n}`);
  if (n > limits.maxTopK) throw new InvalidArgumentError(field, `is ${n}, the limit is ${limits.maxTopK}`);
  return n;
}

export function checkFilter(path: string, f: MemoryFilter | undefined, limits: Limits): MemoryFilter | undefined {
  if (!f) return undefined;
  const out: MemoryFilter = {};
  if (f.scopes?.length) {
    f.scopes.forEach((s, i) => {
      if (!SCOPES.includes(s)) throw new InvalidArgumentError(`${path}.scopes[${i}]`, `unknown scope ${String(s)}`);
    });
    out.scopes = [...f.scopes];
  }
  const lists = ['namespaces', 'kinds', 'tagsAny', 'tagsAll', 'entitiesAny'] as const;
  const names = { namespaces: 'namespaces', kinds: 'kinds', tagsAny: 'tags_any', tagsAll: 'tags_all', entitiesAny: 'entities_any' };
  for (const k of lists) if (f[k]?.length) out[k] = checkList(`${path}.${names[k]}`, f[k], { ...limits, maxTags: Math.max(limits.maxTags, 1024) });
  if (f.ids?.length) {
    if (f.ids.length > limits.maxTopK * 10) throw new InvalidArgumentError(`${path}.ids`, `has ${f.ids.length} ids, the limit is ${limits.maxTopK * 10}`);
    out.ids = f.ids.map((id, i) => checkMemoryId(`${path}.ids[${i}]`, id, true));
  }
  if (f.agentId) out.agentId = checkIdentifier(`${path}.agent_id`, f.agentId, false);
  if (f.sessionId) out.sessionId = checkIdentifier(`${path}.session_id`, f.sessionId, false);
  if (f.taskId) out.taskId = checkIdentifier(`${path}.task_id`, f.taskId, false);
  if (f.createdAfterMs) out.createdAfterMs = checkTimeMs(`${path}.created_after_ms`, f.createdAfterMs);
  if (f.createdBeforeMs) out.createdBeforeMs = checkTimeMs(`${path}.created_before_ms`, f.createdBeforeMs);
  if (f.minImportance !== undefined) out.minImportance = checkUnit(`${path}.min_importance`, f.minImportance, 0);
  if (f.maxImportance !== undefined) out.maxImportance = checkUnit(`${path}.max_importance`, f.maxImportance, 1);
  if (f.pinned !== undefined) out.pinned = f.pinned;
  if (f.includeSuperseded) out.includeSuperseded = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function checkQueryClass(field: string, v: QueryClass | undefined): QueryClass {
  const q = v ?? 'PRIMARY';
  if (!QUERY_CLASSES.includes(q)) throw new InvalidArgumentError(field, `unknown query class ${echo(q)}`);
  return q;
}

export function checkSearchMode(field: string, v: SearchMode | undefined): SearchMode | undefined {
  if (v !== undefined && !SEARCH_MODES.includes(v)) throw new InvalidArgumentError(field, `unknown search mode ${echo(v)}`);
  return v;
}

export function newMemoryId(): string {
  return randomUUID();
}
