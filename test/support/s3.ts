/**
 * A real S3-compatible server for tests: SeaweedFS (`weed server -s3`), built from the Go module
 * proxy by scripts/seaweedfs.sh into ~/.cache/memory-engine/bin (or WEED_BIN, or on PATH), started
 * on free loopback ports in a temp dir and stopped after. Without it the S3 tests skip loudly;
 * under CI=true that is a failure, because .ci/run builds it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killServer, spawnServer, waitUntil, type ServerProcess } from './process.js';
import { freePort } from './servers.js';
import { findTool, toolMissing, WEED } from './tools.js';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** A free port whose +10000 neighbour (SeaweedFS's default gRPC offset) we name explicitly anyway. */
async function ports(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export async function startTestS3(): Promise<TestS3 | undefined> {
  const bin = findTool(WEED);
  if (!bin) return toolMissing(WEED, 'bash scripts/seaweedfs.sh');
  const dir = await mkdtemp(join(tmpdir(), 'me-s3-'));
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await ports(8);
  const proc: ServerProcess = spawnServer(
    bin,
    [
      'server',
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-dir=${dir}`,
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      '-filer',
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      '-s3',
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      '-master.volumeSizeLimitMB=64',
      '-volume.max=16',
    ],
    { cwd: dir },
  );
  const endpoint = `http://127.0.0.1:${s3}`;
  const ready = async () => {
    try {
      return (await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(500) })).status === 200;
    } catch {
      return false;
    }
  };
  try {
    await waitUntil(proc, ready, 'weed server -s3', 60_000);
  } catch (e) {
    await killServer(proc);
    throw new Error(`${(e as Error).message}\n${proc.log().slice(-4000)}`, { cause: e });
  }
  // The first object SeaweedFS stores makes it allocate volumes (several seconds on this machine):
  // pay that here, not inside a test's request timeout.
  await fetch(`${endpoint}/warmup`, { method: 'PUT' });
  await fetch(`${endpoint}/warmup/first`, { method: 'PUT', body: 'x', signal: AbortSignal.timeout(60_000) });
  return {
    endpoint,
    bucket: 'memory-engine-test',
    stop: async () => {
      await killServer(proc);
      await rm(dir, { recursive: true, force: true });
      // SeaweedFS also listens on a Unix socket per gRPC port, in /tmp, and leaves it behind.
      for (const [what, port] of [
        ['master', masterGrpc],
        ['volume', volumeGrpc],
        ['filer', filerGrpc],
        ['s3', s3Grpc],
      ] as const)
        await rm(join(tmpdir(), `seaweedfs-${what}-grpc-${port}.sock`), { force: true });
    },
  };
}
