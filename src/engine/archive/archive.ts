/**
 * Archive: moves memories between the vector store (hot) and the cold store, and reads the cold
 * store for Get, Restore and searches that include the archive.
 *
 * Crash safety: a move writes the destination durably before it deletes the source, so a crash
 * at any moment leaves a memory in the hot store, the archive or both, never in neither. A
 * memory found in both is the hot one: restores and archive searches skip (and clean up) its
 * cold copy, and the next archival run replaces it.
 */
import type { MetadataStore } from '../../metadata/metadata-store.js';
import { audited } from '../audited.js';
import type { CacheCoherence } from '../cache/coherence.js';
import { dot } from '../embed/embedder.js';
import { compileFilter } from '../filter.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import type { MemoryFilter, MemoryRecord, VectorHit } from '../types.js';
import type { VectorStore } from '../vector/vector-store.js';
import type { ColdPage, ColdStore } from './cold-store.js';

/** Who asks for a move, for the audit row. */
export interface MoveContext {
  signal?: AbortSignal;
  requestId: string;
  actor: string;
}

/** Told when memories leave or come back (precompute prunes artifacts built from archived ones). */
export interface ArchiveObserver {
  removed(userId: string, ids: readonly string[]): Promise<void>;
  written(userId: string, records: readonly MemoryRecord[]): void;
}

export interface ArchiveDeps {
  store: VectorStore;
  cold: ColdStore;
  metadata: MetadataStore;
  coherence: CacheCoherence;
  locks: KeyedMutex;
  lockKey: (userId: string, id: string) => string;
  observer?: ArchiveObserver;
}

/** Archived memories read per page by scans (restore by filter, archive search). */
const SCAN_PAGE = 500;

export class Archive {
  constructor(private readonly d: ArchiveDeps) {}

  get kind(): string {
    return this.d.cold.kind;
  }

  /**
   * Moves memories to the cold store (those still in the hot store and, when `keep` is given,
   * still passing it under their locks: a memory pinned or read meanwhile stays). Resolves with
   * the ids moved. Caches drop them at once; precomputed artifacts built from them are pruned
   * too unless `deferPrune` (a run moving many batches prunes once at its end: `pruned`).
   */
  async archive(ctx: MoveContext, userId: string, ids: readonly string[], rule: string, keep?: (r: MemoryRecord) => boolean, deferPrune = false): Promise<string[]> {
    if (ids.length === 0) return [];
    const { store, cold, locks } = this.d;
    const moved = await locks.runAll(
      ids.map((id) => this.d.lockKey(userId, id)),
      async () => {
        const records = (await store.get(userId, ids, { signal: ctx.signal })).filter((r) => !keep || keep(r));
        if (records.length === 0) return [];
        const movedIds = records.map((r) => r.id);
        await cold.put(userId, records);
        const audit = { userId, actor: ctx.actor, operation: 'Archive', memoryIds: movedIds, requestId: ctx.requestId, details: { rule, archive: cold.kind } };
        await audited(this.d.metadata, audit, () => store.delete(userId, movedIds, { signal: ctx.signal }));
        return movedIds;
      },
    );
    if (moved.length > 0) {
      if (!deferPrune) await this.d.observer?.removed(userId, moved);
      await this.d.coherence.invalidate(userId, moved);
    }
    return moved;
  }

  /** Prunes archived memories from precomputed artifacts (after moves with `deferPrune`). */
  async pruned(userId: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.d.observer?.removed(userId, ids);
  }

  /**
   * Brings archived memories back into the hot store: these ids, or every archived memory
   * matching the filter (all of them without either). Resolves with the records restored.
   */
  async restore(ctx: MoveContext, userId: string, sel: { ids?: readonly string[]; filter?: MemoryFilter }, reason: string): Promise<MemoryRecord[]> {
    if (sel.ids) return this.restoreIds(ctx, userId, sel.ids, reason);
    // History too: a restore brings back the archive as it was, superseded memories included.
    const match = compileFilter({ ...sel.filter, includeSuperseded: true }, 0);
    const restored: MemoryRecord[] = [];
    for await (const records of this.pages(userId)) {
      const ids = records.filter((r) => match(r)).map((r) => r.id);
      restored.push(...(await this.restoreIds(ctx, userId, ids, reason)));
    }
    return restored;
  }

  private async restoreIds(ctx: MoveContext, userId: string, ids: readonly string[], reason: string): Promise<MemoryRecord[]> {
    if (ids.length === 0) return [];
    const { store, cold, locks } = this.d;
    const restored = await locks.runAll(
      ids.map((id) => this.d.lockKey(userId, id)),
      async () => {
        const archived = await cold.get(userId, ids);
        if (archived.length === 0) return [];
        const hot = new Set(
          (
            await store.get(
              userId,
              archived.map((r) => r.id),
              { signal: ctx.signal },
            )
          ).map((r) => r.id),
        );
        // A memory in both (a move cut short) is the hot one: only its cold copy goes.
        const back = archived.filter((r) => !hot.has(r.id));
        if (back.length > 0) {
          const audit = { userId, actor: ctx.actor, operation: 'Restore', memoryIds: back.map((r) => r.id), requestId: ctx.requestId, details: { reason, archive: cold.kind } };
          await audited(this.d.metadata, audit, () => store.upsert(userId, back, { signal: ctx.signal }));
        }
        await cold.delete(
          userId,
          archived.map((r) => r.id),
        );
        return back;
      },
    );
    if (restored.length > 0) {
      this.d.coherence.noteWrite(userId);
      await this.d.coherence.invalidate(
        userId,
        restored.map((r) => r.id),
      );
      this.d.observer?.written(userId, restored);
    }
    return restored;
  }

  /**
   * The `k` archived memories nearest to `vector` that match the filter, by an exact scan of
   * the user's whole archive (slow by design: the archive has no index). Memories also in the
   * hot store are left to the hot search.
   */
  async search(userId: string, q: { vector: Float32Array; k: number; filter?: MemoryFilter; minSimilarity?: number }, signal?: AbortSignal): Promise<VectorHit[]> {
    const now = Date.now();
    const match = compileFilter(q.filter, now);
    const best: VectorHit[] = [];
    for await (const records of this.pages(userId)) {
      signal?.throwIfAborted();
      for (const r of records) {
        if (!match(r) || r.embedding.length !== q.vector.length) continue;
        const similarity = dot(r.embedding, q.vector);
        if (q.minSimilarity !== undefined && similarity < q.minSimilarity) continue;
        if (best.length < q.k || similarity > best[best.length - 1]!.similarity) {
          best.push({ record: r, similarity });
          best.sort((a, b) => b.similarity - a.similarity);
          if (best.length > q.k) best.pop();
        }
      }
    }
    if (best.length === 0) return best;
    const hot = new Set(
      (
        await this.d.store.get(
          userId,
          best.map((h) => h.record.id),
          { ...(signal ? { signal } : {}) },
        )
      ).map((r) => r.id),
    );
    return best.filter((h) => !hot.has(h.record.id));
  }

  /** Archived memories by id, as they are (nothing restored). */
  peekMany(userId: string, ids: readonly string[]): Promise<MemoryRecord[]> {
    return this.d.cold.get(userId, ids);
  }

  /** The user's whole archive, page by page in id order (scans, export). */
  async *pages(userId: string): AsyncGenerator<MemoryRecord[]> {
    let after: string | undefined;
    do {
      const page: ColdPage = await this.d.cold.list(userId, { limit: SCAN_PAGE, ...(after ? { after } : {}) });
      yield page.records;
      after = page.next;
    } while (after);
  }

  /** Writes records straight to the archive (import of archived memories). */
  putCold(userId: string, records: readonly MemoryRecord[]): Promise<void> {
    return this.d.cold.put(userId, records);
  }

  /** Deletes archived copies (Forget): resolves with the ids that were archived. */
  forget(userId: string, ids: readonly string[]): Promise<string[]> {
    return this.d.cold.delete(userId, ids);
  }

  /** Archived ids matching a filter (Forget by filter reaches the archive too). */
  async matching(userId: string, filter: MemoryFilter): Promise<string[]> {
    const match = compileFilter(filter, Date.now());
    const out: string[] = [];
    for await (const records of this.pages(userId)) for (const r of records) if (match(r)) out.push(r.id);
    return out;
  }

  /** Erases the user's archive (ForgetUser). */
  erase(userId: string): Promise<number> {
    return this.d.cold.deleteUser(userId);
  }
}
