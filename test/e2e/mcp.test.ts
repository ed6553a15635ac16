/**
 * `memory-engine mcp` driven by the MCP SDK's own client, over stdio (the subprocess an agent
 * runtime starts) and over streamable HTTP, against a real service on loopback.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t?.stop();
});

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('MCP over stdio, for one configured user', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/main.ts', 'mcp', '--user', 'mcp-alice', '--address', `127.0.0.1:${t.app.grpcPort}`],
      cwd: root,
      env: { ...(process.env as Record<string, string>) },
      stderr: 'pipe',
    });
    await client.connect(transport);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
  });

  it('lists the five tools, without a user_id argument', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(['assemble_context', 'forget', 'get_profile', 'remember', 'search']);
    for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('user_id');
  });

  it('remembers, searches, assembles context, reads the profile and forgets', async () => {
    const stored = await client.callTool({ name: 'remember', arguments: { content: 'Alice is allergic to peanuts', kind: 'fact', tags: ['health'] } });
    expect(stored.isError, text(stored)).toBeFalsy();
    const id = (stored.structuredContent as { id: string }).id;
    await client.callTool({ name: 'remember', arguments: { content: 'Alice prefers window seats on flights', kind: 'preference' } });

    const found = await client.callTool({ name: 'search', arguments: { query: 'food allergies peanuts', top_k: 3 } });
    expect(text(found)).toContain('Alice is allergic to peanuts');
    expect((found.structuredContent as { hits: { id: string }[] }).hits[0]!.id).toBe(id);

    const context = await client.callTool({ name: 'assemble_context', arguments: { query: 'what should Alice avoid eating?', token_budget: 400 } });
    expect(context.isError, text(context)).toBeFalsy();
    expect(text(context)).toContain('peanuts');

    const profile = await client.callTool({ name: 'get_profile', arguments: {} });
    expect(profile.isError, text(profile)).toBeFalsy();
    expect((profile.structuredContent as { memory_count: number }).memory_count).toBeGreaterThanOrEqual(0);

    const forgotten = await client.callTool({ name: 'forget', arguments: { ids: [id] } });
    expect(text(forgotten)).toBe('forgot 1 memory');
    const after = await client.callTool({ name: 'search', arguments: { query: 'food allergies peanuts', top_k: 3 } });
    expect(text(after)).not.toContain('allergic to peanuts');
  });

  it('turns a service error into a tool error naming the status', async () => {
    const r = await client.callTool({ name: 'forget', arguments: { ids: ['not-a-uuid'] } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^INVALID_ARGUMENT: /);
  });
});

describe('MCP over streamable HTTP, for any user', () => {
  let client: Client;
  let child: ReturnType<typeof spawn>;
  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'mcp', '--http', '127.0.0.1:0', '--address', `127.0.0.1:${t.app.grpcPort}`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`mcp exited with ${code}`)));
    });
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    child?.kill('SIGTERM');
  });

  it('requires user_id and keeps users apart', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((x) => x.name === 'search')!.inputSchema.required).toContain('user_id');
    await client.callTool({ name: 'remember', arguments: { user_id: 'mcp-bob', content: 'Bob plays the cello' } });
    const bob = await client.callTool({ name: 'search', arguments: { user_id: 'mcp-bob', query: 'instrument cello' } });
    expect(text(bob)).toContain('cello');
    const carol = await client.callTool({ name: 'search', arguments: { user_id: 'mcp-carol', query: 'instrument cello' } });
    expect(text(carol)).toBe('no memories match');
    const missing = await client.callTool({ name: 'search', arguments: { query: 'cello' } });
    expect(missing.isError).toBe(true);
  });

  it('stops on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
