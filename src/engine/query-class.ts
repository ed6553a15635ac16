/**
 * Query classes (DESIGN §4): the HNSW beam width (ef) each asks for, and how a close deadline
 * lowers it — the one table every search path reads, so none spells an ef of its own.
 */
import type { QueryClass } from './types.js';

/** HNSW beam width per query class, cheapest first. */
export const EF_BY_CLASS: Record<QueryClass, number> = { SUGGESTION: 32, PREFETCH: 64, PRIMARY: 128, VERIFICATION: 256 };
export const QUERY_CLASSES = Object.keys(EF_BY_CLASS) as QueryClass[];

/** The class's ef, lowered one class per halving of the time left below 20 ms. */
export function efFor(cls: QueryClass, deadlineMs: number | undefined, now = Date.now()): number {
  let i = QUERY_CLASSES.indexOf(cls);
  if (deadlineMs !== undefined) {
    const left = deadlineMs - now;
    if (left < 20) i = Math.max(0, i - 1);
    if (left < 10) i = Math.max(0, i - 1);
    if (left < 5) i = 0;
  }
  return EF_BY_CLASS[QUERY_CLASSES[i]!];
}
