import { describe, expect, it } from 'vitest';
import { authEnabled, CONFIG_SPEC, configTableMarkdown, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

describe('configuration', () => {
  it('uses documented defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.grpcAddress).toBe('127.0.0.1:50051');
    expect(c.httpAddress).toBe('127.0.0.1:9464');
    expect(c.dataDir).toBe('./data');
    expect(c.embedder).toBe('lexical');
  });

  it('parses environment values and lets code overrides win', () => {
    const c = loadConfig({ EMBEDDING_DIMENSIONS: '128', WAL_SYNC: 'false', RANK_SIMILARITY_WEIGHT: '0.5' }, { dataDir: '/x' });
    expect(c.embeddingDimensions).toBe(128);
    expect(c.walSync).toBe(false);
    expect(c.rankSimilarityWeight).toBe(0.5);
    expect(c.dataDir).toBe('/x');
  });

  it.each([
    ['EMBEDDING_DIMENSIONS', 'abc'],
    ['EMBEDDING_DIMENSIONS', '0'],
    ['GRPC_ADDRESS', 'nohost'],
    ['WAL_SYNC', 'maybe'],
    ['EMBEDDER', 'word2vec'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['COMPACT_DEAD_RATIO', '7'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(name);
    }
  });

  it('needs a key or a base URL for the OpenAI embedder', () => {
    expect(() => loadConfig({ EMBEDDER: 'openai' })).toThrow(ConfigError);
    expect(loadConfig({ EMBEDDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }).embedder).toBe('openai');
  });

  it('turns auth on by itself for Postgres or a non-loopback address, and refuses it off there unless forced', () => {
    expect(authEnabled(loadConfig({}))).toBe(false);
    expect(authEnabled(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db' }))).toBe(true);
    expect(authEnabled(loadConfig({ GRPC_ADDRESS: '0.0.0.0:50051' }))).toBe(true);
    expect(authEnabled(loadConfig({ AUTH: 'on' }))).toBe(true);
    try {
      loadConfig({ AUTH: 'off', GRPC_ADDRESS: '0.0.0.0:50051' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).variable).toBe('AUTH');
    }
    expect(authEnabled(loadConfig({ AUTH: 'off', GRPC_ADDRESS: '0.0.0.0:50051', AUTH_ALLOW_INSECURE_BIND: 'true' }))).toBe(false);
  });

  it('renders a README row for every variable', () => {
    const md = configTableMarkdown();
    for (const s of Object.values(CONFIG_SPEC)) expect(md).toContain(`\`${s.env}\``);
  });
});
