/**
 * `memory-engine` as a new user first types it: help and version answer and exit, every command
 * has --help, and anything the CLI does not know is a usage error (exit 2) — never a started
 * service. The process tests run the real entry point; the rest call the command table.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // GRPC_ADDRESS on a port nobody can bind: a service that started by mistake fails loudly.
    const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: root,
      timeout: 30_000,
      env: { ...process.env, GRPC_ADDRESS: '127.0.0.1:1', DATA_DIR: '/nonexistent/never-created' },
    });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function command(...argv: string[]): Promise<{ outcome: Awaited<ReturnType<typeof runCommand>>; out: string; err: string }> {
  let out = '';
  let err = '';
  const outcome = await runCommand(argv, {}, new AbortController().signal, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { outcome, out, err };
}

describe('memory-engine CLI', () => {
  it('prints help and the version, and exits', async () => {
    const help = await cli('--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: memory-engine \[command\]/);
    for (const c of ['serve', 'keys', 'export', 'import', 'maintenance run', 'mcp']) expect(help.stdout).toContain(`  ${c}`);
    const version = await cli('--version');
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('refuses an unknown command or option with usage, without starting the service', async () => {
    for (const args of [['frobnicate'], ['--port', '5'], ['serve', '--port', '5'], ['serve', 'extra']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage: memory-engine');
      expect(r.stdout).not.toContain('serving');
    }
  });

  it('has --help for every command', async () => {
    for (const c of [['serve'], ['keys'], ['export'], ['import'], ['maintenance'], ['mcp']]) {
      const r = await command(...c, '--help');
      expect(r.outcome, c.join(' ')).toEqual({ exitCode: 0 });
      expect(r.out).toMatch(/usage:\s+memory-engine/);
    }
    expect((await command('-h')).out).toContain('commands:');
    expect((await command('-v')).out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('says the service should start for no command and for serve', async () => {
    expect((await command()).outcome).toEqual({ serve: true });
    expect((await command('serve')).outcome).toEqual({ serve: true });
  });

  it('logs readable lines with LOG_FORMAT=pretty (auto is pretty on a terminal, JSON in a pipe as here)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'me-pretty-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dir, GRPC_ADDRESS: '127.0.0.1:0', HTTP_ADDRESS: '127.0.0.1:0', EMBEDDER: 'lexical', LOG_FORMAT: 'pretty' },
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (l) => l.includes('serving') && resolve(l));
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*serving/);
      expect(() => JSON.parse(line) as unknown).toThrow();
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives usage errors for keys before it opens any database', async () => {
    const none = await command('keys');
    expect(none.outcome).toEqual({ exitCode: 2 });
    expect(none.err).toContain('a keys command is required');
    expect((await command('keys', 'create')).err).toContain('--name is required');
    expect((await command('keys', 'list', '--bogus')).err).toContain("Unknown option '--bogus'");
    expect((await command('keys', 'revoke')).outcome).toEqual({ exitCode: 2 });
    expect((await command('mcp', '--http', '0.0.0.0:80')).err).toContain('loopback');
  });
});
