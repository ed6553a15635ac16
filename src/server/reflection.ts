/**
 * Server reflection that stock tools (grpcurl, Postman, Python's descriptor pool) accept.
 *
 * @grpc/reflection serves the descriptors protobufjs makes, and those break strict readers
 * (grpcurl#519): map entry types are named `Metadata` instead of protoc's `MetadataEntry`, type
 * references are relative, field names are camelCased unless the root kept their case, JSON
 * names are empty, proto3 `optional` fields lose their proto3_optional flag, and each file is
 * named after its package. This module builds each file's descriptor as protoc would and hands
 * the result to @grpc/reflection, which then only answers the reflection protocol.
 */
import { ReflectionService } from '@grpc/reflection';
import type * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A proto file to describe: where it is, and the name other files import it by. */
export interface ProtoSource {
  file: string;
  name: string;
}

interface FieldDescriptor {
  name: string;
  typeName?: string;
  jsonName?: string;
  oneofIndex?: number;
  proto3Optional?: boolean;
}
interface MessageDescriptor {
  name: string;
  field?: FieldDescriptor[];
  nestedType?: MessageDescriptor[];
  enumType?: { name: string }[];
  oneofDecl?: { name: string }[];
  options?: { mapEntry?: boolean };
}
interface FileDescriptor {
  name?: string;
  package?: string;
  syntax?: string;
  dependency?: string[];
  messageType?: MessageDescriptor[];
  enumType?: { name: string }[];
  service?: { name: string; method?: { inputType?: string; outputType?: string }[] }[];
}

/** The proto files this service speaks besides its own: health and reflection v1. */
export function standardProtoSources(): ProtoSource[] {
  const require = createRequire(import.meta.url);
  // Both packages ship their .proto files; find them from the packages' own entry points.
  const healthRoot = join(dirname(require.resolve('grpc-health-check')), '..', '..', 'proto');
  const reflectionRoot = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');
  return [
    { file: join(healthRoot, 'health', 'v1', 'health.proto'), name: 'grpc/health/v1/health.proto' },
    { file: join(reflectionRoot, 'grpc', 'reflection', 'v1', 'reflection.proto'), name: 'grpc/reflection/v1/reflection.proto' },
  ];
}

/** Adds grpc.reflection.v1 and v1alpha to `server`, describing every file of `sources`. */
export function addReflection(server: grpc.Server, sources: ProtoSource[]): void {
  const definition: PackageDefinition = {};
  for (const source of sources) {
    definition[source.name] = { format: 'protobuf', type: {}, fileDescriptorProtos: [describeProtoFile(source)] } as unknown as PackageDefinition[string];
  }
  new ReflectionService(definition).addToServer(server);
}

/** The encoded FileDescriptorProto of one self-contained proto file, as protoc would make it. */
export function describeProtoFile(source: ProtoSource): Buffer {
  const root = new protobuf.Root();
  root.loadSync(source.file, { keepCase: true });
  const set = (root as unknown as { toDescriptor(edition: string): protobuf.Message }).toDescriptor('proto3');
  const files = (descriptor.FileDescriptorSet.toObject(set, { defaults: false }) as { file: FileDescriptor[] }).file;
  if (files.length !== 1) throw new Error(`${source.name}: expected one package without imports, found ${files.length} files`);
  const file = files[0]!;
  repairFile(file, source.name);
  return Buffer.from(descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(file)).finish());
}

function repairFile(file: FileDescriptor, name: string): void {
  file.name = name;
  const prefix = file.package ? `.${file.package}` : '';
  for (const message of file.messageType ?? []) renameMapEntries(message);
  const known = new Set<string>();
  collectNames(prefix, file.messageType ?? [], file.enumType ?? [], known);
  for (const message of file.messageType ?? []) repairMessage(message, `${prefix}.${message.name}`, known, file.syntax === 'proto3');
  for (const service of file.service ?? []) {
    for (const method of service.method ?? []) {
      if (method.inputType) method.inputType = resolve(method.inputType, prefix, known);
      if (method.outputType) method.outputType = resolve(method.outputType, prefix, known);
    }
  }
}

/** protoc names the entry type of `map<…> foo_bar` FooBarEntry; protobufjs calls it FooBar. */
function renameMapEntries(message: MessageDescriptor): void {
  for (const nested of message.nestedType ?? []) {
    if (nested.options?.mapEntry) {
      const field = (message.field ?? []).find((f) => f.typeName === nested.name);
      if (!field) throw new Error(`map entry ${message.name}.${nested.name} has no field`);
      nested.name = mapEntryName(field.name);
      field.typeName = nested.name;
    } else renameMapEntries(nested);
  }
}

function collectNames(scope: string, messages: MessageDescriptor[], enums: { name: string }[], into: Set<string>): void {
  for (const e of enums) into.add(`${scope}.${e.name}`);
  for (const m of messages) {
    into.add(`${scope}.${m.name}`);
    collectNames(`${scope}.${m.name}`, m.nestedType ?? [], m.enumType ?? [], into);
  }
}

function repairMessage(message: MessageDescriptor, fullName: string, known: Set<string>, proto3: boolean): void {
  const fields = message.field ?? [];
  for (const field of fields) {
    field.jsonName = jsonName(field.name);
    if (field.typeName) field.typeName = resolve(field.typeName, fullName, known);
    if (proto3 && field.oneofIndex !== undefined) {
      // protobufjs keeps `optional` as a one-field oneof named _field but drops the flag that
      // says it is synthetic; without it, strict readers see a real oneof.
      const members = fields.filter((f) => f.oneofIndex === field.oneofIndex).length;
      if (members === 1 && message.oneofDecl?.[field.oneofIndex]?.name === `_${field.name}`) field.proto3Optional = true;
    }
  }
  for (const nested of message.nestedType ?? []) repairMessage(nested, `${fullName}.${nested.name}`, known, proto3);
}

/** A type reference made absolute the way protoc resolves it: innermost scope first. */
function resolve(reference: string, scope: string, known: Set<string>): string {
  if (reference.startsWith('.')) return reference;
  for (let s = scope; ; s = s.slice(0, s.lastIndexOf('.'))) {
    const candidate = `${s}.${reference}`;
    if (known.has(candidate)) return candidate;
    if (!s) break;
  }
  throw new Error(`type ${reference} referenced in ${scope} is not defined`);
}

/** protoc's json_name: snake_case to lowerCamelCase. */
function jsonName(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** protoc's map entry name: the field name in UpperCamelCase, then "Entry". */
function mapEntryName(fieldName: string): string {
  const camel = jsonName(fieldName);
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}
