import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { loadMemoryProto } from '../../src/server/proto.js';
import { withFloat32RequestVectors } from '../../src/server/request-vectors.js';

const { proto } = loadMemoryProto();
const plain = proto.memory.v1.MemoryService.service;
const fast = withFloat32RequestVectors({ ...plain });

/** proto-loader's own decoding, with its number arrays turned into what the fast path returns. */
function expected(method: keyof typeof plain, bytes: Buffer): unknown {
  const r = plain[method]!.requestDeserialize(bytes) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'number') && v.length > 0 ? `floats:${v.join(',')}` : v)));
}

/** The fast path's result with its Float32Arrays in the same shape (an empty one is an empty list, as proto-loader gives). */
function actual(method: keyof typeof plain, bytes: Buffer): unknown {
  const r = fast[method]!.requestDeserialize(bytes) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Float32Array ? (v.length > 0 ? `floats:${Array.from(v).join(',')}` : []) : v)));
}

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => Math.fround(x));
const vector = fc.array(f32, { maxLength: 12 });
const memory = fc.record(
  {
    content: fc.string({ maxLength: 20 }),
    embedding: vector,
    tags: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    importance: f32,
    metadata: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  },
  { requiredKeys: ['content'] },
);

describe('request vectors as Float32Array', () => {
  it('decodes every vector-carrying request exactly as proto-loader does, vectors aside', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.array(memory, { maxLength: 4 }), vector, (userId, items, queryVector) => {
        const cases: [keyof typeof plain, object][] = [
          ['Remember', { userId, memory: items[0] }],
          ['RememberBatch', { userId, items }],
          ['Update', { userId, id: 'm1', embedding: queryVector, content: 'x' }],
          ['Search', { userId, query: 'q', queryVector, topK: 3 }],
          ['SearchBatch', { userId, searches: items.map((m) => ({ query: m.content, queryVector: m.embedding ?? [] })) }],
          ['AssembleContext', { userId, query: 'q', queryVector, tokenBudget: 100 }],
          ['StreamContext', { userId, queryVector }],
        ];
        for (const [method, req] of cases) {
          const bytes = plain[method]!.requestSerialize(req as never);
          expect(actual(method, bytes)).toEqual(expected(method, bytes));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('returns Float32Arrays, empty when a request has no vector', () => {
    const bytes = plain.RememberBatch.requestSerialize({ userId: 'u', items: [{ content: 'a', embedding: [0.5, -1] }, { content: 'b' }] });
    const r = fast.RememberBatch.requestDeserialize(bytes) as unknown as { items: { embedding: Float32Array }[] };
    expect(r.items[0]!.embedding).toEqual(Float32Array.of(0.5, -1));
    expect(r.items[1]!.embedding).toBeInstanceOf(Float32Array);
    expect(r.items[1]!.embedding.length).toBe(0);
  });

  it('reads unpacked floats and repeated occurrences as proto-loader does', () => {
    // SearchRequest: query_vector = 3. One packed run, then two unpacked floats, then another packed run.
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 2).string('u');
    w.uint32((3 << 3) | 2)
      .fork()
      .float(1)
      .float(2)
      .ldelim();
    w.uint32((3 << 3) | 5).float(3);
    w.uint32((3 << 3) | 5).float(4);
    w.uint32((3 << 3) | 2)
      .fork()
      .float(5)
      .ldelim();
    w.uint32((99 << 3) | 3)
      .uint32((1 << 3) | 0)
      .uint32(7)
      .uint32((99 << 3) | 4); // an unknown group, skipped
    const bytes = Buffer.from(w.finish());
    const r = fast.Search.requestDeserialize(bytes) as unknown as { queryVector: Float32Array };
    expect(Array.from(r.queryVector)).toEqual([1, 2, 3, 4, 5]);
    expect(actual('Search', bytes)).toEqual(expected('Search', bytes));
  });

  it('keeps the last occurrence of a singular message, as protobufjs does', () => {
    const w = protobuf.Writer.create();
    w.uint32((2 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('first')
      .uint32((8 << 3) | 2)
      .fork()
      .float(1)
      .ldelim()
      .ldelim();
    w.uint32((2 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('second')
      .uint32((8 << 3) | 2)
      .fork()
      .float(2)
      .float(3)
      .ldelim()
      .ldelim();
    const bytes = Buffer.from(w.finish());
    expect(actual('Remember', bytes)).toEqual(expected('Remember', bytes));
    expect(Array.from((fast.Remember.requestDeserialize(bytes) as unknown as { memory: { embedding: Float32Array } }).memory.embedding)).toEqual([2, 3]);
  });

  it('refuses a packed vector that is not whole floats, and a truncated message', () => {
    const w = protobuf.Writer.create();
    w.uint32((3 << 3) | 2).bytes(Buffer.from([0, 0, 128, 63, 1])); // five bytes
    expect(() => fast.Search.requestDeserialize(Buffer.from(w.finish()))).toThrow(/not whole floats/);
    const full = plain.Search.requestSerialize({ userId: 'u', queryVector: [1, 2, 3] });
    expect(() => fast.Search.requestDeserialize(full.subarray(0, full.length - 2))).toThrow();
  });
});
