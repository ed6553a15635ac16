/** The request log: one debug line per call with method, user, code, ms, tier and request id; nothing when debug is off. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { logCalls, type EdgeCall } from '../../src/server/middleware.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}

const call = (method: string, request: object): EdgeCall => ({ method, request, ctx: { requestId: 'req-1', actor: 'a' } }) as unknown as EdgeCall;

describe('logCalls', () => {
  it('writes one line per call at debug, with the tier a response names', async () => {
    const { log, lines } = capture('debug');
    await logCalls(log)(call('Search', { userId: 'u1', query: 'x' }), () => Promise.resolve({ hits: [], tier: 'TIER_L1' }));
    await expect(logCalls(log)(call('Remember', { userId: 'u2' }), () => Promise.reject(new InvalidArgumentError('memory.content', 'is required')))).rejects.toThrow();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ msg: 'call', method: 'Search', user: 'u1', code: 'OK', tier: 'TIER_L1', requestId: 'req-1' });
    expect(typeof lines[0]!.ms).toBe('number');
    expect(lines[1]).toMatchObject({ method: 'Remember', user: 'u2', code: 'INVALID_ARGUMENT' });
    expect(lines[1]!.tier).toBeUndefined();
  });

  it('writes nothing above debug', async () => {
    const { log, lines } = capture('info');
    await logCalls(log)(call('Search', { userId: 'u1' }), () => Promise.resolve({}));
    expect(lines).toHaveLength(0);
  });
});
