/**
 * MemoryEngine on in-memory parts (test/support/memory-store.ts, PGlite in memory, L1 only):
 * the write path's audit-first order and what a failed store write leaves, Forget by filter
 * across scroll pages, what the observer is told, and concurrent Update merges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheCoherence } from '../../src/engine/cache/coherence.js';
import { L1Cache } from '../../src/engine/cache/l1-cache.js';
import { TieredCache } from '../../src/engine/cache/tiered-cache.js';
import { MemoryEngine, type CallContext, type MemoryObserver } from '../../src/engine/memory-engine.js';
import type { MemoryRecord } from '../../src/engine/types.js';
import { UnavailableError } from '../../src/errors.js';
import { openPGlite } from '../../src/metadata/pglite/index.js';
import { SqlMetadataStore } from '../../src/metadata/sql-metadata-store.js';
import { Metrics } from '../../src/observability/metrics.js';
import { InMemoryVectorStore } from '../support/memory-store.js';
import { loadConfig } from '../../src/config.js';
import { fusionOptions, keywordEncoder } from '../../src/engine/keywords/from-config.js';
import { compileIndexText } from '../../src/engine/keywords/index-text.js';

const DIMS = 4;
const ttl = { memory: 60_000, search: 60_000, embedding: 60_000, profile: 60_000, precomputed: 60_000 };
const ctx: CallContext = { requestId: 'r', actor: 'test' };
const vec = (i: number) => [1, (i % 7) / 7, (i % 3) / 3, 0.5];

class RecordingObserver implements MemoryObserver {
  readonly events: string[] = [];
  written(_u: string, records: readonly MemoryRecord[], previous?: readonly MemoryRecord[]): void {
    this.events.push(`${previous ? 'updated' : 'written'}:${records.length}`);
  }
  async removed(_u: string, ids: readonly string[]): Promise<void> {
    this.events.push(`removed:${ids.length}`);
  }
  async userErased(): Promise<void> {
    this.events.push('erased');
  }
  sessionStarted(): void {}
}

let metadata: SqlMetadataStore;
beforeAll(async () => {
  metadata = new SqlMetadataStore({ kind: 'pglite', db: await openPGlite(undefined) });
  await metadata.open();
});
afterAll(async () => {
  await metadata?.close();
});

function engine(observer?: MemoryObserver) {
  const metrics = new Metrics();
  const l1 = new L1Cache({ maxBytes: 1 << 22, metrics, purgeEveryMs: 0 });
  const store = new InMemoryVectorStore(DIMS);
  const e = new MemoryEngine(
    {
      store,
      metadata,
      embeddings: undefined,
      cache: new TieredCache(l1, undefined, metrics, { l1: ttl, l2: ttl }),
      coherence: new CacheCoherence(l1, undefined),
      metrics,
      ...(observer ? { observer } : {}),
      keywords: keywordEncoder(loadConfig()),
    },
    {
      limits: { maxContentBytes: 10_000, maxBatchItems: 1000, maxTopK: 1000, maxMetadataBytes: 8192, maxTags: 64, dimensions: DIMS },
      ranking: { similarity: 1, importance: 0, recency: 0 },
      recencyHalfLifeMs: 86_400_000,
      searchMaxLagMs: 60_000,
      canEmbed: false,
      searchMode: 'HYBRID',
      fusion: fusionOptions(loadConfig()),
      indexText: compileIndexText('{content}'),
    },
  );
  return { e, store };
}

describe('MemoryEngine', () => {
  it('writes the audit row first; a failed store write leaves a <op>Failed row and no memory', async () => {
    const { e, store } = engine();
    const user = 'audit-first';
    store.failWrites = new UnavailableError('the store is down');
    await expect(e.remember(ctx, user, { content: 'x', embedding: vec(1) })).rejects.toBeInstanceOf(UnavailableError);
    expect(await store.count(user)).toBe(0);
    const audit = await e.listAuditEvents(ctx, user, {});
    expect(audit.items.map((a) => a.operation)).toEqual(['RememberFailed', 'Remember']);
    store.failWrites = undefined;
    const { id } = await e.remember(ctx, user, { content: 'x', embedding: vec(1) });
    expect((await e.get(ctx, user, id)).content).toBe('x');
  });

  it('forgets by filter across every scroll page, and nothing else', async () => {
    const { e, store } = engine();
    const user = 'forget-filter';
    for (let b = 0; b < 3; b++)
      await e.rememberBatch(
        ctx,
        user,
        Array.from({ length: 900 }, (_, i) => ({ content: `tagged ${b}-${i}`, embedding: vec(i), tags: ['old'] })),
      );
    await e.rememberBatch(
      ctx,
      user,
      Array.from({ length: 10 }, (_, i) => ({ content: `kept ${i}`, embedding: vec(i) })),
    );
    const deleted = await e.forget(ctx, user, [], { tagsAny: ['old'] });
    expect(deleted).toHaveLength(2700);
    expect(await store.count(user)).toBe(10);
  });

  it('tells its observer about writes, updates and removals, strongly for removals', async () => {
    const observer = new RecordingObserver();
    const { e } = engine(observer);
    const user = 'observed';
    const { id } = await e.remember(ctx, user, { content: 'first', embedding: vec(1) });
    await e.update(ctx, user, id, { importance: 0.9 });
    await e.update(ctx, user, id, { content: 'second', embedding: vec(2) });
    await e.forget(ctx, user, [id], undefined);
    await e.forgetUser(ctx, user);
    expect(observer.events).toEqual(['written:1', 'updated:1', 'removed:1', 'updated:1', 'removed:1', 'erased']);
  });

  it('ranks the whole candidate pool and shows only the best k, without keyword vectors or (unless asked) embeddings', async () => {
    const { e } = engine();
    const user = 'ranked';
    // 20 memories (all in the candidate pool): similarity falls with i while importance rises, so
    // with importance weighed in, the best k are the last ones in similarity order.
    const n = 20;
    const unit = (i: number) => [Math.cos(i / 50), Math.sin(i / 50), 0, 0];
    await e.rememberBatch(
      ctx,
      user,
      Array.from({ length: n }, (_, i) => ({ content: `note ${i}`, embedding: unit(i), importance: i / n })),
    );
    const weights = { similarity: 1, importance: 2, recency: 0 };
    const expected = Array.from({ length: n }, (_, i) => ({ i, score: Math.cos(i / 50) + (2 * i) / n }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 5);
    for (const includeEmbedding of [false, true]) {
      const r = await e.search(ctx, user, { queryVector: unit(0), topK: 5, weights, mode: 'DENSE', includeEmbedding });
      expect(r.hits.map((h) => h.memory.content)).toEqual(expected.map((x) => `note ${x.i}`));
      for (const [k, h] of r.hits.entries()) {
        expect(h.score).toBeCloseTo(expected[k]!.score, 5);
        expect(h.memory).not.toHaveProperty('keywords');
        expect(h.memory.embedding).toHaveLength(includeEmbedding ? DIMS : 0);
      }
    }
  });

  it('merges concurrent Updates under the memory lock: every added tag and key lands', async () => {
    const { e } = engine();
    const user = 'merges';
    const { id } = await e.remember(ctx, user, { content: 'm', embedding: vec(3) });
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k) => e.update(ctx, user, id, { tags: { values: [k], replace: false }, metadata: { values: { [k]: k }, replace: false } })));
    const m = await e.get(ctx, user, id);
    expect([...m.tags].sort()).toEqual([...keys].sort());
    expect(Object.keys(m.metadata).sort()).toEqual([...keys].sort());
    expect(m.version).toBe(21);
  });
});
