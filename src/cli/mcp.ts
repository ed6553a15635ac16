/**
 * `memory-engine mcp`: an MCP server over stdio (the default: an agent runtime starts it as a
 * subprocess) or streamable HTTP on loopback, talking to the service over gRPC (--address) or
 * to the data directory of a stopped one. Runs until `stop` fires (the process's signals) or,
 * on stdio, until the client closes stdin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { DirectoryInUseError } from '../directory-lock.js';
import { ConfigError } from '../errors.js';
import { connect, type Connection } from './connect.js';
import { createMcpServer } from './mcp-tools.js';

export const MCP_USAGE = `usage: memory-engine mcp [--user USER] [--http HOST:PORT] [--deadline-ms MS] [connection]
  An MCP server with the tools remember, search, assemble_context, forget and get_profile.
  Over stdio by default (stdout carries only the protocol); with --http, streamable HTTP at
  http://HOST:PORT/mcp (loopback addresses only; stateless: one request, one exchange).
  --user USER           act for this user only (the tools then take no user_id)
  --deadline-ms MS      deadline of each call to the service (default 10000)
connection:
  --address HOST:PORT   a running service (or MEMORY_ENGINE_ADDRESS); without one, the server
                        opens DATA_DIR itself, which works only while the service is stopped
  --api-key KEY         the API key, when the service asks for one (or MEMORY_ENGINE_API_KEY);
                        a key scoped to user:<id> limits the tools to that user`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function runMcpCli(args: string[], env: Record<string, string | undefined>, io: Io, stop: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        user: { type: 'string' },
        http: { type: 'string' },
        'deadline-ms': { type: 'string' },
        address: { type: 'string' },
        'api-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${MCP_USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.out(MCP_USAGE);
    return 0;
  }
  const usageError = (msg: string) => {
    io.err(`${msg}\n${MCP_USAGE}`);
    return 2;
  };
  const deadlineMs = Number(v['deadline-ms'] ?? 10_000);
  if (!Number.isSafeInteger(deadlineMs) || deadlineMs < 1) return usageError('--deadline-ms must be a positive integer');
  if (v.user === '') return usageError('--user must not be empty');
  let listen: { host: string; port: number } | undefined;
  if (v.http !== undefined) {
    const m = /^(.*):(\d+)$/.exec(v.http);
    if (!m || !LOOPBACK.has(m[1]!) || Number(m[2]) > 65535) return usageError(`--http must be a loopback HOST:PORT (127.0.0.1, localhost or [::1]), got ${v.http}`);
    listen = { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }

  let connection: Connection;
  try {
    const address = v.address ?? env.MEMORY_ENGINE_ADDRESS;
    const apiKey = v['api-key'] ?? env.MEMORY_ENGINE_API_KEY;
    connection = await connect({ ...(address ? { address } : {}), ...(apiKey ? { apiKey } : {}) }, env);
  } catch (e) {
    if (e instanceof DirectoryInUseError) {
      io.err(`${e.message}\n(the service holds the data directory while it runs: pass --address to talk to it)`);
      return 1;
    }
    if (e instanceof ConfigError) {
      io.err(`invalid configuration: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const tools = { connection, deadlineMs, ...(v.user ? { user: v.user } : {}) };
  try {
    if (listen) await serveHttp(listen, () => createMcpServer(tools), io, stop);
    else await serveStdio(createMcpServer(tools), stop);
    return 0;
  } finally {
    await connection.close();
  }
}

async function serveStdio(server: ReturnType<typeof createMcpServer>, stop: AbortSignal): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    stop.addEventListener('abort', () => resolve(), { once: true });
    process.stdin.once('end', () => resolve());
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
}

async function serveHttp(listen: { host: string; port: number }, newServer: () => ReturnType<typeof createMcpServer>, io: Io, stop: AbortSignal): Promise<void> {
  const http = createServer((req, res) => void exchange(req, res, newServer));
  http.listen(listen.port, listen.host);
  await once(http, 'listening');
  const address = http.address() as { port: number };
  // One line on stdout says where it listens (port 0 picks a free one); the rest goes to stderr.
  io.out(JSON.stringify({ msg: 'mcp listening', url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${address.port}/mcp` }));
  if (!stop.aborted) await once(stop, 'abort');
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

/** Stateless streamable HTTP: a fresh server and transport per POST, closed with the response. */
async function exchange(req: IncomingMessage, res: ServerResponse, newServer: () => ReturnType<typeof createMcpServer>): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  if (req.method !== 'POST') {
    // No sessions, so no server-initiated stream (GET) and nothing to end (DELETE).
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const server = newServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res);
  } catch (e) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: (e as Error).message }, id: null }));
  }
}
