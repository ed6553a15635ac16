/**
 * A real redis-server for tests, on a free loopback port, no persistence, in a temp dir.
 * Missing binary: the tests skip loudly; under CI=true that is a failure (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killServer, spawnServer, waitUntil, type ServerProcess } from './process.js';
import { freePort, serverMissing } from './servers.js';

export interface TestRedis {
  url: string;
  port: number;
  /** SIGKILL, like a crash or an outage. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function findRedis(): string | undefined {
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]) if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  return undefined;
}

export async function startTestRedis(): Promise<TestRedis | undefined> {
  const bin = findRedis();
  if (!bin) return serverMissing('redis-server', 'redis-server', 'Redis');
  const dir = await mkdtemp(join(tmpdir(), 'me-redis-'));
  const port = await freePort();
  let proc: ServerProcess | undefined;
  const start = async () => {
    proc = spawnServer(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no']);
    const p = proc;
    await waitUntil(p, () => p.log().includes('Ready to accept connections'), 'redis-server', 10_000);
  };
  const kill = () => killServer(proc);
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
