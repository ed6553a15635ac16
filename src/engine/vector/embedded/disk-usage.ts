/** Bytes on disk of an embedded store directory, by part: the WAL, saved graphs, and vectors (snapshots, manifest). */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type DiskUsage = {
  vectors: number;
  graphs: number;
  wal: number;
};

export async function diskUsage(dir: string): Promise<DiskUsage> {
  const usage: DiskUsage = { vectors: 0, graphs: 0, wal: 0 };
  const walk = async (path: string, inWal: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return; // removed while we walked (a compaction, a forgotten user)
    }
    for (const e of entries) {
      const full = join(path, e.name);
      if (e.isDirectory()) {
        await walk(full, inWal || (path === dir && e.name === 'wal'));
        continue;
      }
      const size = await stat(full).then(
        (s) => s.size,
        () => 0,
      );
      if (inWal) usage.wal += size;
      else if (e.name.endsWith('.hnsw')) usage.graphs += size;
      else usage.vectors += size;
    }
  };
  await walk(dir, false);
  return usage;
}
