/**
 * The README as a new user follows it: `npm start` on the default port, then the quick start's
 * grpcurl commands exactly as written, then the MCP configuration of "Use it from your agent"
 * started the way an MCP host starts it (its command, args and env). The TypeScript, LangGraph and
 * Python examples run in the clients' own test suites.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, GRPCURL, toolMissing } from '../support/tools.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const grpcurl = findTool(GRPCURL) ?? toolMissing(GRPCURL, 'bash scripts/grpcurl.sh');
const DEFAULT_PORT = 50051;

async function readme(): Promise<string> {
  return readFile(join(root, 'README.md'), 'utf8');
}

/** The fenced block right after `<!-- marker -->`. */
function blockAfter(text: string, marker: string): string {
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (!m) throw new Error(`README has no code block after <!-- ${marker} -->`);
  return m[1]!;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe.skipIf(!grpcurl)('README, followed as written', () => {
  let service: ChildProcess;
  let dataDir: string;
  let log = '';

  beforeAll(async () => {
    if (!(await portFree(DEFAULT_PORT))) throw new Error(`port ${DEFAULT_PORT} is taken: the README quick start runs on the default port, so stop whatever holds it`);
    dataDir = await mkdtemp(join(tmpdir(), 'me-readme-'));
    // npm start as the README says; only the data directory and the HTTP port are the test's own.
    service = spawn('npm', ['start'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATA_DIR: dataDir, HTTP_ADDRESS: '127.0.0.1:0' } });
    service.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not serve in time: ${log}`)), 120_000);
      createInterface({ input: service.stdout! }).on('line', (line) => {
        log = (log + line + '\n').slice(-4000);
        if (line.includes('"msg":"serving"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      service.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${log}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (service?.pid && service.exitCode === null) {
      const exited = new Promise((r) => service.once('exit', r));
      process.kill(-service.pid, 'SIGTERM');
      await exited;
      // npm may exit before the service it started: the port closes last in its shutdown.
      for (let i = 0; i < 100 && !(await portFree(DEFAULT_PORT)); i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('runs the quick start grpcurl commands exactly as written', async () => {
    const commands = blockAfter(await readme(), 'quickstart:start')
      .split('\n')
      .filter((l) => l.startsWith('grpcurl '));
    expect(commands).toHaveLength(2);
    const env = { ...process.env, PATH: `${dirname(grpcurl!)}:${process.env.PATH}` };
    const remembered = await run('bash', ['-c', commands[0]!], { env });
    expect(JSON.parse(remembered.stdout)).toMatchObject({ created: true, version: '1' });
    const searched = await run('bash', ['-c', commands[1]!], { env });
    const hits = (JSON.parse(searched.stdout) as { hits: { memory: { content: string } }[] }).hits;
    expect(hits[0]!.memory.content).toBe('Alice is allergic to peanuts');
  });

  it('starts the MCP example the way an MCP host does, and its tools work', async () => {
    const config = JSON.parse(blockAfter(await readme(), 'example:mcp')) as { mcpServers: { memory: { command: string; args: string[]; env: Record<string, string> } } };
    const server = config.mcpServers.memory;
    // `memory-engine` as an installed package provides it: the built entry point.
    const bin = await mkdtemp(join(tmpdir(), 'me-bin-'));
    await writeFile(join(bin, 'memory-engine'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist', 'src', 'main.js')}" "$@"\n`);
    await chmod(join(bin, 'memory-engine'), 0o755);
    const client = new Client({ name: 'readme', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: server.command, args: server.args, env: { ...(process.env as Record<string, string>), PATH: `${bin}:${process.env.PATH}`, ...server.env }, stderr: 'pipe' }),
    );
    try {
      const stored = (await client.callTool({ name: 'remember', arguments: { content: 'Alice prefers aisle seats' } })) as CallToolResult;
      expect(stored.isError, JSON.stringify(stored.content)).toBeFalsy();
      const found = (await client.callTool({ name: 'search', arguments: { query: 'seat preference aisle' } })) as CallToolResult;
      expect((found.content[0] as { text: string }).text).toContain('Alice prefers aisle seats');
    } finally {
      await client.close();
      await rm(bin, { recursive: true, force: true });
    }
  });
});
