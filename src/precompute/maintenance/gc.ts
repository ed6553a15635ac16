/**
 * gc: rules that delete memories nobody will miss, each configurable and off-able, each
 * audited with its rule (operation GC, details.rule). Pinned memories are never touched.
 *   failed_task     memories of tasks that FAILED more than GC_FAILED_TASK_DAYS ago
 *   session         session-scoped memories older than GC_SESSION_DAYS
 *   low_confidence  confidence below GC_LOW_CONFIDENCE, never read, older than GC_LOW_CONFIDENCE_DAYS
 *   duplicate       the same normalized content twice for a user: the most confident copy stays
 *                   (the oldest on a tie) and takes the others' tags and entities
 */
import type { Task } from '../../metadata/metadata-store.js';
import type { MemoryRecord } from '../../engine/types.js';
import { callOf, inBatches, scanUser, type Counts, type MaintenanceDeps, type MaintenanceRun } from './context.js';

export const GC_RULES = ['failed_task', 'session', 'low_confidence', 'duplicate'] as const;
export type GcRule = (typeof GC_RULES)[number];

/** Content as duplicates are recognised: Unicode-normalized, case-folded, whitespace collapsed. */
export function normalizedContent(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export async function gcJob(d: MaintenanceDeps, run: MaintenanceRun): Promise<Counts> {
  const g = d.o.gc;
  const now = d.clock.now();
  const all = await scanUser(d, run);
  const failedTasks = g.failedTasks.enabled ? await failedTaskIds(d, run.userId, now - g.failedTasks.afterMs) : new Set<string>();
  const rules: Record<GcRule, { enabled: boolean; test: (r: MemoryRecord) => boolean }> = {
    failed_task: { enabled: g.failedTasks.enabled, test: (r) => r.taskId !== '' && failedTasks.has(r.taskId) },
    session: { enabled: g.sessions.enabled, test: (r) => r.scope === 'SESSION' && r.createdAtMs < now - g.sessions.afterMs },
    low_confidence: { enabled: g.lowConfidence.enabled, test: (r) => r.confidence < g.lowConfidence.below && r.accessCount === 0 && r.createdAtMs < now - g.lowConfidence.afterMs },
    duplicate: { enabled: false, test: () => false }, // by groups, below
  };
  const counts: Counts = {};
  const taken = new Set<string>();
  for (const rule of GC_RULES) {
    counts[rule] = 0;
    const r = rules[rule];
    if (!r.enabled) continue;
    const ids = all.filter((m) => !taken.has(m.id) && r.test(m)).map((m) => m.id);
    ids.forEach((id) => taken.add(id));
    counts[rule] = await remove(d, run, ids, rule, (m) => !m.pinned && r.test(m));
  }
  if (g.duplicates.enabled)
    counts.duplicate = await duplicates(
      d,
      run,
      all.filter((m) => !taken.has(m.id) && !m.supersededBy),
    );
  counts.memories = all.length;
  return counts;
}

async function remove(d: MaintenanceDeps, run: MaintenanceRun, ids: string[], rule: GcRule, still: (r: MemoryRecord) => boolean): Promise<number> {
  if (run.dryRun) return ids.length;
  let n = 0;
  await inBatches(ids, d.o.batch, run, async (part) => {
    n += (await d.engine().expunge(callOf(run, 'gc'), run.userId, part, { operation: 'GC', details: { rule } }, still)).length;
  });
  return n;
}

async function failedTaskIds(d: MaintenanceDeps, userId: string, finishedBeforeMs: number): Promise<Set<string>> {
  const out = new Set<string>();
  let after: Parameters<typeof d.metadata.listTasks>[1]['after'];
  do {
    const page = await d.metadata.listTasks(userId, { limit: 500, status: 'FAILED', ...(after ? { after } : {}) });
    for (const t of page.items as Task[]) if (t.finishedAtMs > 0 && t.finishedAtMs < finishedBeforeMs) out.add(t.id);
    after = page.next;
  } while (after);
  return out;
}

/** Deletes all but one copy of each duplicated content, merging their tags and entities into the one kept. */
async function duplicates(d: MaintenanceDeps, run: MaintenanceRun, memories: MemoryRecord[]): Promise<number> {
  const groups = new Map<string, MemoryRecord[]>();
  for (const m of memories) {
    const key = normalizedContent(m.content);
    if (key === '') continue;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  const ctx = callOf(run, 'gc');
  // Each duplicate, with the content key it must still have when deleted and the copy it merges into.
  const doomed = new Map<string, { key: string; keptId: string }>();
  for (const [key, group] of groups) {
    if (group.length < 2) continue;
    group.sort((a, b) => b.confidence - a.confidence || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
    const [keep, ...rest] = group as [MemoryRecord, ...MemoryRecord[]];
    for (const r of rest) doomed.set(r.id, { key, keptId: keep.id });
    if (run.dryRun) continue;
    const tags = rest.flatMap((r) => r.tags).filter((t) => !keep.tags.includes(t));
    const entities = rest.flatMap((r) => r.entities).filter((e) => !keep.entities.includes(e));
    if (tags.length === 0 && entities.length === 0) continue;
    await run.pace();
    await d.engine().update(ctx, run.userId, keep.id, {
      ...(tags.length > 0 ? { tags: { values: [...new Set(tags)], replace: false } } : {}),
      ...(entities.length > 0 ? { entities: { values: [...new Set(entities)], replace: false } } : {}),
    });
  }
  if (run.dryRun) return doomed.size;
  let removed = 0;
  await inBatches([...doomed.keys()], d.o.batch, run, async (part) => {
    const kept = [...new Set(part.map((id) => doomed.get(id)!.keptId))].join(',');
    const still = (r: MemoryRecord) => !r.pinned && normalizedContent(r.content) === doomed.get(r.id)?.key;
    removed += (await d.engine().expunge(ctx, run.userId, part, { operation: 'GC', details: { rule: 'duplicate', kept } }, still)).length;
  });
  return removed;
}
