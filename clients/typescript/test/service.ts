/**
 * The real memory-engine service for the client's tests: the repository's src/main.ts under the
 * repository's tsx, on a loopback port, in a temp data directory (embedded defaults, lexical
 * embedder), stopped after. Outside the repository the tests skip loudly; under CI=true that fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = join(REPO, 'src', 'main.ts');

export function serviceAvailable(): boolean {
  if (existsSync(MAIN) && existsSync(join(REPO, 'node_modules', 'tsx'))) return true;
  const msg = `the memory-engine service (${MAIN} with the repository's node_modules) is not there: run npm ci at the repository root. Client tests are SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${msg} In CI this is a failure.`);
  console.warn(`\n!!!!!!!!\n!!! ${msg}\n!!!!!!!!\n`);
  return false;
}

export interface Service {
  address: string;
  port: number;
  dataDir: string;
  /** SIGTERM, and wait for the exit (the data directory stays). */
  stop(): Promise<void>;
  /** stop(), then remove the data directory. */
  destroy(): Promise<void>;
}

export interface ServiceOptions {
  /** Reuse this data directory (a restart). */
  dataDir?: string;
  /** Listen on this port (a restart on the same address); default: a free one. */
  port?: number;
  env?: Record<string, string>;
}

export async function startService(o: ServiceOptions = {}): Promise<Service> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'me-client-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATA_DIR: dataDir, GRPC_ADDRESS: `127.0.0.1:${o.port ?? 0}`, HTTP_ADDRESS: '127.0.0.1:0', EMBEDDER: 'lexical', LOG_LEVEL: 'info', ...o.env },
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start: ${log}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log = (log + line + '\n').slice(-4000);
      try {
        const m = JSON.parse(line) as { msg?: string; grpcPort?: number };
        if (m.msg === 'serving' && m.grpcPort) {
          clearTimeout(timer);
          resolve(m.grpcPort);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}: ${log}`));
    });
  });
  const stop = () => stopChild(child);
  return {
    address: `127.0.0.1:${port}`,
    port,
    dataDir,
    stop,
    async destroy() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `memory-engine keys create` on a stopped service's data directory: the new key. */
export function createApiKey(dataDir: string, scope: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'keys', 'create', '--name', 'client-test', '--scope', scope], {
    cwd: REPO,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`keys create failed: ${r.stderr}`);
  return r.stdout.trim();
}
