/**
 * The local ONNX embedder with a real model (all-MiniLM-L6-v2 int8): unit vectors of the model's
 * dimension, meaning (a paraphrase is nearer than an unrelated sentence), the same vector for a
 * text whatever else shares its batch (padding and pooling), and refusals of a wrong setup.
 */
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEmbedder } from '../../src/engine/embed/local.js';
import { ConfigError } from '../../src/errors.js';
import { localModelPath } from '../support/local-model.js';

const model = localModelPath('local embedder');
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe.skipIf(!model)('LocalEmbedder (ONNX, worker thread)', () => {
  const e = model ? new LocalEmbedder({ modelPath: model, dimensions: 384, threads: 1, maxTokens: 256 }) : undefined;
  afterAll(async () => {
    await e?.close();
  });

  it('gives unit vectors that carry meaning', async () => {
    const [dog, pet, tax] = await e!.embed(['My dog is a golden retriever called Biscuit.', 'The user has a pet retriever.', 'Quarterly tax filings are due in April.']);
    expect(dog!.length).toBe(384);
    for (const v of [dog!, pet!, tax!]) expect(Math.abs(Math.sqrt(dot(v, v)) - 1)).toBeLessThan(1e-4);
    expect(dot(dog!, pet!)).toBeGreaterThan(dot(dog!, tax!) + 0.2);
    expect(e!.modelId).toMatch(/^local:all-minilm-l6-v2-int8:[0-9a-f]{12}$/);
  });

  it('embeds a text the same alone and in a batch of longer ones, and cuts overlong texts', async () => {
    const short = 'I moved to Lisbon last spring.';
    const [alone] = await e!.embed([short]);
    const batch = await e!.embed(['A much longer sentence that pads the batch, about sailing boats and harbours and the weather at sea in winter.', short, 'x '.repeat(2000)]);
    expect(dot(alone!, batch[1]!)).toBeGreaterThan(0.9999);
    expect(batch[2]!.length).toBe(384);
    expect(await e!.embed([])).toEqual([]);
  });

  it('refuses a directory without a model, or a model of another dimension', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'me-model-'));
    try {
      expect(() => new LocalEmbedder({ modelPath: dir, dimensions: 384, threads: 1, maxTokens: 256 })).toThrow(ConfigError);
      await symlink(join(model!, 'model.onnx'), join(dir, 'model.onnx'));
      expect(() => new LocalEmbedder({ modelPath: dir, dimensions: 384, threads: 1, maxTokens: 256 })).toThrow(/tokenizer\.json/);
      await cp(join(model!, 'tokenizer.json'), join(dir, 'tokenizer.json'));
      await cp(join(model!, 'config.json'), join(dir, 'config.json'));
      expect(() => new LocalEmbedder({ modelPath: dir, dimensions: 768, threads: 1, maxTokens: 256 })).toThrow(/EMBEDDING_DIMENSIONS=384/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
