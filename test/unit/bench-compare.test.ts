import { describe, expect, it } from 'vitest';
import { compare, type Summary } from '../../bench/compare.js';

const base: Summary = {
  'search.p95': { value: 10, kind: 'latency', unit: 'ms' },
  'search.qps': { value: 1000, kind: 'throughput', unit: '/s' },
  'cache.hitRate': { value: 0.8, kind: 'rate', unit: '' },
  'server.rss': { value: 500, kind: 'memory', unit: 'MB' },
  'old.metric': { value: 1, kind: 'latency', unit: 'ms' },
};

const levels = (current: Summary) => Object.fromEntries(compare(base, current).map((v) => [v.name, v.level]));

describe('benchmark regression check', () => {
  it('applies the warn and fail thresholds per kind', () => {
    expect(
      levels({
        'search.p95': { value: 11.4, kind: 'latency', unit: 'ms' }, // +14%: ok
        'search.qps': { value: 890, kind: 'throughput', unit: '/s' }, // -11%: warn
        'cache.hitRate': { value: 0.74, kind: 'rate', unit: '' }, // -6 pts: warn
        'server.rss': { value: 760, kind: 'memory', unit: 'MB' }, // +52%: fail
        'new.metric': { value: 3, kind: 'latency', unit: 'ms' },
      }),
    ).toEqual({ 'search.p95': 'ok', 'search.qps': 'warn', 'cache.hitRate': 'warn', 'server.rss': 'fail', 'new.metric': 'new', 'old.metric': 'gone' });
    expect(
      levels({
        'search.p95': { value: 13.5, kind: 'latency', unit: 'ms' }, // +35%: fail
        'search.qps': { value: 700, kind: 'throughput', unit: '/s' }, // -30%: fail
        'cache.hitRate': { value: 0.64, kind: 'rate', unit: '' }, // -16 pts: fail
        'server.rss': { value: 560, kind: 'memory', unit: 'MB' }, // +12%: ok
        'old.metric': { value: 0.5, kind: 'latency', unit: 'ms' }, // faster: ok
      }),
    ).toEqual({ 'search.p95': 'fail', 'search.qps': 'fail', 'cache.hitRate': 'fail', 'server.rss': 'ok', 'old.metric': 'ok' });
  });

  it('never flags an improvement', () => {
    const v = compare(base, { 'search.qps': { value: 5000, kind: 'throughput', unit: '/s' }, 'cache.hitRate': { value: 0.99, kind: 'rate', unit: '' } });
    expect(v.filter((x) => x.name !== 'old.metric' && x.name !== 'search.p95' && x.name !== 'server.rss').every((x) => x.level === 'ok')).toBe(true);
  });
});
