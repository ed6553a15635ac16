/**
 * How far V8 lets this process's heaps grow between full collections. By default V8 decides
 * (HEAP_GROWTH_PERCENT=0): when collections are cheap an old generation may grow to ~4× its live
 * objects, so at 10k memories the main thread's heap was ~138 MB for ~35 MB live. A percentage
 * makes every isolate collect once it has grown that much past what the last collection kept:
 * with 20 the process holds ~300 MB instead of ~380 at 10k memories, but on one core it served
 * ~30% fewer L1 searches and tripled their p99 (README "Footprint"), so it is an operator's
 * choice for memory-bound deployments, not the default. (V8's --optimize-for-size went to ~270 MB
 * and halved throughput: its 1 MB young generation promotes requests in flight.) The flag is
 * process-wide and read at each collection: it applies to the main thread from its next one and
 * to every worker thread started after it.
 */
import { setFlagsFromString } from 'node:v8';
import type { Config } from './config.js';

export function applyHeapSizing(c: Pick<Config, 'heapGrowthPercent'>): void {
  if (c.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${c.heapGrowthPercent}`);
}
