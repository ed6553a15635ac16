/**
 * Durability under SIGKILL: a real server process takes concurrent writes; it is killed while
 * writes are in flight; after a restart on the same data directory every write that was
 * acknowledged is there (and searchable) with its audit row, and no batch is half there.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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

/** Starts `src/main.ts` in its own process; resolves with its gRPC port once it serves. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const s = await startService({ DATA_DIR: dataDir, INDEX_MIN_MEMORIES: '200' });
  children.push(s.child);
  return { child: s.child, port: s.grpcPort };
}

describe('crash recovery', () => {
  it('keeps every acknowledged write across SIGKILL', async () => {
    dir = await tempDir('me-crash-');
    const user = 'crash-user';
    const first = await startServer(dir);
    let client: MemoryServiceClient = newClient(first.port);
    const acked = new Map<string, string>();
    const ackedBatches: string[][] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const id = randomUUID();
        const content = `writer ${w} memory ${i} about topic ${i % 17}`;
        try {
          await call(client, 'Remember', { userId: user, memory: { id, content } });
          acked.set(id, content);
        } catch {
          return; // the server died: this write was never acknowledged
        }
      }
    };
    const batcher = async () => {
      for (let i = 0; !stop && i < 10_000; i++) {
        const items = Array.from({ length: 50 }, (_, j) => ({ id: randomUUID(), content: `batch ${i} item ${j}` }));
        try {
          await call(client, 'RememberBatch', { userId: user, items });
          ackedBatches.push(items.map((x) => x.id));
        } catch {
          return;
        }
      }
    };
    const loops = [...Array.from({ length: 6 }, (_, w) => writer(w)), batcher()];
    const deadline = Date.now() + 20_000;
    while (acked.size < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await Promise.all(loops);
    stop = true;
    client.close();
    expect(acked.size).toBeGreaterThanOrEqual(400);

    const second = await startServer(dir);
    client = newClient(second.port);
    const missing: string[] = [];
    for (const [id, content] of acked) {
      try {
        const m = await call<{ content: string }>(client, 'Get', { userId: user, id });
        if (m.content !== content) missing.push(id);
      } catch {
        missing.push(id);
      }
    }
    expect(missing).toEqual([]);
    // Batches are atomic: every acknowledged batch whole.
    for (const ids of ackedBatches) for (const id of ids) await call(client, 'Get', { userId: user, id });
    // Every acknowledged write has its audit row (journaled before the write, shipped to the
    // audit table in the background, replayed from the journal after the kill).
    const audited = new Set<string>();
    let pageToken = '';
    do {
      const page = await call<{ events: { memoryIds: string[] }[]; nextPageToken: string }>(client, 'ListAuditEvents', { userId: user, pageSize: 1000, pageToken });
      for (const e of page.events) for (const id of e.memoryIds) audited.add(id);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect([...acked.keys(), ...ackedBatches.flat()].filter((id) => !audited.has(id))).toEqual([]);
    // And searchable right after restart.
    const [someId, someContent] = [...acked.entries()][Math.floor(acked.size / 2)]!;
    const res = await call<{ hits: { memory: { id: string } }[] }>(client, 'Search', { userId: user, query: someContent, topK: 5 });
    expect(res.hits.map((h) => h.memory.id)).toContain(someId);
    client.close();
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    expect(second.child.exitCode).toBe(0);
  });
});
