import { describe, expect, it } from 'vitest';
import { compactMeta } from '../../src/engine/vector/embedded/compact-meta.js';
import type { MemoryMeta } from '../../src/engine/types.js';

function meta(over: Partial<MemoryMeta> = {}): MemoryMeta {
  return {
    id: 'm1',
    userId: 'u',
    agentId: 'a',
    sessionId: '',
    taskId: '',
    scope: 'USER',
    namespace: 'default',
    content: 'likes tea',
    kind: 'fact',
    importance: 0.5,
    confidence: 0.9,
    tags: [],
    entities: [],
    createdAtMs: 1_700_000_000_123,
    updatedAtMs: 1_700_000_000_456,
    expiresAtMs: 0,
    pinned: false,
    version: 3,
    metadata: {},
    ...over,
  };
}

describe('compactMeta', () => {
  it('keeps every field as it was, optional ones only when present', () => {
    for (const m of [
      meta(),
      meta({ tags: ['a', 'b'], entities: ['Paris'], metadata: { k: 'v' }, pinned: true, expiresAtMs: 1_800_000_000_000 }),
      meta({ supersededBy: 'm2', validUntilMs: 1_750_000_000_000 }),
      meta({ supersededBy: 'm2' }),
    ]) {
      const c = compactMeta(m);
      expect(c).toStrictEqual(m);
      expect(Object.keys(c).sort()).toEqual(Object.keys(m).sort());
      expect(JSON.parse(JSON.stringify(c))).toEqual(JSON.parse(JSON.stringify(m)));
    }
  });

  it('drops fields that are not a meta (a spread record brings its stats and vector along)', () => {
    const c = compactMeta({ ...meta(), accessCount: 4, embedding: new Float32Array(2) } as unknown as MemoryMeta);
    expect(c).toStrictEqual(meta());
  });

  it('shares one frozen empty value for empty tags, entities and metadata, and keeps non-empty ones', () => {
    const a = compactMeta(meta({ id: 'a' }));
    const b = compactMeta(meta({ id: 'b' }));
    expect(a.tags).toBe(b.tags);
    expect(a.entities).toBe(b.tags);
    expect(a.metadata).toBe(b.metadata);
    expect(Object.isFrozen(a.tags) && Object.isFrozen(a.metadata)).toBe(true);
    expect(() => (a.tags as string[]).push('x')).toThrow();
    const tags = ['x'];
    const metadata = { k: 'v' };
    const c = compactMeta(meta({ tags, metadata }));
    expect(c.tags).toBe(tags);
    expect(c.metadata).toBe(metadata);
  });
});
