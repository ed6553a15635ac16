/**
 * compress: content older than COMPRESS_AFTER_DAYS and longer than COMPRESS_MIN_BYTES is stored
 * Brotli-packed (packed-text.ts); stores unpack it on every read. Content is "old" by its last
 * write (updatedAt): each run takes the memories that became old since the previous run (an
 * edit stores content as text again and restarts its clock).
 */
import { pack } from '../../engine/packed-text.js';
import { inBatches, lastRunAsOf, scanUser, type Counts, type MaintenanceDeps, type MaintenanceRun } from './context.js';

export async function compressJob(d: MaintenanceDeps, run: MaintenanceRun): Promise<Counts> {
  const { afterMs, minBytes } = d.o.compress;
  const now = d.clock.now();
  const lastRunMs = await lastRunAsOf(d, run, 'compress');
  const from = lastRunMs > 0 ? lastRunMs - afterMs : 0;
  const to = now - afterMs;
  const all = await scanUser(d, run, { pinned: true });
  let bytesBefore = 0;
  let bytesAfter = 0;
  const updates: { id: string; version: number; storedContent: string }[] = [];
  for (const r of all) {
    if (r.updatedAtMs < from || r.updatedAtMs >= to) continue;
    const bytes = Buffer.byteLength(r.content, 'utf8');
    if (bytes < minBytes) continue;
    await run.pace(); // packing a long note takes a millisecond or more
    const packed = pack(r.content);
    // base64 of the Brotli bytes, as stored; only worth it when smaller.
    if (packed.length >= bytes) continue;
    bytesBefore += bytes;
    bytesAfter += packed.length;
    updates.push({ id: r.id, version: r.version, storedContent: packed });
  }
  let written = 0;
  if (!run.dryRun) {
    await inBatches(updates, d.o.batch, run, async (part) => {
      written += await d.store.setFields(run.userId, part, { signal: run.signal });
    });
  }
  return { candidates: updates.length, compressed: written, bytesBefore, bytesAfter, asOfMs: now };
}
