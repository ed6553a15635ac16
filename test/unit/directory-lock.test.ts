/**
 * DirectoryLock: an OS-level lock (flock) that refuses a second holder, in this process or
 * another, names the holder, and vanishes with the process that held it.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryInUseError, DirectoryLock } from '../../src/directory-lock.js';
import { tempDir } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A child process that takes the lock and reports when it holds it. */
function holdInChild(path: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const script = `import { DirectoryLock } from './src/directory-lock.ts'; DirectoryLock.acquire(${JSON.stringify(path)}, 'test holder'); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve({ pid: child.pid!, kill: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGKILL'))) });
    });
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe('DirectoryLock', () => {
  it('refuses a second holder in the same process and names the first', async () => {
    const dir = await tempDir('me-lock-');
    dirs.push(dir);
    const path = join(dir, 'LOCK');
    const first = DirectoryLock.acquire(path, 'first holder');
    const err = (() => {
      try {
        DirectoryLock.acquire(path, 'second holder');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DirectoryInUseError);
    expect((err as DirectoryInUseError).holder).toMatchObject({ pid: process.pid, what: 'first holder' });
    expect((err as Error).message).toMatch(/in use by first holder \(pid \d+ on .+, since /);
    first.release();
    first.release(); // idempotent
    expect(await readFile(path, 'utf8')).toBe('');
    DirectoryLock.acquire(path, 'after release').release();
  });

  it('is held against other processes, and a killed holder leaves nothing behind', async () => {
    const dir = await tempDir('me-lock-');
    dirs.push(dir);
    const path = join(dir, 'LOCK');
    const holder = await holdInChild(path);
    let err: unknown;
    try {
      DirectoryLock.acquire(path, 'this test');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DirectoryInUseError);
    expect((err as DirectoryInUseError).holder?.pid).toBe(holder.pid);
    await holder.kill();
    // The kernel dropped the lock with the process; its stale record does not matter.
    const lock = DirectoryLock.acquire(path, 'this test');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid, what: 'this test' });
    lock.release();
  });
});
