/**
 * The keys CLI on embedded PGlite: it refuses while a service holds the database (PGlite must
 * not be opened by two processes), and works once the service has stopped.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startApp } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'keys', ...args], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' } });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('keys CLI on embedded metadata', () => {
  it('refuses while the service runs, works after it stopped', async () => {
    const t = await startApp();
    const busy = await cli(t.dir, 'list');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is in use by memory-engine embedded metadata database \(PGlite\) \(pid \d+/);
    await t.app.close();
    const created = await cli(t.dir, 'create', '--name', 'ops', '--scope', 'admin');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(/^mek\.[0-9a-f]{12}\./);
    const listed = await cli(t.dir, 'list');
    expect(listed.stdout).toMatch(/\tops\tadmin\t/);
    await t.stop();
  });
});
