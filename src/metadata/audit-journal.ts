/**
 * AuditJournal: the audit log's durable front for embedded PGlite. An audit row is acknowledged
 * once it is in a group-committed write-ahead log (one write + fdatasync for every row that
 * arrived while the previous flush ran, ~0.4 ms); a background shipper then moves rows into the
 * `audit_events` table in large INSERTs, each in one transaction with the journal's watermark.
 *
 * Why: every PGlite statement costs ~0.5 ms of CPU whatever its size (its emulated file system
 * does most of that work), so under concurrent writes the audit INSERT, not the vector store,
 * bounded single Remembers; and PGlite runs Postgres with fsync off, so a row in its table is
 * safe from a process crash but not from a machine crash, where the journal's fdatasync is.
 *
 * Reads of the audit table call `drain()` first: it waits for every append started before it
 * and ships them, so a reader sees what any acknowledged write logged (as with a direct INSERT).
 * On open, rows above the watermark are replayed from the journal and shipped again: an INSERT
 * and its watermark commit together, so no row is shipped twice or lost.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { WriteAheadLog } from '../durable/write-ahead-log.js';
import { UnavailableError } from '../errors.js';
import type { AuditInput } from './metadata-store.js';

/** An audit row as journaled: its sequence number and when it was appended. */
export interface JournaledAudit extends AuditInput {
  seq: number;
  atMs: number;
}

export interface AuditJournalOptions {
  dir: string;
  /** Inserts `rows` and sets the watermark to `upToSeq`, in one transaction. */
  ship: (rows: readonly JournaledAudit[], upToSeq: number) => Promise<void>;
  /** fdatasync each group (off only in tests that do not need durability). */
  sync?: boolean;
  /** How long the first row of a batch may wait for others before shipping. */
  shipDelayMs?: number;
  /** A new journal segment from this size on (tests make it small). */
  rotateBytes?: number;
  log?: Logger;
}

/** Rows per INSERT (6–7 parameters each; far below Postgres' 65,535 limit). */
const SHIP_BATCH = 500;
/** Ship at once from this many waiting rows on, without waiting for the delay. */
const SHIP_EARLY_ROWS = 256;
/** Rows held while the database refuses them; beyond this, appends fail (back-pressure). */
const MAX_UNSHIPPED = 100_000;
/** A new journal segment from this size on; older ones go once shipped. */
const DEFAULT_ROTATE_BYTES = 4 * 1024 * 1024;
const DEFAULT_SHIP_DELAY_MS = 20;
const RETRY_MS = 1000;

export class AuditJournal {
  private readonly wal: WriteAheadLog;
  private unshipped: JournaledAudit[] = [];
  private nextSeq = 1;
  private lastAppend: Promise<void> = Promise.resolve();
  private shipping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A rotation's cut: segments before `segment` hold only rows up to `seq`. */
  private rotatedAt: { segment: number; seq: number } | undefined;
  private rotating = false;
  private closed = false;

  constructor(private readonly o: AuditJournalOptions) {
    this.wal = new WriteAheadLog(o.dir, o.sync ?? true);
  }

  /** Replays rows above `shippedSeq` (the table's watermark) and ships them before resolving. */
  async open(shippedSeq: number): Promise<void> {
    await mkdir(this.o.dir, { recursive: true });
    let last = shippedSeq;
    await this.wal.open(0, (payload) => {
      const row = JSON.parse(payload.toString('utf8')) as JournaledAudit;
      last = Math.max(last, row.seq);
      if (row.seq > shippedSeq) this.unshipped.push(row);
    });
    this.nextSeq = last + 1;
    await this.drain();
    // Every replayed row is in the table now: older segments can go at the next rotation.
    if (this.wal.bytesSinceRotation > 0) await this.rotate();
  }

  /** Resolves once the row is durable in the journal. */
  append(e: AuditInput): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError('the audit journal is closed'));
    if (this.unshipped.length >= MAX_UNSHIPPED) return Promise.reject(new UnavailableError('the metadata database has not taken audit rows for a while; writes wait for it'));
    const row: JournaledAudit = { ...e, memoryIds: [...e.memoryIds], seq: this.nextSeq++, atMs: Date.now() };
    const appended = this.wal.append(Buffer.from(JSON.stringify(row)), () => {
      this.unshipped.push(row);
      this.schedule();
    });
    this.lastAppend = appended.catch(() => undefined);
    return appended;
  }

  /** Ships every row appended before this call; fails (UNAVAILABLE) while the database does. */
  async drain(): Promise<void> {
    const target = this.nextSeq - 1;
    await this.lastAppend;
    // Rows stay in `unshipped` until their INSERT commits, so this also waits for one in flight.
    while (this.unshipped.length > 0 && this.unshipped[0]!.seq <= target) await this.shipOnce();
  }

  /** Ships what is left, then closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    try {
      await this.drain();
    } catch (err) {
      // The rows stay in the journal and are shipped at the next open.
      this.o.log?.warn({ err, rows: this.unshipped.length }, 'audit rows left in the journal at close');
    }
    await this.wal.close();
  }

  /** Rows acknowledged but not yet in the table. */
  get pending(): number {
    return this.unshipped.length;
  }

  private schedule(): void {
    if (this.unshipped.length >= SHIP_EARLY_ROWS) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.background(0);
    } else if (!this.timer) {
      this.background(this.o.shipDelayMs ?? DEFAULT_SHIP_DELAY_MS);
    }
  }

  private background(delayMs: number): void {
    const run = () => {
      this.timer = undefined;
      this.shipOnce().catch((err: unknown) => {
        this.o.log?.warn({ err, rows: this.unshipped.length }, 'audit rows not shipped to the metadata database; retrying');
        if (!this.closed && !this.timer) this.background(RETRY_MS);
      });
    };
    if (delayMs === 0) {
      if (!this.shipping) run();
      return;
    }
    this.timer = setTimeout(run, delayMs);
    this.timer.unref();
  }

  /**
   * One shipping pass (or the one running): the rows waiting when it starts, in batches. Rows
   * that arrive meanwhile wait for their own timer, so that they gather into a large INSERT.
   */
  private shipOnce(): Promise<void> {
    this.shipping ??= this.shipUpTo(this.nextSeq - 1).then(
      () => {
        this.shipping = undefined;
        // Rows that arrived during the pass and found it running set no timer of their own.
        if (this.unshipped.length > 0 && !this.closed) this.schedule();
      },
      (err: unknown) => {
        this.shipping = undefined;
        throw err;
      },
    );
    return this.shipping;
  }

  private async shipUpTo(lastSeq: number): Promise<void> {
    while (this.unshipped.length > 0 && this.unshipped[0]!.seq <= lastSeq) {
      let n = 0;
      while (n < SHIP_BATCH && n < this.unshipped.length && this.unshipped[n]!.seq <= lastSeq) n++;
      const batch = this.unshipped.slice(0, n);
      const upTo = batch[n - 1]!.seq;
      try {
        await this.o.ship(batch, upTo);
      } catch (err) {
        throw new UnavailableError('the metadata database did not take the audit rows', { cause: err });
      }
      this.unshipped.splice(0, n);
      await this.retireSegments(upTo);
    }
  }

  /** Drops segments whose rows are all shipped; starts a new segment when the current one is big. */
  private async retireSegments(shippedSeq: number): Promise<void> {
    if (this.rotatedAt && shippedSeq >= this.rotatedAt.seq) {
      const { segment } = this.rotatedAt;
      this.rotatedAt = undefined;
      await this.wal.removeSegmentsBefore(segment);
    }
    if (!this.rotatedAt && this.wal.bytesSinceRotation >= (this.o.rotateBytes ?? DEFAULT_ROTATE_BYTES)) await this.rotate();
  }

  private async rotate(): Promise<void> {
    if (this.rotating || this.closed) return;
    this.rotating = true;
    try {
      // Every row with a sequence number below nextSeq was queued before the cut.
      const seq = this.nextSeq - 1;
      const segment = await this.wal.rotate((s) => s);
      if (this.unshipped.length === 0 || this.unshipped[0]!.seq > seq) await this.wal.removeSegmentsBefore(segment);
      else this.rotatedAt = { segment, seq };
    } finally {
      this.rotating = false;
    }
  }
}
