/**
 * The Qdrant upsert coalescer with a recording sender: concurrent upserts share requests, a
 * point written twice keeps its order, failures reach every caller of the request, and a
 * cancelled caller stops waiting without holding up the others.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors.js';
import { UpsertCoalescer } from '../../src/engine/vector/qdrant/upsert-coalescer.js';

type Point = { id: string; v: number };

/** A sender that records each request and answers when `release` is called. */
function recordingSender() {
  const requests: { collection: string; points: Point[]; signal: AbortSignal | undefined }[] = [];
  let release: (() => void)[] = [];
  let fail: Error | undefined;
  return {
    requests,
    failNext: (e: Error) => (fail = e),
    releaseAll: () => {
      const r = release;
      release = [];
      for (const f of r) f();
    },
    send: (collection: string, points: Point[], signal: AbortSignal | undefined) =>
      new Promise<void>((resolve, reject) => {
        requests.push({ collection, points, signal });
        const err = fail;
        fail = undefined;
        release.push(() => (err ? reject(err) : resolve()));
      }),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('UpsertCoalescer', () => {
  it('sends the first upsert at once and the ones that arrive meanwhile together, per collection', async () => {
    const s = recordingSender();
    const c = new UpsertCoalescer<Point>({ send: s.send });
    const first = c.upsert('a', [{ id: 'p1', v: 1 }]);
    const rest = [2, 3, 4].map((i) => c.upsert('a', [{ id: `p${i}`, v: i }]));
    const other = c.upsert('b', [{ id: 'q1', v: 1 }]);
    await tick();
    expect(s.requests.map((r) => [r.collection, r.points.map((p) => p.id)])).toEqual([
      ['a', ['p1']],
      ['b', ['q1']],
    ]);
    s.releaseAll();
    await Promise.all([first, other]);
    await tick();
    expect(s.requests[2]).toMatchObject({ collection: 'a', points: [{ id: 'p2' }, { id: 'p3' }, { id: 'p4' }], signal: undefined });
    s.releaseAll();
    await Promise.all(rest);
  });

  it('keeps two writes of one point in separate requests, in order, and caps a request', async () => {
    const s = recordingSender();
    const c = new UpsertCoalescer<Point>({ send: s.send, maxPoints: 3 });
    const all = [c.upsert('a', [{ id: 'x', v: 0 }])];
    all.push(c.upsert('a', [{ id: 'x', v: 1 }]), c.upsert('a', [{ id: 'y', v: 1 }]), c.upsert('a', [{ id: 'x', v: 2 }]));
    all.push(c.upsert('a', [{ id: 'z1', v: 0 }]), c.upsert('a', [{ id: 'z2', v: 0 }]), c.upsert('a', [{ id: 'z3', v: 0 }]));
    for (let i = 0; i < 6 && s.requests.length < 5; i++) {
      await tick();
      s.releaseAll();
      await tick();
    }
    await Promise.all(all);
    expect(s.requests.map((r) => r.points.map((p) => `${p.id}=${p.v}`))).toEqual([['x=0'], ['x=1', 'y=1'], ['x=2', 'z1=0', 'z2=0'], ['z3=0']]);
  });

  it('fails every caller of a failed request, and later requests go on', async () => {
    const s = recordingSender();
    const c = new UpsertCoalescer<Point>({ send: s.send });
    const first = c.upsert('a', [{ id: 'p1', v: 1 }]);
    const grouped = [c.upsert('a', [{ id: 'p2', v: 1 }]), c.upsert('a', [{ id: 'p3', v: 1 }])];
    s.failNext(new Error('qdrant said no'));
    s.releaseAll();
    await first;
    await tick();
    expect(s.requests[1]!.points.map((p) => p.id)).toEqual(['p2', 'p3']);
    const later = c.upsert('a', [{ id: 'p4', v: 1 }]);
    s.releaseAll();
    for (const g of grouped) await expect(g).rejects.toThrow('qdrant said no');
    await tick();
    s.releaseAll();
    await expect(later).resolves.toBeUndefined();
  });

  it('lets a cancelled caller go at once; a lone caller’s request carries its signal', async () => {
    const s = recordingSender();
    const c = new UpsertCoalescer<Point>({ send: s.send });
    const lone = new AbortController();
    const first = c.upsert('a', [{ id: 'p1', v: 1 }], lone.signal);
    await tick();
    expect(s.requests[0]!.signal).toBe(lone.signal);
    const cancelled = new AbortController();
    const waiting = c.upsert('a', [{ id: 'p2', v: 1 }], cancelled.signal);
    const kept = c.upsert('a', [{ id: 'p3', v: 1 }]);
    cancelled.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    s.releaseAll();
    await first;
    await tick();
    expect(s.requests[1]!.points.map((p) => p.id)).toEqual(['p3']);
    s.releaseAll();
    await kept;
    await expect(c.upsert('a', [{ id: 'p4', v: 1 }], cancelled.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
