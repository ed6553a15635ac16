/** Every live memory of a user that matches, read page by page: the one scroll-to-the-end loop. */
import { throwIfAborted } from '../../errors.js';
import type { MemoryFilter, MemoryRecord } from '../types.js';
import type { VectorStore } from './vector-store.js';

const PAGE = 1000;

export interface ScrollAllOptions {
  withVectors: boolean;
  filter?: MemoryFilter;
  signal?: AbortSignal;
  newestFirst?: boolean;
  /** Expired memories too (maintenance). */
  includeExpired?: boolean;
  /** Stop after this many. */
  limit?: number;
  /** Awaited before each page (background work gives the event loop a turn there). */
  pace?: () => Promise<void>;
  /** Memories per page: smaller pages are shorter stretches between two paces. */
  pageSize?: number;
}

export async function scrollAll(store: VectorStore, userId: string, o: ScrollAllOptions): Promise<MemoryRecord[]> {
  const out: MemoryRecord[] = [];
  let after: { createdAtMs: number; id: string } | undefined;
  for (;;) {
    throwIfAborted(o.signal);
    await o.pace?.();
    const limit = Math.min(o.pageSize ?? PAGE, (o.limit ?? Infinity) - out.length);
    if (limit <= 0) return out;
    const page = await store.scroll(userId, {
      limit,
      newestFirst: o.newestFirst ?? false,
      withVectors: o.withVectors,
      ...(o.filter ? { filter: o.filter } : {}),
      ...(o.includeExpired ? { includeExpired: true } : {}),
      ...(after ? { after } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    out.push(...page.records);
    if (!page.next) return out;
    after = page.next;
  }
}
