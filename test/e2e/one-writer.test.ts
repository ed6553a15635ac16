/**
 * One data directory has one writer: a second service on the same DATA_DIR refuses to start
 * (naming the first), in another process or in this one, so no acknowledged write is lost to
 * two writers; a killed service's lock is no obstacle to the next start.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryInUseError } from '../../src/directory-lock.js';
import { call, newClient, startApp, tempDir } from '../helpers.js';
import { killService, spawnService, startService, type ServiceProcess } from '../support/service-process.js';

const running: ServiceProcess[] = [];
let dir = '';
afterAll(async () => {
  for (const s of running) await killService(s);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one writer per data directory', () => {
  it('refuses a second service on the same DATA_DIR, and starts after the first was killed', async () => {
    dir = await tempDir('me-one-writer-');
    const first = await startService({ DATA_DIR: dir });
    running.push(first);
    const user = 'one-writer';
    const client = newClient(first.grpcPort);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await call<{ id: string }>(client, 'Remember', { userId: user, memory: { content: `memory ${i} written through the first instance` } })).id);
    client.close();

    // Another process: exits at once with a message naming the holder.
    const second = spawnService({ DATA_DIR: dir });
    expect(await second.exited).toBe(1);
    expect(second.log()).toMatch(new RegExp(`cannot start: DATA_DIR: .* is in use by memory-engine .*\\(pid ${first.child.pid} on `));
    expect(second.log()).toMatch(/one data directory has one writer/);

    // This process: the same refusal, as an error that says which directory and who holds it.
    const err = await startApp({}, dir).then(
      async (t) => {
        await t.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DirectoryInUseError);
    expect((err as DirectoryInUseError).holder?.pid).toBe(first.child.pid);

    // A SIGKILLed holder leaves its lock file behind, but not its lock.
    await killService(first);
    const third = await startService({ DATA_DIR: dir });
    running.push(third);
    const c3 = newClient(third.grpcPort);
    for (const id of ids) expect((await call<{ id: string }>(c3, 'Get', { userId: user, id })).id).toBe(id);
    await call(c3, 'Remember', { userId: user, memory: { id: randomUUID(), content: 'written after the restart' } });
    c3.close();
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});
