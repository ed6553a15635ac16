/**
 * The one way test harnesses run a server process (Redis, Qdrant, the service itself): spawned
 * with its output kept (the tail, for error messages), ready when a line or a probe says so,
 * and killed with SIGKILL — like a crash — resolving once the process is really gone.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ServerProcess {
  child: ChildProcess;
  /** The last few KB of stdout and stderr. */
  log(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

const LOG_TAIL = 8000;

export function spawnServer(bin: string, args: readonly string[], options: SpawnOptions = {}): ServerProcess {
  const child = spawn(bin, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-LOG_TAIL));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

/** Resolves once `ready()` is true (polled), rejects with the process's log if it exits or time runs out. */
export async function waitUntil(p: ServerProcess, ready: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  let gone = false;
  void p.exited.then(() => (gone = true));
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (gone) throw new Error(`${what} exited before it was ready:\n${p.log()}`);
    if (Date.now() > end) throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${p.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILL, and wait until the process is gone (its ports and locks with it). */
export async function killServer(p: { child: ChildProcess; exited: Promise<unknown> } | undefined): Promise<void> {
  if (!p) return;
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}
