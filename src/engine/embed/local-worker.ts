/**
 * Worker thread of the local embedder: the ONNX session and the tokenizer live here, so a batch
 * of inference never blocks the service's event loop.
 *
 * Protocol: the first message is the model ({ modelFile, tokenizerFile, tokenizerConfigFile?,
 * pooling, threads, maxTokens }), answered by { ready } or { error }; then each
 * { id, texts } is answered by { id, vectors: Float32Array (n×d), dims } or { id, error }.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { normalizeInPlace } from './embedder.js';

interface Init {
  modelFile: string;
  tokenizerFile: string;
  tokenizerConfigFile?: string;
  pooling: 'mean' | 'cls';
  threads: number;
  maxTokens: number;
}

/** Texts of one batch run through the model in groups of similar length, so padding stays small. */
const GROUP = 16;

let session: ort.InferenceSession | undefined;
let tokenizer: Tokenizer | undefined;
let init: Init | undefined;

async function load(o: Init): Promise<void> {
  const config = o.tokenizerConfigFile ? (JSON.parse(readFileSync(o.tokenizerConfigFile, 'utf8')) as object) : {};
  tokenizer = new Tokenizer(JSON.parse(readFileSync(o.tokenizerFile, 'utf8')) as object, config);
  session = await ort.InferenceSession.create(o.modelFile, { intraOpNumThreads: o.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  init = o;
}

async function embed(texts: string[]): Promise<{ vectors: Float32Array; dims: number }> {
  const o = init!;
  const ids = texts.map((t) => {
    const e = tokenizer!.encode(t).ids;
    // Keep [CLS] … [SEP] shape when cutting: the first tokens and the closing special token.
    return e.length <= o.maxTokens ? e : [...e.slice(0, o.maxTokens - 1), e[e.length - 1]!];
  });
  const order = ids.map((_, i) => i).sort((a, b) => ids[a]!.length - ids[b]!.length);
  let out: Float32Array | undefined;
  let dims = 0;
  for (let g = 0; g < order.length; g += GROUP) {
    const group = order.slice(g, g + GROUP);
    const len = Math.max(...group.map((i) => ids[i]!.length));
    const n = group.length;
    const inputIds = new BigInt64Array(n * len);
    const mask = new BigInt64Array(n * len);
    group.forEach((i, row) => {
      ids[i]!.forEach((tok, j) => {
        inputIds[row * len + j] = BigInt(tok);
        mask[row * len + j] = 1n;
      });
    });
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', inputIds, [n, len]),
      attention_mask: new ort.Tensor('int64', mask, [n, len]),
    };
    if (session!.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * len), [n, len]);
    const result = await session!.run(feeds);
    const hidden = result[session!.outputNames[0]!]!;
    const h = hidden.data as Float32Array;
    dims = hidden.dims[2]!;
    out ??= new Float32Array(texts.length * dims);
    group.forEach((i, row) => {
      const v = out!.subarray(i * dims, (i + 1) * dims);
      const tokens = ids[i]!.length;
      const base = row * len * dims;
      if (o.pooling === 'cls') v.set(h.subarray(base, base + dims));
      else {
        for (let t = 0; t < tokens; t++) for (let d = 0; d < dims; d++) v[d]! += h[base + t * dims + d]!;
        for (let d = 0; d < dims; d++) v[d]! /= tokens;
      }
      normalizeInPlace(v);
    });
    for (const t of Object.values(result)) t.dispose();
  }
  return { vectors: out ?? new Float32Array(0), dims };
}

parentPort!.on('message', (m: Init | { id: number; texts: string[] }) => {
  if (!('id' in m)) {
    load(m).then(
      () => parentPort!.postMessage({ ready: true }),
      (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  embed(m.texts).then(
    ({ vectors, dims }) => parentPort!.postMessage({ id: m.id, vectors, dims }, [vectors.buffer as ArrayBuffer]),
    (e: unknown) => parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
