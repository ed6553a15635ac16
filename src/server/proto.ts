/** Loads memory.v1 from proto/ with the options the generated types were made with. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { packageRoot } from '../package-info.js';
import type { ProtoGrpcType } from '../generated/memory.js';

/** Must match the flags of `npm run gen:proto`. */
export const LOADER_OPTIONS: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true };

/** proto/ sits at the package root, above src/ (tsx) or dist/src/ (compiled). */
export function protoRoot(): string {
  return join(packageRoot(), 'proto');
}

export function memoryProtoFile(): string {
  return join(protoRoot(), 'memory', 'v1', 'memory.proto');
}

export function loadMemoryProto(): { definition: protoLoader.PackageDefinition; proto: ProtoGrpcType } {
  const definition = protoLoader.loadSync(memoryProtoFile(), LOADER_OPTIONS);
  return { definition, proto: grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType };
}
