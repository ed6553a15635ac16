/**
 * Composition root and the one owner of OS signals. Reads the environment once, starts the
 * service, and on SIGTERM/SIGINT closes it gracefully (a second signal exits at once).
 * Any other command (`keys`, `export`, `import`, `maintenance`, `mcp`, `--help`) runs from
 * cli/commands.ts instead, and a command it does not know is a usage error, never a start.
 */
import { App } from './app.js';
import { loadConfig } from './config.js';
import { DirectoryInUseError } from './directory-lock.js';
import { ConfigError } from './errors.js';
import { runCommand } from './cli/commands.js';
import { createProcessLogger } from './observability/logger.js';
import { cachedModelDir } from './engine/embed/model-cache.js';
import { applyPgliteWasmTier } from './metadata/pglite/wasm-tier.js';
import { applyHeapSizing } from './heap-sizing.js';

async function main(): Promise<void> {
  // A command runs until it ends or a signal asks it to; the service installs its own handlers.
  const stop = new AbortController();
  const stopCommand = () => stop.abort();
  process.on('SIGTERM', stopCommand);
  process.on('SIGINT', stopCommand);
  const outcome = await runCommand(process.argv.slice(2), process.env, stop.signal);
  if ('exitCode' in outcome) process.exit(outcome.exitCode);
  process.off('SIGTERM', stopCommand);
  process.off('SIGINT', stopCommand);
  let config;
  try {
    // EMBEDDER=auto finds the default local model where scripts/local-model.sh put it.
    const model = process.env.LOCAL_MODEL_PATH ? undefined : cachedModelDir(process.env);
    config = loadConfig(model ? { ...process.env, LOCAL_MODEL_PATH: model } : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`memory-engine: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Process-wide (undici's HTTP parser is WebAssembly too, small and rarely hot).
  applyPgliteWasmTier(config);
  applyHeapSizing(config);
  const log = await createProcessLogger(config.logLevel, config.logFormat);
  let app: App;
  try {
    app = await new App(config, log).start();
  } catch (err) {
    if (err instanceof DirectoryInUseError) {
      log.fatal(`cannot start: ${err.message}`);
      process.stderr.write(`memory-engine: cannot start: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof ConfigError) {
      log.fatal(`invalid configuration: ${err.message}`);
      process.exit(2);
    }
    log.fatal({ err }, 'failed to start');
    process.exit(1);
  }
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ sig }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ sig }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

void main();
