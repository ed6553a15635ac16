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

/** One memory a write supersedes: the old id, the memory replacing it, and the request field naming it. */
export interface SupersedePair {
  oldId: string;
  byId: string;
  field: string;
}

/**
 * The superseded versions of the memories `pairs` name (`olds`: those the user has): each names
 * its replacement and the time, with a new version. One already superseded by the same memory is
 * left out (a retry); an id the user has no memory for is INVALID_ARGUMENT on its field.
 */
export function supersededRecords(pairs: readonly SupersedePair[], olds: readonly MemoryRecord[], nowMs: number): MemoryRecord[] {
  const byOld = new Map(olds.map((r) => [r.id, r]));
  const out: MemoryRecord[] = [];
  for (const p of pairs) {
    const old = byOld.get(p.oldId);
    if (!old) throw new InvalidArgumentError(p.field, `memory ${p.oldId} not found`);
    if (old.supersededBy === p.byId) continue;
    out.push({ ...old, supersededBy: p.byId, validUntilMs: nowMs, updatedAtMs: Math.max(nowMs, old.updatedAtMs), version: old.version + 1 });
  }
  return out;
}
