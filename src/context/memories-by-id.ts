/**
 * Memories by id for context assembly and prefetch: L1 first (a lookup also refreshes the
 * entry's place in the LRU), the rest from the store in one call, then cached in L1 at once and
 * in L2 in the background. Expired memories are left out.
 */
import { memoryCodec } from '../engine/cache/codecs.js';
import { cacheKeys } from '../engine/cache/keys.js';
import type { TieredCache } from '../engine/cache/tiered-cache.js';
import { unexpired } from '../engine/filter.js';
import type { MemoryRecord } from '../engine/types.js';
import type { VectorStore } from '../engine/vector/vector-store.js';

export async function memoriesById(
  d: { cache: TieredCache; store: VectorStore },
  userId: string,
  ids: readonly string[],
  signal: AbortSignal | undefined,
): Promise<{ records: MemoryRecord[]; fromStore: number }> {
  const found: MemoryRecord[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const r = d.cache.l1.get<MemoryRecord>(cacheKeys.memory(userId, id), 'memory');
    if (r) found.push(r);
    else missing.push(id);
  }
  let fromStore = 0;
  if (missing.length > 0) {
    const loaded = await d.store.get(userId, missing, signal ? { signal } : {});
    for (const r of loaded) void d.cache.set(cacheKeys.memory(userId, r.id), r, memoryCodec).catch(() => undefined);
    found.push(...loaded);
    fromStore = loaded.length;
  }
  const now = Date.now();
  return { records: found.filter((r) => unexpired(r, now)), fromStore };
}
