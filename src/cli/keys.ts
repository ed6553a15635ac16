/**
 * `memory-engine keys create|list|revoke`: API-key management against the configured metadata
 * database (DATABASE_URL, or the embedded one in DATA_DIR while the service is stopped).
 * A new key is printed once; only its hash is stored.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DirectoryInUseError } from '../directory-lock.js';
import { openMetadata } from '../metadata/open.js';
import { loadConfig } from '../config.js';
import { ConfigError, MemoryError } from '../errors.js';
import { checkScopes, generateApiKey } from '../server/auth.js';

const USAGE = `usage:
  memory-engine keys create --name NAME --scope SCOPE [--scope SCOPE …]
        SCOPE: admin | read | user:<user_id>   (read = read-only; combine with admin or user:…)
  memory-engine keys list
  memory-engine keys revoke KEY_ID
  Works on DATABASE_URL, or on the embedded database in DATA_DIR while the service is stopped.`;

/** Runs the CLI; resolves with the process exit code. */
export async function runKeysCli(
  args: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  err: (s: string) => void = (s) => process.stderr.write(s + '\n'),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { name: { type: 'string' }, scope: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out(USAGE);
    return 0;
  }
  const [cmd, ...rest] = parsed.positionals;
  const usageError = (msg: string) => {
    err(`${msg}\n${USAGE}`);
    return 2;
  };
  if (!cmd || !['create', 'list', 'revoke'].includes(cmd)) return usageError(cmd ? `unknown keys command ${cmd}` : 'a keys command is required');
  if (cmd === 'create' && !parsed.values.name) return usageError('--name is required');
  if (cmd !== 'create' && (parsed.values.name !== undefined || parsed.values.scope !== undefined)) return usageError(`--name and --scope belong to keys create`);
  if (cmd === 'revoke' ? rest.length !== 1 : rest.length !== 0) return usageError(`unexpected arguments: ${rest.join(' ') || '(none)'}`);
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`invalid configuration: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const dataDir = resolve(config.dataDir);
  let metadata;
  try {
    metadata = await openMetadata(config, dataDir);
  } catch (e) {
    // The embedded database has one writer: a running service holds its lock.
    if (e instanceof DirectoryInUseError) {
      err(`${e.message}\n(the service holds the embedded database while it runs; stop it first, or use DATABASE_URL)`);
      return 1;
    }
    throw e;
  }
  try {
    await metadata.open();
    if (cmd === 'create') {
      const name = parsed.values.name!;
      const scopes = parsed.values.scope ?? [];
      const checked = checkScopes(scopes);
      const k = generateApiKey();
      await metadata.createApiKey({ id: k.id, name, secretSha256: k.secretSha256, scopes: checked });
      out(k.key);
      err(`created key ${k.id} (${name}) with scopes ${checked.join(', ')}. The key above is shown only now; store it safely.`);
      return 0;
    }
    if (cmd === 'list') {
      const keys = await metadata.listApiKeys();
      out(['id', 'name', 'scopes', 'created', 'revoked'].join('\t'));
      for (const k of keys) out([k.id, k.name, k.scopes.join(','), new Date(k.createdAtMs).toISOString(), k.revokedAtMs ? new Date(k.revokedAtMs).toISOString() : '-'].join('\t'));
      return 0;
    }
    const id = rest[0]!;
    if (!(await metadata.revokeApiKey(id))) {
      err(`no key ${id}`);
      return 1;
    }
    err(`revoked ${id} (running services stop accepting it within AUTH_CACHE_TTL_MS)`);
    return 0;
  } catch (e) {
    if (e instanceof MemoryError) {
      err(e.message);
      return e.code === 'INVALID_ARGUMENT' ? 2 : 1;
    }
    throw e;
  } finally {
    await metadata.close();
  }
}
