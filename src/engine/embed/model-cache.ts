/**
 * Where scripts/local-model.sh puts the default local model (all-MiniLM-L6-v2, int8 ONNX, from
 * PyPI packages): `$MEMORY_ENGINE_CACHE/models/all-minilm-l6-v2-int8`, the cache defaulting to
 * ~/.cache/memory-engine. With EMBEDDER=auto (the default) the service uses it when it is there.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_LOCAL_MODEL = 'all-minilm-l6-v2-int8';

/** The default model's directory when it holds a model and its tokenizer; undefined otherwise. */
export function cachedModelDir(env: Record<string, string | undefined>): string | undefined {
  const dir = join(env.MEMORY_ENGINE_CACHE || join(homedir(), '.cache', 'memory-engine'), 'models', DEFAULT_LOCAL_MODEL);
  return existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'tokenizer.json')) ? dir : undefined;
}
