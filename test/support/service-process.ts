/**
 * The service in a process of its own (`src/main.ts` under tsx), for tests of what only a real
 * process shows: SIGKILL, SIGTERM, two processes on one data directory.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killServer, spawnServer, type ServerProcess } from './process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  /** Everything the process wrote lately (JSON log lines, stderr). */
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Spawns the service with `env` over the test's environment (loopback ports chosen by the OS). */
export function spawnService(env: Record<string, string>): ServerProcess {
  return spawnServer(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    // The lexical embedder unless a test asks for another: EMBEDDER=auto would pick up a cached model.
    env: { ...process.env, GRPC_ADDRESS: '127.0.0.1:0', HTTP_ADDRESS: '127.0.0.1:0', LOG_LEVEL: 'info', EMBEDDER: 'lexical', ...env },
  });
}

/** Spawns the service and resolves once it logs "serving" (rejects if it exits first). */
export function startService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const s = spawnService(env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start in time: ${s.log()}`)), timeoutMs);
    createInterface({ input: s.child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { msg?: string; grpcPort?: number; httpPort?: number };
        if (msg.msg === 'serving' && msg.grpcPort) {
          clearTimeout(timer);
          resolve({ child: s.child, grpcPort: msg.grpcPort, httpPort: msg.httpPort ?? 0, output: s.log, exited: s.exited });
        }
      } catch {
        // not a log line
      }
    });
    void s.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}: ${s.log()}`));
    });
  });
}

/** SIGKILL, and wait until the process is gone (its locks with it). */
export const killService = killServer;
