// Build step: copies the service's proto into this package (it ships with it) and generates the
// TypeScript types of every message and method from it, with the loader options the client uses.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const source = join(here, '..', '..', 'proto', 'memory', 'v1', 'memory.proto');
const target = join(here, 'proto', 'memory', 'v1', 'memory.proto');
if (existsSync(source)) {
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
} else if (!existsSync(target)) {
  throw new Error(`memory.proto not found at ${source} (build inside the memory-engine repository)`);
}
const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve('@grpc/proto-loader/package.json')), 'build', 'bin', 'proto-loader-gen-types.js');
const args = [
  '--longs=Number',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--grpcLib=@grpc/grpc-js',
  '--outDir=src/generated',
  '--inputTemplate=%s__Input',
  '--outputTemplate=%s',
  'proto/memory/v1/memory.proto',
];
const result = spawnSync(process.execPath, [bin, ...args], { cwd: here, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

// The generator writes extensionless relative imports; Node's ESM resolution (and a consumer's
// moduleResolution node16/nodenext) needs the .js a compiled import has.
function addExtensions(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) addExtensions(path);
    else if (entry.name.endsWith('.ts')) writeFileSync(path, readFileSync(path, 'utf8').replace(/from '(\.{1,2}\/[^']+?)(?<!\.js)'/g, "from '$1.js'"));
  }
}
addExtensions(join(here, 'src', 'generated'));
