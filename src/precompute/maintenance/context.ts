/**
 * What maintenance jobs (TTL, decay, compression, archival, GC) are given. They rewrite or
 * remove memories, so deletions go through the engine (locks, audit, strong invalidation) and
 * moves through the archive; a dry run reads the same way and only counts.
 */
import type { Archive } from '../../engine/archive/archive.js';
import type { CallContext, MemoryPatch } from '../../engine/memory-engine.js';
import type { MemoryRecord } from '../../engine/types.js';
import type { VectorStore } from '../../engine/vector/vector-store.js';
import type { MetadataStore } from '../../metadata/metadata-store.js';
import type { Clock } from '../clock.js';
import type { CacheCoherence } from '../../engine/cache/coherence.js';
import { scrollAll } from '../../engine/vector/scroll-all.js';
import type { JobContext } from '../scheduler.js';

/** The engine operations maintenance uses (MemoryEngine has them). */
export interface MaintenanceEngine {
  expunge(ctx: CallContext, userId: string, ids: readonly string[], audit: { operation: string; details: Record<string, string> }, still: (r: MemoryRecord) => boolean): Promise<string[]>;
  update(ctx: CallContext, userId: string, id: string, patch: MemoryPatch): Promise<MemoryRecord>;
}

export interface MaintenanceOptions {
  ttl: { enabled: boolean };
  decay: { enabled: boolean; halfLifeMs: number; floor: number; reinforce: number };
  compress: { enabled: boolean; afterMs: number; minBytes: number };
  archive: { enabled: boolean; idleMs: number };
  gc: {
    failedTasks: { enabled: boolean; afterMs: number };
    sessions: { enabled: boolean; afterMs: number };
    lowConfidence: { enabled: boolean; below: number; afterMs: number };
    duplicates: { enabled: boolean };
  };
  /** Memories per write (setFields, deletes). */
  batch: number;
  /**
   * Memories per archival move: smaller, because a move holds the memories' locks while it
   * writes the archive durably and then deletes them, and a request for one of them waits.
   */
  moveBatch: number;
}

export interface MaintenanceDeps {
  store: VectorStore;
  metadata: MetadataStore;
  /** Resolved when a run starts (the engine is built after precompute). */
  engine: () => MaintenanceEngine;
  archive: Archive | undefined;
  /** Decayed importances replace cached copies (a whole day's drift at once, not a correction). */
  coherence: CacheCoherence;
  clock: Clock;
  o: MaintenanceOptions;
}

export interface MaintenanceRun extends JobContext {
  dryRun: boolean;
}

export type Counts = Record<string, number>;

/** The call context of a maintenance run: the audit log names the job as the actor. */
export function callOf(run: MaintenanceRun, kind: string): CallContext {
  return { signal: run.signal, requestId: `job:${kind}:${run.startedAtMs}`, actor: `maintenance:${kind}` };
}

/** Memories per page of a job's scan: building a page's records is work between two paces. */
const SCAN_PAGE = 250;

/**
 * The user's memories a job looks at, current and superseded, without vectors, paced: the
 * unpinned ones (`pinned: true` to see those too: compression works on every memory), and with
 * `expired` the expired ones as well (only the TTL sweep asks for them).
 */
export function scanUser(d: MaintenanceDeps, run: MaintenanceRun, o: { pinned?: boolean; expired?: boolean } = {}): Promise<MemoryRecord[]> {
  return scrollAll(d.store, run.userId, {
    withVectors: false,
    ...(o.expired ? { includeExpired: true } : {}),
    filter: { includeSuperseded: true, ...(o.pinned ? {} : { pinned: false }) },
    signal: run.signal,
    pace: run.pace,
    pageSize: SCAN_PAGE,
  });
}

/** When the user's last successful run of `kind` read its inputs (the time it ran as; 0 = never). */
export async function lastRunAsOf(d: MaintenanceDeps, run: MaintenanceRun, kind: string): Promise<number> {
  const last = await d.metadata.lastSucceededRun(run.userId, kind);
  return last ? (last.counts.asOfMs ?? last.startedAtMs) : 0;
}

/** Runs `f` over `xs` in slices of `size`, pacing between them. */
export async function inBatches<T>(xs: readonly T[], size: number, run: MaintenanceRun, f: (part: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < xs.length; i += size) {
    run.signal.throwIfAborted();
    await run.pace();
    await f(xs.slice(i, i + size));
  }
}
