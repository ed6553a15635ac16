/**
 * Child process of heap-sizing.test.ts: applies HEAP_GROWTH_PERCENT = argv[2], then keeps a
 * window of objects alive long enough to be promoted before they die (request state under load
 * does the same), and prints the largest heap V8 committed meanwhile, in MB.
 */
import { applyHeapSizing } from '../../src/heap-sizing.js';

applyHeapSizing({ heapGrowthPercent: Number(process.argv[2]) });
const live: object[] = [];
for (let i = 0; i < 200_000; i++) live.push({ i, s: `k${i}` });
const window: object[] = new Array(400_000);
let peak = 0;
for (let i = 0; i < 3_000_000; i++) {
  window[i % window.length] = { i, a: [i, i + 1], s: `v${i}` };
  if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(`${Math.round(peak / 2 ** 20)} ${live.length}\n`);
