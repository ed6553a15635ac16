/**
 * Server reflection as a stock tool sees it: grpcurl (Go, protobuf-go's strict descriptor
 * validation) lists, describes and calls every RPC with no .proto file, map fields included.
 * A descriptor protobuf-go refuses makes grpcurl exit 1; an RPC that reached the service exits
 * 0, or 64 + the gRPC status code.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers.js';
import { findTool, GRPCURL, toolMissing } from '../support/tools.js';

const run = promisify(execFile);
const grpcurl = findTool(GRPCURL) ?? toolMissing(GRPCURL, 'bash scripts/grpcurl.sh');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let t: TestApp;
let address = '';

async function tool(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(grpcurl!, ['-plaintext', ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Runs `fn` over `items`, `width` at a time (each runs a grpcurl process). */
async function eachLimited<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

describe.skipIf(!grpcurl)('reflection with grpcurl', () => {
  beforeAll(async () => {
    t = await startApp();
    address = `127.0.0.1:${t.app.grpcPort}`;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists the memory, health and reflection services', async () => {
    const r = await tool(address, 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'memory.v1.MemoryService']);
  });

  it('describes every method and its request and response types', async () => {
    const methods = (await tool(address, 'list', 'memory.v1.MemoryService')).stdout.trim().split('\n');
    expect(methods.length).toBeGreaterThan(25);
    const types = new Set<string>();
    await eachLimited(methods, 4, async (method) => {
      const r = await tool(address, 'describe', method);
      expect(r.code, `${method}: ${r.stderr}`).toBe(0);
      const m = /rpc \w+ \( (?:stream )?\.([\w.]+) \) returns \( (?:stream )?\.([\w.]+) \)/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      types.add(m![1]!).add(m![2]!);
    });
    await eachLimited([...types], 4, async (type) => {
      const r = await tool(address, 'describe', type);
      expect(r.code, `${type}: ${r.stderr}`).toBe(0);
    });
    // The map fields read back as maps, with their own entry types and snake_case names.
    const memory = await tool(address, 'describe', 'memory.v1.Memory');
    expect(memory.stdout).toContain('map<string, string> metadata = 22;');
    expect(memory.stdout).toContain('string user_id = 2;');
    expect((await tool(address, 'describe', 'memory.v1.MemoryInput')).stdout).toContain('optional float importance = 10;');
  });

  it('calls every RPC through reflection alone: each reaches the service and gets a gRPC status', async () => {
    const methods = (await tool(address, 'list', 'memory.v1.MemoryService')).stdout.trim().split('\n');
    await eachLimited(methods, 4, async (method) => {
      const slash = method.replace(/\.(\w+)$/, '/$1');
      const r = await tool('-d', '{}', address, slash);
      // 0 = OK, 64 + code = an error status from the service; 1 = grpcurl could not make the call.
      expect(r.code === 0 || r.code >= 64, `${method} exited ${r.code}: ${r.stderr}`).toBe(true);
      expect(r.stderr).not.toMatch(/failed to|invalid map|descriptor/i);
    });
  });

  it('round-trips a map field and an optional field as JSON', async () => {
    const remembered = await tool(
      '-d',
      JSON.stringify({ user_id: 'u-map', memory: { content: 'Alice likes green tea', metadata: { source: 'chat', lang: 'en' }, importance: 0.8 } }),
      address,
      'memory.v1.MemoryService/Remember',
    );
    expect(remembered.code, remembered.stderr).toBe(0);
    const { id } = JSON.parse(remembered.stdout) as { id: string };
    const got = await tool('-d', JSON.stringify({ user_id: 'u-map', id }), address, 'memory.v1.MemoryService/Get');
    expect(got.code, got.stderr).toBe(0);
    const memory = JSON.parse(got.stdout) as { metadata: Record<string, string>; importance: number };
    expect(memory.metadata).toEqual({ source: 'chat', lang: 'en' });
    expect(memory.importance).toBeCloseTo(0.8);
  });

  it('answers health checks', async () => {
    const r = await tool('-d', '{"service":"memory.v1.MemoryService"}', address, 'grpc.health.v1.Health/Check');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'SERVING' });
  });
});
