import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const probe = fileURLToPath(new URL('../support/heap-growth-probe.ts', import.meta.url));

async function peakHeapMb(percent: number): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', probe, String(percent)], { timeout: 60_000 });
  return Number(stdout.split(' ')[0]);
}

describe('HEAP_GROWTH_PERCENT', () => {
  it('keeps a heap that promotes short-lived objects well below V8 adaptive growth', async () => {
    const adaptive = await peakHeapMb(0);
    const bounded = await peakHeapMb(20);
    // ~350 vs ~150 MB here: V8's adaptive growth let the old generation fill with dead objects.
    expect(bounded).toBeGreaterThan(0);
    expect(bounded).toBeLessThan(adaptive * 0.75);
  }, 120_000);
});
