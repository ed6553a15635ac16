/**
 * One data directory has one writer. A DirectoryLock is an exclusive flock(2) on a lock file:
 * the kernel drops it when the process dies however it dies, so a crash leaves nothing in the
 * way of the next start (a pid file would), and a second process — or a second store object in
 * the same process — that asks for it is refused at once with the holder's name.
 *
 * The lock file also records who holds it (pid, host, what, since) for that message; it is
 * never deleted, because unlinking a lock file lets two processes lock two different files.
 */
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import fsExt from 'fs-ext';
import { ConfigError } from './errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it, e.g. "memory-engine embedded vector store". */
  what: string;
  since: string;
}

/** Another process (or another open store in this one) holds the directory. */
export class DirectoryInUseError extends ConfigError {
  constructor(
    readonly path: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `${holder.what} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another process';
    super('DATA_DIR', `${path} is in use by ${who}; one data directory has one writer: stop that process or use another DATA_DIR`);
    this.name = 'DirectoryInUseError';
  }
}

export class DirectoryLock {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Takes the lock at `path` (created if missing) or throws DirectoryInUseError. Never waits. */
  static acquire(path: string, what: string): DirectoryLock {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      fsExt.flockSync(fd, 'exnb');
    } catch (err) {
      closeSync(fd);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') throw new DirectoryInUseError(path, readHolder(path));
      throw err;
    }
    const holder: LockHolder = { pid: process.pid, host: hostname(), what, since: new Date().toISOString() };
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify(holder) + '\n', 0);
    return new DirectoryLock(path, fd);
  }

  /** Idempotent. The file stays (see the file comment); its holder record is cleared. */
  release(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      ftruncateSync(fd, 0);
    } finally {
      closeSync(fd); // closing the descriptor drops the flock
    }
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.what === 'string' && typeof h.since === 'string') return h as LockHolder;
  } catch {
    // the holder is between taking the lock and writing its record, or wrote none
  }
  return undefined;
}
