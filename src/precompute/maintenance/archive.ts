/** archive: memories nobody read for ARCHIVE_AFTER_DAYS (never pinned ones) move to the cold store. */
import type { MemoryRecord } from '../../engine/types.js';
import { callOf, inBatches, scanUser, type Counts, type MaintenanceDeps, type MaintenanceRun } from './context.js';

export async function archiveJob(d: MaintenanceDeps, run: MaintenanceRun): Promise<Counts> {
  if (!d.archive) return { idle: 0, archived: 0 };
  const archive = d.archive;
  const cutoff = d.clock.now() - d.o.archive.idleMs;
  // Idle: neither read nor written since the cutoff (a memory never read counts from its last write).
  const idle = (r: MemoryRecord) => !r.pinned && Math.max(r.accessedAtMs, r.updatedAtMs, r.createdAtMs) < cutoff;
  const all = await scanUser(d, run);
  const ids = all.filter(idle).map((r) => r.id);
  if (run.dryRun) return { idle: ids.length, archived: 0 };
  const moved: string[] = [];
  await inBatches(ids, d.o.moveBatch, run, async (part) => {
    moved.push(...(await archive.archive(callOf(run, 'archive'), run.userId, part, 'idle', idle, true)));
  });
  // Artifacts lose their archived sources once per run: pruning rewrites them, too costly per batch.
  await archive.pruned(run.userId, moved);
  return { idle: ids.length, archived: moved.length };
}
