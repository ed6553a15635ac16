/**
 * Property-based fuzz of every RPC over a real gRPC server (bounded here; `npx tsx bench/fuzz.ts`
 * runs the long version): no INTERNAL or UNKNOWN, no hang, the server stays healthy, and a
 * valid request afterwards works. Generators: test/support/request-fuzzer.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApp, status, type TestApp } from '../helpers.js';
import { FORBIDDEN_CODES, FUZZ_USERS, memoryServiceRpcs, messageArb, send } from '../support/request-fuzzer.js';

const DIMS = 8;
const RUNS_PER_RPC = Number(process.env.FUZZ_RUNS ?? 40);
const rpcs = memoryServiceRpcs();

describe('fuzzing every RPC', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ embeddingDimensions: DIMS, precomputeEveryN: 25, maxMessageBytes: 8 * 1024 * 1024 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('covers every method of the service', () => {
    expect(rpcs.map((r) => r.name)).toEqual(expect.arrayContaining(['Remember', 'RememberBatch', 'Search', 'StreamContext', 'ListTasks', 'ListAuditEvents', 'GetSummary']));
    expect(rpcs.length).toBeGreaterThanOrEqual(24);
  });

  for (const rpc of rpcs) {
    it(`${rpc.name}: never INTERNAL, UNKNOWN or a hang`, async () => {
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(messageArb(rpc.requestType, DIMS), async (req) => {
          const r = await send(t.client, rpc, req, 10_000);
          seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
          if (FORBIDDEN_CODES.has(r.code)) throw new Error(`${rpc.name} answered ${status[r.code]}: ${r.details}\nrequest: ${JSON.stringify(req).slice(0, 2000)}`);
        }),
        { numRuns: RUNS_PER_RPC, seed: Number(process.env.FUZZ_SEED ?? 20261202), endOnFailure: true },
      );
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(RUNS_PER_RPC);
    });
  }

  it('is still healthy afterwards, and a valid request works', async () => {
    await t.app.ready();
    const user = FUZZ_USERS[0]!;
    const { id } = await call<{ id: string }>(t.client, 'Remember', { userId: user, memory: { content: 'the fuzz run is over and this memory is fine' } });
    const res = await call<{ hits: { memory: { id: string } }[] }>(t.client, 'Search', { userId: user, query: 'the fuzz run is over and this memory is fine', topK: 3 });
    expect(res.hits.map((h) => h.memory.id)).toContain(id);
  });
});
