/**
 * Command-line tools the tests run, built into ~/.cache/memory-engine/bin from the Go module proxy
 * (scripts/<name>.sh) or installed from Debian's packages: found through an environment
 * variable, in that cache, or on PATH. A missing tool skips its tests loudly; under CI=true that is a failure, because .ci/run
 * installs every one of them.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CachedTool {
  /** The binary's name. */
  name: string;
  /** The environment variable that points at the binary (WEED_BIN, GRPCURL_BIN). */
  env: string;
  /** What the tests that need it cover, for the skip message. */
  what: string;
}

export function findTool(tool: CachedTool): string | undefined {
  const candidates = [process.env[tool.env], join(homedir(), '.cache', 'memory-engine', 'bin', tool.name), ...(process.env.PATH ?? '').split(':').map((d) => d && join(d, tool.name))];
  return candidates.find((p): p is string => Boolean(p) && existsSync(p!));
}

/** Says loudly that `tool` is missing and its tests are skipped; throws under CI=true. */
export function toolMissing(tool: CachedTool, install: string): undefined {
  const msg = `${tool.name} not found: run \`${install}\` or set ${tool.env}. ${tool.what} tests are SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${msg} In CI this is a failure.`);
  console.warn(`\n!!!!!!!!\n!!! ${msg}\n!!!!!!!!\n`);
  return undefined;
}

export const GRPCURL: CachedTool = { name: 'grpcurl', env: 'GRPCURL_BIN', what: 'Reflection and README quick-start' };
// Debian's prometheus package puts both on PATH (/usr/bin).
export const PROMTOOL: CachedTool = { name: 'promtool', env: 'PROMTOOL_BIN', what: 'Prometheus rule and configuration' };
export const PROMETHEUS: CachedTool = { name: 'prometheus', env: 'PROMETHEUS_BIN', what: 'Tests against a real Prometheus' };
export const WEED: CachedTool = { name: 'weed', env: 'WEED_BIN', what: 'S3 archive' };
