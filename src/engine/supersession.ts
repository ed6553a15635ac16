/**
 * Supersession: a newer memory replaces older ones (a correction, a contradiction). The older
 * ones stay for history, marked with who replaced them and when, and leave every default read.
 */
import { InvalidArgumentError } from '../errors.js';
import type { MemoryRecord } from './types.js';
import * as v from './validate.js';
import type { Limits } from './validate.js';

/** The ids a write says it supersedes, checked (UUIDs, no repeats, never the memory itself). */
export function checkSupersedes(field: string, ids: readonly string[] | undefined, ownId: string, limits: Limits): string[] {
  if (!ids || ids.length === 0) return [];
  if (ids.length > limits.maxTags) throw new InvalidArgumentError(field, `has ${ids.length} ids, the limit is ${limits.maxTags}`);
  const out = ids.map((id, i) => v.checkMemoryId(`${field}[${i}]`, id, true));
  out.forEach((id, i) => {
    if (id === ownId) throw new InvalidArgumentError(`${field}[${i}]`, 'a memory cannot supersede itself');
    const j = out.indexOf(id);
    if (j !== i) throw new InvalidArgumentError(`${field}[${i}]`, `repeats ${field}[${j}]`);
  });
  return out;
}

/**
 * The superseded versions of `olds` (current records, in the order of `ids`): each names `byId`
 * and the time, with a new version. A memory already superseded by `byId` is left out (a retry).
 * `missing(i)` names the field of an id the user has no memory for.
 */
export function supersededRecords(ids: readonly string[], olds: readonly MemoryRecord[], byId: string, nowMs: number, missing: (i: number) => string): MemoryRecord[] {
  const byOld = new Map(olds.map((r) => [r.id, r]));
  const out: MemoryRecord[] = [];
  ids.forEach((id, i) => {
    const old = byOld.get(id);
    if (!old) throw new InvalidArgumentError(missing(i), `memory ${id} not found`);
    if (old.supersededBy === byId) return;
    out.push({ ...old, supersededBy: byId, validUntilMs: nowMs, updatedAtMs: Math.max(nowMs, old.updatedAtMs), version: old.version + 1 });
  });
  return out;
}
