/**
 * The lifecycle CLI (`export`, `import`, `maintenance run|pause|resume`) as an operator runs it:
 * on the data directory of a stopped service (refused while one runs), and against a running
 * service over gRPC with an API key; help for every command, usage errors for unknown arguments.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { call, startApp, tempDir } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', EMBEDDER: 'lexical' } });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lifecycle CLI', () => {
  it('exports, runs maintenance and imports on a stopped data directory, and refuses while the service runs', async () => {
    const t = await startApp();
    const u = 'cli-user';
    const { id: old } = await call<{ id: string }>(t.client, 'Remember', { userId: u, memory: { content: 'Lives in Berlin' } });
    await call(t.client, 'Remember', { userId: u, memory: { content: 'Lives in Lisbon', supersedes: [old] } });
    await call(t.client, 'RememberBatch', { userId: u, items: [{ content: 'Likes green tea', confidence: 0.9 }, { content: 'likes  GREEN tea' }] });
    const busy = await cli(t.dir, 'export', '--user', u);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('--address');
    await t.app.close();

    const file = join(t.dir, 'cli-user.jsonl');
    const exported = await cli(t.dir, 'export', '--user', u, '--out', file, '--embeddings');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/export cli-user: \d+ lines/);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', user_id: u, embeddings: true });
    expect(lines.filter((l) => (JSON.parse(l) as { type: string }).type === 'memory')).toHaveLength(4);
    const toStdout = await cli(t.dir, 'export', '--user', u);
    expect(toStdout.stdout.trim().split('\n').length).toBe(lines.length);

    const dry = await cli(t.dir, 'maintenance', 'run', '--kind', 'gc', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/gc \(dry run, nothing changed\) on data directory .*: 1 users: .*duplicate=1/);
    const real = await cli(t.dir, 'maintenance', 'run', '--kind', 'gc', '--user', u);
    expect(real.stdout).toMatch(/duplicate=1/);
    expect((await cli(t.dir, 'maintenance', 'run', '--kind', 'gc', '--dry-run')).stdout).toMatch(/duplicate=0/);

    const other = await tempDir();
    const imported = await cli(other, 'import', '--file', file, '--batch', '2');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported into cli-user from data directory .*: 4 memories written, 0 unchanged/);
    expect((await cli(other, 'import', '--file', file)).stdout).toMatch(/0 memories written, 4 unchanged/);
    const back = await cli(other, 'export', '--user', u);
    expect(back.stdout.split('\n').filter((l) => l.includes('"type":"memory"'))).toHaveLength(4);
    await t.stop();
    await rm(other, { recursive: true, force: true });
  });

  it('talks to a running service over gRPC with an API key', async () => {
    const dir = await tempDir();
    const key = (await cli(dir, 'keys', 'create', '--name', 'ops', '--scope', 'admin')).stdout.trim();
    expect(key).toMatch(/^mek\./);
    const userKey = (await cli(dir, 'keys', 'create', '--name', 'a-only', '--scope', 'user:a')).stdout.trim();
    const t = await startApp({ auth: 'on' }, dir);
    const md = { authorization: `Bearer ${key}` };
    await call(t.client, 'Remember', { userId: 'a', memory: { content: 'one' } }, { metadata: md });
    await call(t.client, 'Remember', { userId: 'b', memory: { content: 'two', ttlSeconds: 3600 } }, { metadata: md });
    const address = `127.0.0.1:${t.app.grpcPort}`;
    const ok = await cli(dir, 'maintenance', 'run', '--address', address, '--api-key', key, '--kind', 'ttl');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`ttl on service at ${address}: 2 users: deleted=0 expired=0`));
    const refused = await cli(dir, 'maintenance', 'run', '--address', address, '--kind', 'ttl');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('API key');

    // Pause: queued runs wait until resumed; only an admin key may pause; bad durations are named.
    const paused = await cli(dir, 'maintenance', 'pause', '--for', '2m', '--address', address, '--api-key', key);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(new RegExp(`background jobs on service at ${address}: paused until \\d{4}-\\d\\d-\\d\\dT`));
    const job = await call<{ id: string; status: string }>(t.client, 'TriggerPrecompute', { userId: 'a', job: 'ttl' }, { metadata: md });
    await new Promise((r) => setTimeout(r, 300));
    expect((await call<{ status: string }>(t.client, 'GetJob', { userId: 'a', jobId: job.id }, { metadata: md })).status).toBe('QUEUED');
    const denied = (await call(t.client, 'PauseBackgroundJobs', { durationMs: 1000 }, { metadata: { authorization: `Bearer ${userKey}` } }).catch((e: unknown) => e)) as { code: number };
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    for (const durationMs of [-1, 86_400_001]) {
      const bad = (await call(t.client, 'PauseBackgroundJobs', { durationMs }, { metadata: md }).catch((e: unknown) => e)) as { code: number; details: string };
      expect(bad.code).toBe(status.INVALID_ARGUMENT);
      expect(bad.details).toMatch(/^duration_ms: /);
    }
    const resumed = await cli(dir, 'maintenance', 'resume', '--address', address, '--api-key', key);
    expect(resumed.stdout).toMatch(/background jobs on service at .*: running/);
    for (let i = 0; i < 100; i++) {
      if ((await call<{ status: string }>(t.client, 'GetJob', { userId: 'a', jobId: job.id }, { metadata: md })).status === 'SUCCEEDED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await call<{ status: string }>(t.client, 'GetJob', { userId: 'a', jobId: job.id }, { metadata: md })).status).toBe('SUCCEEDED');
    await t.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints help for every command and refuses unknown arguments with the usage', async () => {
    const dir = await tempDir();
    for (const command of [['export'], ['import'], ['maintenance', 'run']]) {
      const help = await cli(dir, ...command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: memory-engine ${command[0]}`);
      const bad = await cli(dir, ...command, '--frobnicate');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('usage:');
    }
    expect((await cli(dir, 'export')).stderr).toContain('--user is required');
    expect((await cli(dir, 'maintenance', 'run', '--kind', 'vacuum')).stderr).toContain('--kind must be one of');
    expect((await cli(dir, 'maintenance', 'walk')).code).toBe(2);
    expect((await cli(dir, 'maintenance', 'pause', '--for', '5m')).stderr).toContain('maintenance pause needs --address');
    expect((await cli(dir, 'maintenance', 'pause', '--for', '5 fortnights', '--address', '127.0.0.1:1')).stderr).toContain('--for must be a duration');
    expect((await cli(dir, 'maintenance', 'run', '--for', '5m')).stderr).toContain('--for goes with maintenance pause');
    await rm(dir, { recursive: true, force: true });
  });
});
