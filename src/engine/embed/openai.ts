/**
 * OpenAIEmbedder: any OpenAI-compatible embeddings endpoint through the `openai` package.
 * Provider errors are translated here, in one function: connection problems, timeouts, rate
 * limits and 5xx become UNAVAILABLE (retryable); a 400 about the input becomes INVALID_ARGUMENT.
 */
import OpenAI, { APIConnectionError, APIError, APIUserAbortError, BadRequestError } from 'openai';
import { CancelledError, InvalidArgumentError, MemoryError, UnavailableError } from '../../errors.js';
import { normalizeInPlace, type Embedder } from './embedder.js';

export interface OpenAIEmbedderOptions {
  baseURL?: string;
  apiKey: string;
  model: string;
  dimensions: number;
  timeoutMs: number;
  maxRetries?: number;
}

export class OpenAIEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  private readonly client: OpenAI;

  constructor(private readonly o: OpenAIEmbedderOptions) {
    this.dimensions = o.dimensions;
    this.modelId = `openai:${o.model}:${o.dimensions}`;
    this.client = new OpenAI({
      apiKey: o.apiKey === '' ? 'unused' : o.apiKey,
      ...(o.baseURL ? { baseURL: o.baseURL } : {}),
      timeout: o.timeoutMs,
      maxRetries: o.maxRetries ?? 2,
    });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    let res;
    try {
      res = await this.client.embeddings.create({ model: this.o.model, input: [...texts], dimensions: this.o.dimensions, encoding_format: 'float' }, signal ? { signal } : {});
    } catch (err) {
      throw translateOpenAIError(err);
    }
    if (res.data.length !== texts.length) throw new UnavailableError(`embeddings endpoint returned ${res.data.length} vectors for ${texts.length} texts`);
    const out: Float32Array[] = new Array(texts.length);
    for (const d of res.data) {
      if (d.embedding.length !== this.dimensions)
        throw new UnavailableError(`embeddings endpoint returned dimension ${d.embedding.length}, deployment expects ${this.dimensions} (EMBEDDING_DIMENSIONS)`);
      const v = Float32Array.from(d.embedding);
      if (!normalizeInPlace(v)) throw new UnavailableError('embeddings endpoint returned a zero vector');
      out[d.index] = v;
    }
    return out;
  }
}

export function translateOpenAIError(err: unknown): MemoryError {
  if (err instanceof MemoryError) return err;
  if (err instanceof APIUserAbortError) return new CancelledError('embedding cancelled');
  if (err instanceof APIConnectionError) return new UnavailableError('embeddings endpoint unreachable', { cause: err });
  if (err instanceof BadRequestError) return new InvalidArgumentError('content', `rejected by the embedding model: ${err.message}`);
  if (err instanceof APIError) return new UnavailableError(`embeddings endpoint failed (HTTP ${String(err.status)})`, { cause: err });
  return new UnavailableError('embedding failed', { cause: err });
}
