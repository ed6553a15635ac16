/** The embedder a configuration asks for (none: clients send vectors). */
import type { Config } from '../../config.js';
import type { Embedder } from './embedder.js';
import { LexicalEmbedder } from './lexical.js';
import { LocalEmbedder } from './local.js';
import { OpenAIEmbedder } from './openai.js';

export function buildEmbedder(c: Config): Embedder | undefined {
  switch (c.embedder) {
    case 'lexical':
      return new LexicalEmbedder(c.embeddingDimensions);
    case 'local':
      return new LocalEmbedder({ modelPath: c.localModelPath, dimensions: c.embeddingDimensions, threads: c.localModelThreads, maxTokens: c.localModelMaxTokens });
    case 'openai':
      return new OpenAIEmbedder({
        ...(c.openaiBaseUrl ? { baseURL: c.openaiBaseUrl } : {}),
        apiKey: c.openaiApiKey,
        model: c.openaiModel,
        dimensions: c.embeddingDimensions,
        timeoutMs: c.openaiTimeoutMs,
      });
    case 'none':
      return undefined;
    case 'auto':
      throw new Error('EMBEDDER=auto is resolved by loadConfig'); // never reached
  }
}
