/**
 * Property-based fuzzing of the gRPC API, shared by the bounded test (test/e2e/fuzz.test.ts)
 * and the long run (bench/fuzz.ts). Requests are generated from the .proto's own field types
 * (protobufjs reflection), so a new RPC or field is fuzzed without touching this file:
 * strings with control characters, lone surrogates and 100,000 characters; numbers at their
 * extremes, NaN and ±Infinity; enum numbers the proto does not define; vectors of the wrong
 * dimension; huge repeated fields; crafted page tokens. Values are biased toward a small pool
 * of users and ids, so calls also reach existing data instead of always missing.
 *
 * The property: no call answers INTERNAL or UNKNOWN, none hangs to its deadline, and the
 * server stays healthy.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { protoRoot } from '../../src/server/proto.js';
import type { MemoryServiceClient } from '../../src/generated/memory/v1/MemoryService.js';

export const FUZZ_USERS = ['fuzz-a', 'fuzz-b', 'fuzz-c'];
/** Ids that Remember writes and Get/Update/Forget look up, so both sides meet. */
const ID_POOL = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
const CRAFTED_TOKENS = ['WyIxMyJd', b64([-1]), b64([null]), b64([1, 'tasks', 'x', '2026-01-01 00:00:00+00', ID_POOL[0]]), b64([1, 'audit', 'x', '1']), '%%%', 'A'.repeat(5000)];

/** Calls answered with these break the property. DEADLINE_EXCEEDED: a handler hung. */
export const FORBIDDEN_CODES = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DEADLINE_EXCEEDED]);

export interface Rpc {
  name: string;
  requestType: protobuf.Type;
  serverStreaming: boolean;
}

export function memoryServiceRpcs(): Rpc[] {
  const root = new protobuf.Root();
  root.loadSync(join(protoRoot(), 'memory', 'v1', 'memory.proto'), { keepCase: false });
  root.resolveAll();
  const service = root.lookupService('memory.v1.MemoryService');
  return service.methodsArray.map((m) => ({ name: m.name, requestType: m.resolvedRequestType!, serverStreaming: Boolean(m.responseStream) }));
}

const controlChars = fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\t', '\n', '\r', '\u0085', '\u2028', '\uFEFF');
const oddChars = fc.constantFrom('\uD800', '\uDFFF', '😀', 'é', '中', '\u200B', '"', '\\', '%', '\u0000');

/**
 * `huge`: whether this value may be one of the very large ones (100,000 characters, 200,000
 * floats, 1,000+ elements). Only values outside any repeated field may, so one request holds
 * at most one huge part and generation stays cheap.
 */
interface Ctx {
  dims: number;
  depth: number;
  huge: boolean;
  /** Plausible values only (valid shapes, known enums, right dimension): reaches the deep paths. */
  plausible: boolean;
}

const SAFE_TEXT = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_ '.split('')), minLength: 1, maxLength: 20 });

/** A string for a field: plausible values for its name, and hostile ones for every field. */
function stringArb(field: string, huge: boolean, plausibleOnly = false): fc.Arbitrary<string> {
  const hostile = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), controlChars, oddChars), maxLength: 40 }),
    fc.constant(huge ? 'x'.repeat(100_000) : 'x'.repeat(300)),
    fc.constant(''),
  );
  const name = field.toLowerCase();
  let plausible: fc.Arbitrary<string> | undefined;
  if (name === 'userid') plausible = fc.constantFrom(...FUZZ_USERS);
  else if (name === 'id' || name.endsWith('ids') || name === 'jobid') plausible = fc.oneof(fc.constantFrom(...ID_POOL), fc.uuid());
  else if (name === 'pagetoken') plausible = fc.constantFrom(...CRAFTED_TOKENS);
  else if (name === 'content' || name === 'query' || name === 'title') plausible = fc.lorem({ maxCount: 8 });
  else if (name === 'kind') plausible = fc.constantFrom('fact', 'preference', 'day', 'week', 'month', 'entity', 'topic', '2026-12-01', 'W');
  else if (name === 'key') plausible = fc.constantFrom('2026-12-01', '2026-W48', '2026-12', 'Ann', 'topic-1', '2026-13-45');
  else if (name === 'job') plausible = fc.constantFrom('profile', 'clusters', 'summaries', 'similarity', 'ttl', 'bogus');
  if (plausibleOnly) return name === 'pagetoken' ? fc.constant('') : (plausible ?? SAFE_TEXT);
  return plausible ? fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: hostile }) : hostile;
}

function plausibleNumber(type: string): fc.Arbitrary<number> {
  if (type === 'float' || type === 'double') return fc.double({ min: 0, max: 1, noNaN: true });
  if (type.includes('64')) return fc.constantFrom(0, Date.now() + 86_400_000);
  return fc.integer({ min: 0, max: 50 });
}

function numberArb(type: string): fc.Arbitrary<number> {
  const specials = fc.constantFrom(0, -1, 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e38, -1e38, 2 ** 31 - 1, -(2 ** 31));
  switch (type) {
    case 'float':
    case 'double':
      return fc.oneof(specials, fc.double(), fc.double({ min: 0, max: 1, noNaN: true }));
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return fc.oneof(fc.constantFrom(0, -1, 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Date.now(), Date.now() + 86_400_000), fc.maxSafeInteger());
    case 'uint64':
    case 'fixed64':
      return fc.oneof(fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER, Date.now()), fc.maxSafeNat());
    case 'uint32':
    case 'fixed32':
      return fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1), fc.nat());
    default:
      return fc.oneof(fc.constantFrom(0, -1, 1, 5, 10, 1000, 1001, 2 ** 31 - 1, -(2 ** 31)), fc.integer());
  }
}

function vectorArb(ctx: Ctx): fc.Arbitrary<number[]> {
  const { dims } = ctx;
  const unit = fc.float({ min: -1, max: 1, noNaN: true });
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(unit, { minLength: dims, maxLength: dims }) },
    { weight: 1, arbitrary: fc.array(unit, { maxLength: dims + 3 }) },
    { weight: 1, arbitrary: fc.constant(new Array<number>(dims).fill(0)) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0.1), { minLength: dims, maxLength: dims }) },
    { weight: 1, arbitrary: fc.constant(new Array<number>(ctx.huge ? 200_000 : dims * 4).fill(0.01)) },
  );
}

function fieldArb(f: protobuf.Field, ctx: Ctx): fc.Arbitrary<unknown> {
  if (ctx.plausible) {
    if (f.map) return fc.dictionary(fc.constantFrom('k', 'note', 'source'), SAFE_TEXT, { maxKeys: 3 });
    if (f.repeated && (f.type === 'float' || f.type === 'double')) return fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: ctx.dims, maxLength: ctx.dims });
    if (f.repeated) return fc.array(scalarOrMessage(f, ctx), { maxLength: 3 });
    return scalarOrMessage(f, ctx);
  }
  if (f.map) {
    const valueType = (f as unknown as protobuf.MapField).type;
    const key = fc.oneof(fc.constantFrom('k', 'note', 'source'), stringArb('mapkey', false));
    const value: fc.Arbitrary<unknown> = valueType === 'string' ? stringArb('mapvalue', false) : numberArb(valueType);
    const many = Object.fromEntries(Array.from({ length: ctx.huge ? 3000 : 50 }, (_, i) => [`k${i}`, 'v']));
    return fc.oneof({ weight: 4, arbitrary: fc.dictionary(key, value, { maxKeys: 4 }) }, { weight: 1, arbitrary: fc.constant(many) });
  }
  if (f.repeated) {
    if (f.type === 'float' || f.type === 'double') return vectorArb(ctx);
    const element = scalarOrMessage(f, { ...ctx, huge: false });
    const long = fc.array(element, ctx.huge ? { minLength: 1001, maxLength: 1003 } : { minLength: 20, maxLength: 22 });
    return fc.oneof({ weight: 5, arbitrary: fc.array(element, { maxLength: 4 }) }, { weight: 1, arbitrary: long });
  }
  return scalarOrMessage(f, ctx);
}

function scalarOrMessage(f: protobuf.Field, ctx: Ctx): fc.Arbitrary<unknown> {
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Enum) {
    const names = fc.constantFrom(...Object.keys(rt.values));
    return ctx.plausible ? names : fc.oneof(names, fc.integer({ min: -3, max: 60 }));
  }
  if (rt instanceof protobuf.Type) return ctx.depth > 3 ? fc.constant(undefined) : fields(rt, { ...ctx, depth: ctx.depth + 1 });
  if (f.type === 'string') return stringArb(f.name, ctx.huge, ctx.plausible);
  if (f.type === 'bool') return fc.boolean();
  if (f.type === 'bytes') return fc.uint8Array({ maxLength: 16 });
  return ctx.plausible ? plausibleNumber(f.type) : numberArb(f.type);
}

function fields(type: protobuf.Type, ctx: Ctx): fc.Arbitrary<Record<string, unknown>> {
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of type.fieldsArray) entries[f.name] = fieldArb(f, ctx);
  return fc.record(entries, { requiredKeys: [] });
}

/**
 * A request message, each field present or absent, values from the field's own type: a third
 * hostile throughout, a third plausible throughout (they reach the handlers' deep paths), a
 * third plausible but for one hostile field.
 */
export function messageArb(type: protobuf.Type, dims: number): fc.Arbitrary<Record<string, unknown>> {
  const hostile = fields(type, { dims, depth: 0, huge: true, plausible: false });
  const plausible = fields(type, { dims, depth: 0, huge: false, plausible: true });
  const names = type.fieldsArray.map((f) => f.name);
  const oneBad = fc.tuple(plausible, hostile, fc.constantFrom(...names)).map(([p, h, name]) => {
    const out: Record<string, unknown> = { ...p };
    if (name in h) out[name] = h[name];
    return out;
  });
  return fc.oneof(hostile, plausible, oneBad);
}

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => void;
type Streaming = (req: object, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

/** Sends one request; resolves with the status code it ended with (0 = OK). */
export function send(client: MemoryServiceClient, rpc: Rpc, req: object, deadlineMs: number): Promise<{ code: number; details: string }> {
  // A value protobuf cannot carry fails in the client, before the server sees anything.
  try {
    rpc.requestType.encode(rpc.requestType.fromObject(req)).finish();
  } catch (err) {
    return Promise.resolve({ code: -1, details: String(err) });
  }
  const deadline = Date.now() + deadlineMs;
  const c = client as unknown as Record<string, Unary & Streaming>;
  if (rpc.serverStreaming) {
    return new Promise((resolve) => {
      const stream = c[rpc.name]!.bind(client)(req, { deadline }) as grpc.ClientReadableStream<unknown>;
      stream.on('data', () => undefined);
      stream.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
      stream.on('end', () => resolve({ code: grpc.status.OK, details: '' }));
    });
  }
  return new Promise((resolve) =>
    c[rpc.name]!.bind(client)(req, new grpc.Metadata(), { deadline }, (err) => resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' })),
  );
}
