/**
 * How this process compiles embedded PGlite's WebAssembly: by V8's baseline tier only (Liftoff)
 * unless PGLITE_OPTIMIZED_WASM. The optimized code of PGlite's large module held ~50–60 MB and its
 * background compiles competed with requests for the CPU; PGlite statements run 1.2–1.5× slower
 * without it (README "Footprint"). The flag is process-wide and read when a module compiles, so
 * it is applied before PGlite starts; with DATABASE_URL there is no PGlite and nothing changes.
 */
import { setFlagsFromString } from 'node:v8';
import type { Config } from '../../config.js';

export function applyPgliteWasmTier(c: Pick<Config, 'databaseUrl' | 'pgliteOptimizedWasm'>): void {
  if (!c.databaseUrl && !c.pgliteOptimizedWasm) setFlagsFromString('--liftoff-only');
}
