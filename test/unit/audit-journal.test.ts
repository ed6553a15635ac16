/**
 * The audit journal on its own: acknowledged rows survive an abandoned process and are shipped
 * once, in order, with their append time; a database that refuses rows delays them but loses
 * none; shipped segments are deleted.
 */
import { readdir, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { AuditJournal, type JournaledAudit } from '../../src/metadata/audit-journal.js';
import { tempDir } from '../helpers.js';

const row = (i: number) => ({ userId: `u${i % 3}`, actor: 'tester', operation: 'Remember', memoryIds: [`m${i}`], requestId: `r${i}`, details: { n: String(i) } });

/** A table that keeps what it is shipped and the watermark, as SqlMetadataStore does. */
class FakeTable {
  rows: JournaledAudit[] = [];
  watermark = 0;
  refuse = false;
  ship = async (rows: readonly JournaledAudit[], upTo: number) => {
    await new Promise((r) => setImmediate(r));
    if (this.refuse) throw new Error('database down');
    this.rows.push(...rows);
    this.watermark = upTo;
  };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('AuditJournal', () => {
  it('replays acknowledged rows that never reached the table, once each, in order, with their time', async () => {
    const dir = await tempDir('me-journal-');
    dirs.push(dir);
    const table = new FakeTable();
    // A delay longer than the test: nothing ships until drain (or until the "crash").
    const first = new AuditJournal({ dir, ship: table.ship, shipDelayMs: 60_000 });
    await first.open(0);
    await Promise.all(Array.from({ length: 20 }, (_, i) => first.append(row(i))));
    await first.drain();
    expect(table.rows.map((r) => r.requestId)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    const before = Date.now();
    await Promise.all(Array.from({ length: 30 }, (_, i) => first.append(row(20 + i))));
    expect(table.rows).toHaveLength(20);
    // The process "dies" here: first is never closed, its 30 newer rows are only in the journal.

    const second = new AuditJournal({ dir, ship: table.ship, shipDelayMs: 60_000 });
    await second.open(table.watermark);
    expect(table.rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(table.rows[49]).toMatchObject({ ...row(49), seq: 50 });
    expect(table.rows[25]!.atMs).toBeGreaterThanOrEqual(before);
    expect(table.rows[25]!.atMs).toBeLessThan(Date.now());
    // Sequence numbers go on after the replayed ones.
    await second.append(row(50));
    await second.drain();
    expect(table.rows.at(-1)!.seq).toBe(51);
    await second.close();

    const third = new AuditJournal({ dir, ship: table.ship });
    await third.open(table.watermark);
    expect(table.rows).toHaveLength(51);
    await third.close();
  });

  it('acknowledges while the database refuses rows, then ships every one when it is back', async () => {
    const dir = await tempDir('me-journal-');
    dirs.push(dir);
    const table = new FakeTable();
    const journal = new AuditJournal({ dir, ship: table.ship, shipDelayMs: 1 });
    await journal.open(0);
    table.refuse = true;
    await Promise.all(Array.from({ length: 10 }, (_, i) => journal.append(row(i))));
    const err = await journal.drain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(journal.pending).toBe(10);
    table.refuse = false;
    // The background retry ships them without anyone asking.
    const deadline = Date.now() + 5000;
    while (journal.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(table.rows.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    await journal.close();
  });

  it('ships rows that arrived in bulk while a shipment was running, with no read and no timer to ask', async () => {
    const dir = await tempDir('me-journal-');
    dirs.push(dir);
    const table = new FakeTable();
    const slow = async (rows: readonly JournaledAudit[], upTo: number) => {
      await new Promise((r) => setTimeout(r, 50));
      await table.ship(rows, upTo);
    };
    // The delay outlasts the test: only the early-shipping threshold (256 rows) starts a shipment.
    const journal = new AuditJournal({ dir, ship: slow, shipDelayMs: 60_000, sync: false });
    await journal.open(0);
    await Promise.all(Array.from({ length: 300 }, (_, i) => journal.append(row(i))));
    // These arrive while the first shipment (rows 1–300) is still running.
    await Promise.all(Array.from({ length: 300 }, (_, i) => journal.append(row(300 + i))));
    const deadline = Date.now() + 5000;
    while (table.rows.length < 600 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(table.rows.map((r) => r.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    await journal.close();
  });

  it('waits in drain for an append still being written, and deletes segments once shipped', async () => {
    const dir = await tempDir('me-journal-');
    dirs.push(dir);
    const table = new FakeTable();
    const journal = new AuditJournal({ dir, ship: table.ship, shipDelayMs: 60_000, rotateBytes: 4096 });
    await journal.open(0);
    for (let round = 0; round < 10; round++) {
      const appended = Array.from({ length: 40 }, (_, i) => journal.append(row(round * 40 + i)));
      // Not awaited: drain must still include them.
      await journal.drain();
      expect(table.rows).toHaveLength((round + 1) * 40);
      await Promise.all(appended);
    }
    const segments = (await readdir(dir)).filter((f) => f.endsWith('.log'));
    expect(segments.length).toBeLessThanOrEqual(2);
    await journal.close();
    const again = new AuditJournal({ dir, ship: table.ship });
    await again.open(table.watermark);
    expect(table.rows).toHaveLength(400);
    expect(new Set(table.rows.map((r) => r.seq)).size).toBe(400);
    await again.close();
  });
});
