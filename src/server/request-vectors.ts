/**
 * Request vectors decoded straight into Float32Arrays.
 *
 * proto-loader turns a packed `repeated float` into a JS number array twice (decode, then
 * toObject), 3–6 KB of heap per 384-d vector where the floats are 1.5 KB, and a RememberBatch
 * of 1,000 is decoded in one go: its arrays outlive the scavenges during decoding and are
 * promoted. A bulk load left ~9 KB of old-space garbage per memory, which V8 keeps resident until
 * its next full collection. Here the vector fields are left out of the protobuf decoding (a copy
 * of the schema without them, so the decoder skips their bytes) and read from the wire bytes
 * directly. Everything else is decoded exactly as proto-loader does it.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { LOADER_OPTIONS, memoryProtoFile } from './proto.js';

type Message = Record<string, unknown>;

/** The vector field of each method's request, as a path of field names from the request. */
const VECTOR_PATHS: Readonly<Record<string, readonly string[]>> = {
  Remember: ['memory', 'embedding'],
  RememberBatch: ['items', 'embedding'],
  Update: ['embedding'],
  Search: ['queryVector'],
  SearchBatch: ['searches', 'queryVector'],
  AssembleContext: ['queryVector'],
  StreamContext: ['queryVector'],
};

const EMPTY = new Float32Array(0);

/** One step of a path: the field's number and whether it repeats (a list of messages). */
interface FieldStep {
  name: string;
  id: number;
  repeated: boolean;
}

/** The service with the request deserializers of vector-carrying methods replaced. */
export function withFloat32RequestVectors<S extends ServiceDefinition>(service: S): S {
  // The same schema as proto-loader's (same file, same camelCase names), minus the vector fields.
  const root = new protobuf.Root().loadSync(memoryProtoFile(), { keepCase: false });
  root.resolveAll();
  const methods = root.lookupService('memory.v1.MemoryService').methods;
  const plans = Object.entries(VECTOR_PATHS).map(([method, names]) => {
    if (!service[method] || !methods[method]) throw new Error(`memory.v1 has no method ${method}: update VECTOR_PATHS`);
    const requestType = (methods[method]!.resolve() as protobuf.Method).resolvedRequestType!;
    return { method, requestType, ...pathIn(requestType, names) };
  });
  // Removed only once all paths are resolved: two methods may share a message (MemoryInput).
  for (const { owner, steps } of plans) {
    const field = owner.fields[steps[steps.length - 1]!.name];
    if (field) owner.remove(field);
  }
  const out: Record<string, ServiceDefinition[string]> = { ...service };
  for (const { method, requestType, steps } of plans) {
    out[method] = { ...service[method]!, requestDeserialize: (bytes: Buffer) => decodeWithVectors(requestType, steps, bytes) };
  }
  return out as S;
}

/** Field numbers along a path of names, checked against the schema, and the type owning the last. */
function pathIn(type: protobuf.Type, names: readonly string[]): { steps: FieldStep[]; owner: protobuf.Type } {
  const steps: FieldStep[] = [];
  let owner = type;
  names.forEach((name, i) => {
    const f = owner.fields[name];
    if (!f) throw new Error(`${type.name} has no field ${names.slice(0, i + 1).join('.')}`);
    steps.push({ name, id: f.id, repeated: f.repeated });
    if (i < names.length - 1) owner = f.resolve().resolvedType as protobuf.Type;
    else if (!(f.repeated && f.type === 'float')) throw new Error(`${type.name}.${names.join('.')} is not a repeated float`);
  });
  return { steps, owner };
}

function decodeWithVectors(type: protobuf.Type, steps: readonly FieldStep[], bytes: Buffer): Message {
  // Decoding first checks the message as a whole; the vector bytes are skipped as unknown fields.
  const r = type.toObject(type.decode(bytes), LOADER_OPTIONS) as Message;
  attach(r, steps, readVectors(bytes, 0, bytes.length, steps));
  return r;
}

/** The vectors found along `steps`: one per element of a repeated message field, else one. */
type Found = Float32Array | Found[] | undefined;

function attach(m: Message, steps: readonly FieldStep[], found: Found): void {
  const [step, ...rest] = steps;
  if (!step) return;
  if (rest.length === 0) {
    m[step.name] = (found as Float32Array | undefined) ?? EMPTY;
    return;
  }
  const child = m[step.name];
  if (step.repeated) (child as Message[]).forEach((c, i) => attach(c, rest, (found as Found[] | undefined)?.[i]));
  else if (child) attach(child as Message, rest, found);
}

/**
 * Reads one message's fields between start and end, collecting the floats along `steps`. Its own
 * varint and skip rather than protobufjs's Reader: with the Reader a RememberBatch of 1,000 took
 * ~3× as long (bench/request-decode.ts, 6 vs 18 ms in one session).
 */
function readVectors(b: Uint8Array, start: number, end: number, steps: readonly FieldStep[]): Found {
  const [step, ...rest] = steps;
  const leaf = rest.length === 0;
  const parts: Float32Array[] = [];
  const elements: Found[] = [];
  let singular: Found;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = start;
  while (pos < end) {
    let tag: number;
    [tag, pos] = varint(b, pos);
    const wire = tag & 7;
    if (tag >>> 3 !== step!.id || (wire !== 2 && !(leaf && wire === 5))) {
      pos = skipField(b, pos, tag);
      continue;
    }
    if (wire === 5) {
      parts.push(Float32Array.of(view.getFloat32(pos, true)));
      pos += 4;
      continue;
    }
    let len: number;
    [len, pos] = varint(b, pos);
    if (pos + len > end) throw new Error(`${step!.name} runs past its message`);
    if (leaf) {
      if (len % 4 !== 0) throw new Error(`packed ${step!.name} has ${len} bytes, not whole floats`);
      const v = new Float32Array(len / 4);
      for (let i = 0; i < v.length; i++) v[i] = view.getFloat32(pos + i * 4, true);
      parts.push(v);
    } else if (step!.repeated) elements.push(readVectors(b, pos, pos + len, rest));
    // protobufjs keeps the last occurrence of a singular message field, so we do too.
    else singular = readVectors(b, pos, pos + len, rest);
    pos += len;
  }
  if (pos !== end) throw new Error('truncated message');
  if (!leaf) return step!.repeated ? elements : singular;
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : concat(parts);
}

/** The position after a field's value, whatever its wire type (groups too, as protobufjs skips them). */
function skipField(b: Uint8Array, pos: number, tag: number): number {
  switch (tag & 7) {
    case 0:
      return varint(b, pos)[1];
    case 1:
      return pos + 8;
    case 2: {
      const [len, at] = varint(b, pos);
      return at + len;
    }
    case 3:
      for (;;) {
        let inner: number;
        [inner, pos] = varint(b, pos);
        if ((inner & 7) === 4) {
          if (inner >>> 3 !== tag >>> 3) throw new Error('mismatched group end');
          return pos;
        }
        pos = skipField(b, pos, inner);
      }
    case 5:
      return pos + 4;
    default:
      throw new Error(`unexpected wire type ${tag & 7}`);
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A base-128 varint (up to 2^53; tags and lengths are far smaller) and the position after it. */
function varint(b: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
    if (scale > 2 ** 63) throw new Error('varint too long');
  }
}
