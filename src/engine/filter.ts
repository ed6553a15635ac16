import type { MemoryFilter, MemoryMeta } from './types.js';

export type MetaPredicate = (m: MemoryMeta) => boolean;

/** Whether a memory has not expired at `nowMs` (0 = never expires). */
export function unexpired(m: Pick<MemoryMeta, 'expiresAtMs'>, nowMs: number): boolean {
  return m.expiresAtMs === 0 || m.expiresAtMs > nowMs;
}

/** Whether a memory is current: not replaced by a newer one (supersession). */
export function current(m: Pick<MemoryMeta, 'supersededBy'>): boolean {
  return !m.supersededBy;
}

/** Whether default reads show a memory: unexpired and current. */
export function visible(m: Pick<MemoryMeta, 'expiresAtMs' | 'supersededBy'>, nowMs: number): boolean {
  return unexpired(m, nowMs) && current(m);
}

/**
 * Compiles a filter into one predicate. Expired memories (expiresAtMs ≤ nowMs) never match:
 * they stay invisible until maintenance removes them. Superseded ones match only when the
 * filter asks for history. `nowMs` 0 lets expired memories match too (maintenance sweeps).
 */
export function compileFilter(f: MemoryFilter | undefined, nowMs: number): MetaPredicate {
  const checks: MetaPredicate[] = [f?.includeSuperseded ? (m) => unexpired(m, nowMs) : (m) => visible(m, nowMs)];
  if (f) {
    const set = (xs: string[] | undefined) => (xs && xs.length > 0 ? new Set(xs) : undefined);
    const scopes = set(f.scopes);
    const namespaces = set(f.namespaces);
    const kinds = set(f.kinds);
    const tagsAny = set(f.tagsAny);
    const entitiesAny = set(f.entitiesAny);
    const ids = set(f.ids);
    if (scopes) checks.push((m) => scopes.has(m.scope));
    if (namespaces) checks.push((m) => namespaces.has(m.namespace));
    if (kinds) checks.push((m) => kinds.has(m.kind));
    if (tagsAny) checks.push((m) => m.tags.some((t) => tagsAny.has(t)));
    if (f.tagsAll && f.tagsAll.length > 0) {
      const all = f.tagsAll;
      checks.push((m) => all.every((t) => m.tags.includes(t)));
    }
    if (entitiesAny) checks.push((m) => m.entities.some((e) => entitiesAny.has(e)));
    if (ids) checks.push((m) => ids.has(m.id));
    if (f.agentId) checks.push((m) => m.agentId === f.agentId);
    if (f.sessionId) checks.push((m) => m.sessionId === f.sessionId);
    if (f.taskId) checks.push((m) => m.taskId === f.taskId);
    if (f.createdAfterMs) checks.push((m) => m.createdAtMs >= f.createdAfterMs!);
    if (f.createdBeforeMs) checks.push((m) => m.createdAtMs < f.createdBeforeMs!);
    if (f.minImportance !== undefined) checks.push((m) => m.importance >= f.minImportance!);
    if (f.maxImportance !== undefined) checks.push((m) => m.importance <= f.maxImportance!);
    if (f.pinned !== undefined) checks.push((m) => m.pinned === f.pinned);
  }
  if (checks.length === 1) return checks[0]!;
  return (m) => {
    for (const c of checks) if (!c(m)) return false;
    return true;
  };
}
