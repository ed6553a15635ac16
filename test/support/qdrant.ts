/**
 * A real Qdrant for tests. Qdrant is in no package registry this project's CI reaches, so:
 *   QDRANT_BIN=/path/to/qdrant   tests start their own server on free loopback ports in a temp
 *                                dir (and can kill and restart it: the outage tests need that);
 *   QDRANT_URL=http://host:port  tests use that server (restart tests are skipped);
 *   neither                      every Qdrant test is SKIPPED with a loud message.
 * Each test run uses its own collection prefix, so a shared server is safe to reuse.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './servers.js';
import { killServer, spawnServer, type ServerProcess } from './process.js';

export interface TestQdrant {
  url: string;
  /** A collection prefix no other run uses. */
  prefix: string;
  /** Whether this harness owns the process (kill/start work). */
  controllable: boolean;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that accepts connections and never answers. */
  pause(): void;
  resume(): void;
  /** Deletes this run's collections and, when owned, stops the server. */
  stop(): Promise<void>;
}

let warned = false;

export function qdrantMissing(): undefined {
  if (!warned) {
    warned = true;
    console.warn(
      '\n!!!!!!!!\n!!! Qdrant not configured: set QDRANT_BIN (a qdrant binary; tests start it on loopback) or QDRANT_URL (a running server).\n!!! Qdrant tests are SKIPPED. See README "Running the Qdrant suite".\n!!!!!!!!\n',
    );
  }
  return undefined;
}

async function waitReady(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(500) });
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`qdrant at ${url} did not become ready in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function dropPrefix(url: string, prefix: string): Promise<void> {
  try {
    const aliases = (await (await fetch(`${url}/aliases`)).json()) as { result: { aliases: { alias_name: string }[] } };
    const ops = aliases.result.aliases.filter((a) => a.alias_name.startsWith(prefix)).map((a) => ({ delete_alias: { alias_name: a.alias_name } }));
    if (ops.length) await fetch(`${url}/collections/aliases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actions: ops }) });
    const cols = (await (await fetch(`${url}/collections`)).json()) as { result: { collections: { name: string }[] } };
    for (const c of cols.result.collections) if (c.name.startsWith(prefix)) await fetch(`${url}/collections/${c.name}`, { method: 'DELETE' });
  } catch {
    /* best effort */
  }
}

export async function startTestQdrant(): Promise<TestQdrant | undefined> {
  const prefix = `t${randomUUID().slice(0, 8)}_`;
  const bin = process.env.QDRANT_BIN;
  if (!bin) {
    const url = process.env.QDRANT_URL?.replace(/\/$/, '');
    if (!url) return qdrantMissing();
    await waitReady(url, 5000);
    const noop = async () => {
      throw new Error('QDRANT_URL is an external server: this test cannot kill or restart it (use QDRANT_BIN)');
    };
    const no = () => void noop();
    return { url, prefix, controllable: false, kill: noop, start: noop, pause: no, resume: no, stop: () => dropPrefix(url, prefix) };
  }
  const dir = await mkdtemp(join(tmpdir(), 'me-qdrant-'));
  const [http, grpc] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${http}`;
  let proc: ServerProcess | undefined;
  const start = async () => {
    proc = spawnServer(bin, [], {
      cwd: dir,
      env: {
        ...process.env,
        QDRANT__SERVICE__HOST: '127.0.0.1',
        QDRANT__SERVICE__HTTP_PORT: String(http),
        QDRANT__SERVICE__GRPC_PORT: String(grpc),
        QDRANT__STORAGE__STORAGE_PATH: join(dir, 'storage'),
        QDRANT__STORAGE__SNAPSHOTS_PATH: join(dir, 'snapshots'),
        QDRANT__TELEMETRY_DISABLED: 'true',
        QDRANT__LOG_LEVEL: 'WARN',
      },
    });
    try {
      await waitReady(url, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${proc.log()}`, { cause: e });
    }
  };
  const kill = () => killServer(proc);
  await start();
  return {
    url,
    prefix,
    controllable: true,
    kill,
    start,
    pause: () => proc?.child.kill('SIGSTOP'),
    resume: () => proc?.child.kill('SIGCONT'),
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
