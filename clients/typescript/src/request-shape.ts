/**
 * Request objects as the caller wrote them → the camelCase shape grpc-js serializes. proto-loader
 * silently drops a key it does not know (`{ user_id }` became an empty user id), so every key is
 * checked against the message's fields: snake_case and camelCase both name a field; anything
 * else is refused with INVALID_ARGUMENT naming the key. Map keys (metadata) are data, kept as is.
 */
import { status as Status } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { MemoryEngineError } from './errors.js';

interface FieldInfo {
  camel: string;
  map: boolean;
  repeated: boolean;
  /** The message type of the field (or of a map's values), if it is one. */
  message: protobuf.Type | undefined;
}

export class RequestShaper {
  private readonly fields = new Map<protobuf.Type, Map<string, FieldInfo>>();
  private readonly service: protobuf.Service;

  constructor(protoFile: string, serviceName: string) {
    const root = new protobuf.Root();
    root.loadSync(protoFile, { keepCase: true });
    root.resolveAll();
    this.service = root.lookupService(serviceName);
  }

  /** `request` of `method` in camelCase, checked against the method's request message. */
  shape(method: string, request: object): Record<string, unknown> {
    const m = this.service.methods[method];
    if (!m?.resolvedRequestType) throw new MemoryEngineError({ code: Status.UNIMPLEMENTED, details: `no method ${method} in ${this.service.fullName.slice(1)}`, method });
    return this.message(method, m.resolvedRequestType, request, '');
  }

  private message(method: string, type: protobuf.Type, value: object, path: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw refuse(method, path || type.name, `must be an object (${type.name})`);
    const fields = this.fieldsOf(type);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const f = fields.get(key);
      const at = path ? `${path}.${key}` : key;
      if (!f) throw refuse(method, at, `unknown field of ${type.name} (fields: ${[...new Set([...fields.values()].map((x) => x.camel))].join(', ')})`);
      if (f.camel in out) throw refuse(method, at, `given twice, in snake_case and in camelCase`);
      out[f.camel] = this.value(method, f, v, at);
    }
    return out;
  }

  private value(method: string, f: FieldInfo, v: unknown, at: string): unknown {
    if (!f.message || v === null) return v;
    if (f.map) {
      if (typeof v !== 'object' || Array.isArray(v)) throw refuse(method, at, 'must be an object (a map)');
      return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, this.message(method, f.message!, x as object, `${at}[${JSON.stringify(k)}]`)]));
    }
    if (f.repeated) {
      if (!Array.isArray(v)) throw refuse(method, at, 'must be an array');
      return v.map((x, i) => this.message(method, f.message!, x as object, `${at}[${i}]`));
    }
    return this.message(method, f.message, v as object, at);
  }

  private fieldsOf(type: protobuf.Type): Map<string, FieldInfo> {
    let fields = this.fields.get(type);
    if (!fields) {
      fields = new Map();
      for (const field of type.fieldsArray) {
        const camel = field.name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
        const resolved = field.resolvedType;
        const info: FieldInfo = { camel, map: field.map, repeated: field.repeated, message: resolved instanceof protobuf.Type ? resolved : undefined };
        fields.set(field.name, info);
        fields.set(camel, info);
      }
      this.fields.set(type, fields);
    }
    return fields;
  }
}

function refuse(method: string, field: string, what: string): MemoryEngineError {
  return new MemoryEngineError({ code: Status.INVALID_ARGUMENT, details: `${field}: ${what}`, method });
}
