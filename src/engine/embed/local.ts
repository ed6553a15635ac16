/**
 * LocalEmbedder: a sentence-embedding model on this machine (EMBEDDER=local), an ONNX file and
 * its tokenizer.json in LOCAL_MODEL_PATH, run by onnxruntime-node in a worker thread. Nothing is
 * downloaded, ever: the directory is the model.
 *
 * The model's identity (what stored vectors record) is its directory name and the SHA-256 of its
 * ONNX file, so swapping the file for another model is refused at start like a changed provider.
 * Micro-batching is EmbeddingService's, as for every provider; a worker that dies fails its
 * calls with UNAVAILABLE and the next call starts a new one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ConfigError, UnavailableError, throwIfAborted } from '../../errors.js';
import { startModuleWorker } from '../../worker-thread.js';
import type { Embedder } from './embedder.js';

export interface LocalEmbedderOptions {
  /** A directory with an ONNX model (model.onnx, or the one .onnx file in it or in onnx/) and tokenizer.json. */
  modelPath: string;
  dimensions: number;
  /** onnxruntime's intra-op threads. */
  threads: number;
  /** Longer texts are cut to this many tokens (the model's own limit is usually 256 or 512). */
  maxTokens: number;
}

interface Files {
  modelFile: string;
  tokenizerFile: string;
  tokenizerConfigFile?: string;
  pooling: 'mean' | 'cls';
}

interface Pending {
  resolve: (v: Float32Array[]) => void;
  reject: (e: unknown) => void;
  n: number;
}

export class LocalEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  private readonly files: Files;
  private worker: { w: Worker; ready: Promise<void> } | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly o: LocalEmbedderOptions) {
    this.files = modelFiles(o.modelPath, o.dimensions);
    this.dimensions = o.dimensions;
    const sha = createHash('sha256').update(readFileSync(this.files.modelFile)).digest('hex').slice(0, 12);
    this.modelId = `local:${basename(resolve(o.modelPath))}:${sha}`;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    throwIfAborted(signal);
    if (texts.length === 0) return [];
    const { w, ready } = this.ensureWorker();
    await ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, n: texts.length });
      w.postMessage({ id, texts: [...texts] });
    });
  }

  /** Stops the worker; a later call starts another. */
  async close(): Promise<void> {
    const cur = this.worker;
    this.worker = undefined;
    await cur?.w.terminate();
  }

  private ensureWorker(): { w: Worker; ready: Promise<void> } {
    if (this.worker) return this.worker;
    const w = startModuleWorker('local-worker', import.meta.url);
    w.unref();
    let onReady!: () => void;
    let onFail!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => {
      onReady = res;
      onFail = rej;
    });
    ready.catch(() => undefined);
    w.on('message', (m: { ready?: boolean; error?: string; id?: number; vectors?: Float32Array; dims?: number }) => {
      if (m.id === undefined) {
        if (m.ready) onReady();
        else onFail(new UnavailableError(`local embedding model failed to load: ${m.error}`));
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) return p.reject(new UnavailableError(`local embedding failed: ${m.error}`));
      if (m.dims !== this.dimensions) return p.reject(new ConfigError('EMBEDDING_DIMENSIONS', `the local model gives ${m.dims}-d vectors; this deployment is configured for ${this.dimensions}`));
      const out: Float32Array[] = [];
      for (let i = 0; i < p.n; i++) out.push(m.vectors!.slice(i * this.dimensions, (i + 1) * this.dimensions));
      p.resolve(out);
    });
    const fail = (why: string) => {
      onFail(new UnavailableError(why));
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new UnavailableError(why));
      }
      if (this.worker?.w === w) this.worker = undefined;
    };
    w.on('error', (e) => fail(`local embedding worker crashed: ${e.message}`));
    w.on('exit', (code) => fail(`local embedding worker exited (${code})`));
    w.postMessage({ ...this.files, threads: this.o.threads, maxTokens: this.o.maxTokens });
    this.worker = { w, ready };
    return this.worker;
  }
}

/** Finds the model's files, refusing a directory that lacks one or a model of another dimension. */
function modelFiles(dir: string, dimensions: number): Files {
  const need = (what: string) => new ConfigError('LOCAL_MODEL_PATH', `${dir} has no ${what}`);
  if (!existsSync(dir)) throw new ConfigError('LOCAL_MODEL_PATH', `${dir} does not exist`);
  const onnx = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.onnx')) : []);
  let modelFile = join(dir, 'model.onnx');
  if (!existsSync(modelFile)) {
    const found = [...onnx(dir).map((f) => join(dir, f)), ...onnx(join(dir, 'onnx')).map((f) => join(dir, 'onnx', f))];
    if (found.length !== 1) throw found.length === 0 ? need('.onnx model') : new ConfigError('LOCAL_MODEL_PATH', `${dir} has several .onnx files; name the one to use model.onnx`);
    modelFile = found[0]!;
  }
  const tokenizerFile = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerFile)) throw need('tokenizer.json');
  const tokenizerConfigFile = join(dir, 'tokenizer_config.json');
  const config = join(dir, 'config.json');
  if (existsSync(config)) {
    const hidden = (JSON.parse(readFileSync(config, 'utf8')) as { hidden_size?: number }).hidden_size;
    if (typeof hidden === 'number' && hidden !== dimensions) throw new ConfigError('EMBEDDING_DIMENSIONS', `the model in ${dir} gives ${hidden}-d vectors; set EMBEDDING_DIMENSIONS=${hidden}`);
  }
  const poolingFile = join(dir, '1_Pooling', 'config.json');
  const cls = existsSync(poolingFile) && (JSON.parse(readFileSync(poolingFile, 'utf8')) as { pooling_mode_cls_token?: boolean }).pooling_mode_cls_token === true;
  return { modelFile, tokenizerFile, ...(existsSync(tokenizerConfigFile) ? { tokenizerConfigFile } : {}), pooling: cls ? 'cls' : 'mean' };
}
