import { describe, expect, it } from 'vitest';
import { ExpiryQueue } from '../../src/engine/cache/expiry-queue.js';

describe('ExpiryQueue', () => {
  it('gives each key back once, when its time comes, in order, through compactions', () => {
    const q = new ExpiryQueue(100);
    const model: { key: string; at: number }[] = [];
    let now = 0;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(rand() * 3);
      const key = `k${Math.floor(rand() * 500)}`;
      q.push(key, now);
      model.push({ key, at: now + 100 });
      if (rand() < 0.3) {
        const expected = model.filter((e) => e.at <= now).map((e) => e.key);
        model.splice(0, expected.length);
        expect(q.due(now)).toEqual(expected);
        expect(q.length).toBe(model.length);
      }
    }
    expect(q.due(now + 100)).toEqual(model.map((e) => e.key));
    expect(q.length).toBe(0);
  });

  it('gives at most `limit` keys, the earliest, and the rest next time', () => {
    const q = new ExpiryQueue(10);
    for (let i = 0; i < 5; i++) q.push(`k${i}`, i);
    expect(q.due(100, 2)).toEqual(['k0', 'k1']);
    expect(q.due(100, 0)).toEqual([]);
    expect(q.due(100)).toEqual(['k2', 'k3', 'k4']);
  });
});
