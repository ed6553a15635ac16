/**
 * `memory-engine [command]`: which command runs, with its help and its usage errors. The service
 * (`serve`, the default) is configured by environment variables only, so anything after it is
 * an error, never a started service. Each command's module is loaded only when it runs.
 */
import { parseArgs } from 'node:util';
import { packageVersion } from '../package-info.js';

export const USAGE = `usage: memory-engine [command] [options]

Long-term memory for AI agents, as a gRPC service.

commands:
  serve                      run the service (the default); configured by environment
                             variables: see the README's configuration table
  keys create|list|revoke    manage API keys
  export --user USER         write a user's memories, tasks and audit trail as JSON lines
  import --file FILE         import what export wrote (idempotent)
  maintenance run            run a lifecycle job (ttl, decay, compress, archive, gc)
  maintenance pause|resume   hold a running service's background jobs for a while
  mcp                        an MCP server (stdio or HTTP) for agents, talking to the service

options:
  -h, --help                 this help; memory-engine COMMAND --help for a command's
  -v, --version              the version`;

const SERVE_USAGE = `usage: memory-engine [serve]
  Runs the gRPC service (GRPC_ADDRESS) with /healthz, /readyz and /metrics (HTTP_ADDRESS).
  Every setting is an environment variable: see the README's configuration table.`;

export type Outcome = { serve: true } | { exitCode: number };

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const STDIO: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

/**
 * Runs the command `argv` names, or says the service should start. `stop` fires on the process's
 * signals (main.ts owns them): long-running commands (mcp) end then.
 */
export async function runCommand(argv: string[], env: Record<string, string | undefined>, stop: AbortSignal, io: Io = STDIO): Promise<Outcome> {
  const [first, ...rest] = argv;
  const exit = (exitCode: number): Outcome => ({ exitCode });
  switch (first) {
    case 'keys': {
      const { runKeysCli } = await import('./keys.js');
      return exit(await runKeysCli(rest, env, io.out, io.err));
    }
    case 'export':
    case 'import':
    case 'maintenance': {
      const { runLifecycleCli } = await import('./lifecycle.js');
      return exit(await runLifecycleCli(first, rest, env, io.out, io.err));
    }
    case 'mcp': {
      const { runMcpCli } = await import('./mcp.js');
      return exit(await runMcpCli(rest, env, io, stop));
    }
    case undefined:
      return { serve: true };
    case 'serve':
      return serveArguments(rest, io);
    default:
      return topLevel(argv, io);
  }
}

function serveArguments(args: string[], io: Io): Outcome {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    io.out(SERVE_USAGE);
    return { exitCode: 0 };
  }
  if (args.length > 0) {
    io.err(`memory-engine serve takes no arguments (got ${args.join(' ')}): settings are environment variables\n${SERVE_USAGE}`);
    return { exitCode: 2 };
  }
  return { serve: true };
}

function topLevel(argv: string[], io: Io): Outcome {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`memory-engine: ${(e as Error).message}\n\n${USAGE}`);
    return { exitCode: 2 };
  }
  if (parsed.positionals.length > 0) {
    io.err(`memory-engine: unknown command ${parsed.positionals[0]}\n\n${USAGE}`);
    return { exitCode: 2 };
  }
  if (parsed.values.version) {
    io.out(packageVersion());
    return { exitCode: 0 };
  }
  io.out(USAGE);
  return { exitCode: 0 };
}
