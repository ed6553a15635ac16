/**
 * Crash safety of archival: a real server process moves memories to the archive and is killed
 * (SIGKILL) in the middle of the run; after a restart every memory is in the hot store or in
 * the archive (both is allowed, neither never), and the next run finishes the move.
 */
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemoryServiceClient } from '../../src/generated/memory/v1/MemoryService.js';
import { call, newClient, tempDir } from '../helpers.js';
import { startService } from '../support/service-process.js';

const children: ChildProcess[] = [];
let dir = '';

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startServer(dataDir: string): Promise<{ child: ChildProcess; client: MemoryServiceClient }> {
  // Memories unread for 1.7 s are "idle" (ARCHIVE_AFTER_DAYS takes fractions); no sweeps of its own.
  const s = await startService({ DATA_DIR: dataDir, ARCHIVE_AFTER_DAYS: '0.00002', MAINTENANCE_INTERVAL_MS: '0', PRECOMPUTE_MIN_GAP_MS: '0', PRECOMPUTE_LEASE_MS: '2000' });
  children.push(s.child);
  return { child: s.child, client: newClient(s.grpcPort) };
}

/** Ids of the user's memories in the hot store and in the archive, from an export. */
function exported(client: MemoryServiceClient, userId: string): Promise<{ hot: Set<string>; cold: Set<string> }> {
  return new Promise((resolve, reject) => {
    const hot = new Set<string>();
    const cold = new Set<string>();
    const stream = (client as unknown as { ExportUser(req: object): NodeJS.EventEmitter }).ExportUser({ userId });
    stream.on('data', (c: { lines: string[] }) => {
      for (const line of c.lines) {
        const l = JSON.parse(line) as { type: string; archived?: boolean; memory?: { id: string } };
        if (l.type === 'memory') (l.archived ? cold : hot).add(l.memory!.id);
      }
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ hot, cold }));
  });
}

describe('archival under SIGKILL', () => {
  it('leaves every memory in the hot store or the archive, never in neither', async () => {
    dir = await tempDir('me-archive-crash-');
    const user = 'crash-archive';
    const first = await startServer(dir);
    const ids: string[] = [];
    for (let b = 0; b < 15; b++) {
      const res = await call<{ results: { id: string }[] }>(first.client, 'RememberBatch', {
        userId: user,
        items: Array.from({ length: 200 }, (_, i) => ({ content: `fact ${b}-${i} about the harbour and its boats` })),
      });
      ids.push(...res.results.map((r) => r.id));
    }
    await new Promise((r) => setTimeout(r, 2000));
    await call(first.client, 'TriggerPrecompute', { userId: user, job: 'archive' });
    // Kill once the run has moved something, while it still has more to move.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const audit = await call<{ events: unknown[] }>(first.client, 'ListAuditEvents', { userId: user, operation: 'Archive', pageSize: 100 });
      if (audit.events.length > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // A random moment within the next batches: between a batch's archive write and its delete too.
    await new Promise((r) => setTimeout(r, Math.random() * 400));
    first.child.kill('SIGKILL');
    first.client.close();

    const second = await startServer(dir);
    const after = await exported(second.client, user);
    const neither = ids.filter((id) => !after.hot.has(id) && !after.cold.has(id));
    expect(neither).toEqual([]);
    expect(after.cold.size).toBeGreaterThan(0);
    expect(after.hot.size).toBeGreaterThan(0); // killed mid-run: some were still to move

    // The next run finishes (once the killed run's lease has run out: until then a run is SKIPPED).
    const until = Date.now() + 60_000;
    for (;;) {
      const job = await call<{ id: string }>(second.client, 'TriggerPrecompute', { userId: user, job: 'archive' });
      let status = '';
      while (!['SUCCEEDED', 'SKIPPED', 'FAILED'].includes(status) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await call<{ status: string }>(second.client, 'GetJob', { userId: user, jobId: job.id })).status;
      }
      if (status === 'SUCCEEDED' || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const done = await exported(second.client, user);
    expect(done.hot.size).toBe(0);
    expect([...done.cold].sort()).toEqual([...ids].sort());
    second.client.close();
  });
});
