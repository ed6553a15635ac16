/** ttl: deletes expired memories for good (they were already hidden from every read). Pinned ones are exempt. */
import { callOf, inBatches, scanUser, type Counts, type MaintenanceDeps, type MaintenanceRun } from './context.js';

export async function ttlJob(d: MaintenanceDeps, run: MaintenanceRun): Promise<Counts> {
  const now = d.clock.now();
  const expired = (r: { expiresAtMs: number; pinned: boolean }) => !r.pinned && r.expiresAtMs > 0 && r.expiresAtMs <= now;
  const all = await scanUser(d, run, { expired: true });
  const ids = all.filter(expired).map((r) => r.id);
  if (run.dryRun) return { expired: ids.length, deleted: 0 };
  let deleted = 0;
  await inBatches(ids, d.o.batch, run, async (part) => {
    deleted += (await d.engine().expunge(callOf(run, 'ttl'), run.userId, part, { operation: 'Expire', details: { rule: 'ttl' } }, expired)).length;
  });
  return { expired: ids.length, deleted };
}
