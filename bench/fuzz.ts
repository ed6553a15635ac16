/**
 * The long fuzz run: every RPC of memory.v1 with requests generated from the proto's own field
 * types (test/support/request-fuzzer.ts; the bounded version runs in `npm test`), against a
 * real server on embedded defaults, round-robin until the time is up. Prints, per RPC, how many
 * calls ended with which status, and every call that broke the property (INTERNAL, UNKNOWN or a
 * hang), with its seed so it can be replayed. Exits 1 on any.
 *
 *   npx tsx bench/fuzz.ts [--seconds 600] [--seed N]
 */
import fc from 'fast-check';
import * as grpc from '@grpc/grpc-js';
import { startApp } from '../test/helpers.js';
import { FORBIDDEN_CODES, memoryServiceRpcs, messageArb, send } from '../test/support/request-fuzzer.js';
import { arg } from './lib.js';

const DIMS = 8;
const seconds = Number(arg('seconds', '600'));
const seed = Number(arg('seed', String(Date.now() % 1_000_000)));
const t = await startApp({ embeddingDimensions: DIMS, precomputeEveryN: 25, maxMessageBytes: 8 * 1024 * 1024 });
const rpcs = memoryServiceRpcs();
const samplers = rpcs.map((rpc) => ({ rpc, arb: messageArb(rpc.requestType, DIMS) }));
const counts = new Map<string, Map<string, number>>();
const failures: string[] = [];
const end = Date.now() + seconds * 1000;
let round = 0;
let calls = 0;
while (Date.now() < end && failures.length < 20) {
  for (const { rpc, arb } of samplers) {
    const [req] = fc.sample(arb, { numRuns: 1, seed: seed + round * 1000 + samplers.findIndex((x) => x.rpc === rpc) });
    const r = await send(t.client, rpc, req!, 10_000);
    calls++;
    const name = r.code === -1 ? 'CLIENT_REFUSED' : grpc.status[r.code]!;
    const byCode = counts.get(rpc.name) ?? new Map<string, number>();
    byCode.set(name, (byCode.get(name) ?? 0) + 1);
    counts.set(rpc.name, byCode);
    if (FORBIDDEN_CODES.has(r.code)) failures.push(`${rpc.name} round ${round} (seed ${seed}): ${name} ${r.details}\n  ${JSON.stringify(req).slice(0, 500)}`);
  }
  round++;
}
await t.app.ready();
console.log(`fuzz: ${calls} calls in ${seconds} s over ${rpcs.length} RPCs (seed ${seed}), server ready afterwards`);
for (const [rpc, byCode] of counts) console.log(`  ${rpc.padEnd(18)} ${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}`);
console.log(failures.length === 0 ? 'no INTERNAL, UNKNOWN or hang' : `${failures.length} failures:\n${failures.join('\n')}`);
await t.stop();
process.exit(failures.length === 0 ? 0 : 1);
