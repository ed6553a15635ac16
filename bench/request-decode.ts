/**
 * Decoding vector-carrying requests in the service's process: proto-loader's own deserializer
 * (packed floats become JS number arrays, twice) against the one the server uses
 * (src/server/request-vectors.ts: the floats read straight into Float32Arrays). Per request
 * kind: p50/p95 ms and the bytes each decode leaves in V8's old generation (the garbage a bulk
 * load promotes), alternating the two paths.
 *
 *   npx tsx bench/request-decode.ts [--dims 384] [--batch 1000] [--rounds 200]
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadMemoryProto } from '../src/server/proto.js';
import { withFloat32RequestVectors } from '../src/server/request-vectors.js';
import { arg, clusteredVectors, Latency } from './lib.js';

const DIMS = Number(arg('dims', '384'));
const BATCH = Number(arg('batch', '1000'));
const ROUNDS = Number(arg('rounds', '200'));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { proto } = loadMemoryProto();
const plain = proto.memory.v1.MemoryService.service;
const fast = withFloat32RequestVectors({ ...plain });
const data = clusteredVectors(BATCH, DIMS, 20, 1);
const items = Array.from({ length: BATCH }, (_, i) => ({ content: `memory ${i} about the garden and the weather`, tags: ['garden'], embedding: Array.from(data.subarray(i * DIMS, (i + 1) * DIMS)) }));
const requests = {
  [`RememberBatch ×${BATCH}`]: { method: 'RememberBatch', bytes: plain.RememberBatch.requestSerialize({ userId: 'u', items }) },
  Remember: { method: 'Remember', bytes: plain.Remember.requestSerialize({ userId: 'u', memory: items[0] }) },
  Search: { method: 'Search', bytes: plain.Search.requestSerialize({ userId: 'u', queryVector: items[0]!.embedding, topK: 10 }) },
};

const oldBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

console.log(`## Request decoding, ${DIMS}-d vectors (${ROUNDS} rounds, alternating)\n`);
console.log('| request | path | p50 ms | p95 ms | old-generation bytes per decode |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, { method, bytes }] of Object.entries(requests)) {
  const paths = { 'proto-loader': plain[method]!.requestDeserialize, 'Float32Array (server)': fast[method]!.requestDeserialize };
  const lat = new Map(Object.keys(paths).map((p) => [p, new Latency()]));
  const promoted = new Map(Object.keys(paths).map((p) => [p, 0]));
  const repeat = method === 'RememberBatch' ? 1 : 1000;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [p, decode] of Object.entries(paths)) {
      gc();
      const before = oldBytes();
      const t0 = performance.now();
      // Held until the end like a call holds its request, so what outlives scavenges is counted.
      const held: unknown[] = [];
      for (let i = 0; i < repeat; i++) held.push(decode(bytes));
      lat.get(p)!.record((performance.now() - t0) / repeat);
      promoted.set(p, promoted.get(p)! + (oldBytes() - before) / repeat);
      held.length = 0;
    }
  }
  for (const p of Object.keys(paths)) {
    const s = lat.get(p)!.summary();
    console.log(`| ${name} | ${p} | ${s.p50} | ${s.p95} | ${Math.round(promoted.get(p)! / ROUNDS).toLocaleString('en')} |`);
  }
}
