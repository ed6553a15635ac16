/**
 * decay: importance halves every half-life a memory goes unread (pinned memories never decay);
 * a memory read or found by a search since the last run is reinforced instead. Each run decays
 * by the time since the previous run (or since the memory's last read or write), so runs at any
 * interval give the same result. The version stays: decay is not an edit.
 */
import { inBatches, lastRunAsOf, scanUser, type Counts, type MaintenanceDeps, type MaintenanceRun } from './context.js';

/** Changes smaller than this are not written. */
const EPSILON = 0.001;

export async function decayJob(d: MaintenanceDeps, run: MaintenanceRun): Promise<Counts> {
  const { halfLifeMs, floor, reinforce } = d.o.decay;
  const now = d.clock.now();
  const lastRunMs = await lastRunAsOf(d, run, 'decay');
  const all = await scanUser(d, run);
  let decayed = 0;
  let reinforced = 0;
  const updates: { id: string; version: number; importance: number }[] = [];
  for (const r of all) {
    let next: number;
    if (lastRunMs > 0 && r.accessedAtMs > lastRunMs) {
      next = Math.min(1, r.importance + reinforce * (1 - r.importance));
      reinforced++;
    } else {
      const since = Math.max(lastRunMs, r.accessedAtMs, r.updatedAtMs, r.createdAtMs);
      const idle = Math.max(0, now - since);
      next = r.importance <= floor ? r.importance : Math.max(floor, r.importance * Math.pow(0.5, idle / halfLifeMs));
      if (r.importance - next >= EPSILON) decayed++;
    }
    if (Math.abs(next - r.importance) >= EPSILON) updates.push({ id: r.id, version: r.version, importance: next });
  }
  let written = 0;
  if (!run.dryRun) {
    await inBatches(updates, d.o.batch, run, async (part) => {
      written += await d.store.setFields(run.userId, part, { signal: run.signal });
    });
    if (written > 0)
      await d.coherence.invalidate(
        run.userId,
        updates.map((u) => u.id),
      );
  }
  return { memories: all.length, decayed, reinforced, written, asOfMs: now };
}
