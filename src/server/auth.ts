/**
 * API-key authentication and tenant scoping for the gRPC edge.
 *
 * A key is `mek.<id>.<secret>`: the id finds the row, the secret (32 random bytes) is checked
 * against its stored SHA-256 in constant time. Only the hash is stored; the key is shown once.
 * Scopes: `admin` (every user), `user:<id>` (may act for that user; repeatable), `read` (only
 * read RPCs). Verified keys are cached for `cacheTtlMs`, so a revocation takes effect within
 * that time; when the metadata database cannot be reached, a key verified before keeps working
 * from the cache (reads stay up during a Postgres outage) for up to `staleTtlMs`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError, MemoryError, UnavailableError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';

export interface Principal {
  keyId: string;
  name: string;
  admin: boolean;
  users: ReadonlySet<string>;
  readOnly: boolean;
}

/** RPCs that change nothing; a `read` key may call only these. */
export const READ_METHODS: ReadonlySet<string> = new Set([
  'Get',
  'List',
  'Search',
  'ExportUser',
  'SearchBatch',
  'GetTask',
  'ListTasks',
  'ListAuditEvents',
  'AssembleContext',
  'StreamContext',
  'WarmSession',
  'GetProfile',
  'ListTopics',
  'GetTopic',
  'GetSummary',
  'GetJob',
  'GetRelated',
]);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function generateApiKey(): { id: string; key: string; secretSha256: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `mek.${id}.${secret}`, secretSha256: sha256(secret) };
}

/** Validates scope strings as given to the CLI; returns them normalized (sorted, unique). */
export function checkScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 0) throw new InvalidArgumentError('scope', 'give at least one: admin, read, user:<id>');
  const out = new Set<string>();
  for (const s of scopes) {
    // eslint-disable-next-line no-control-regex -- a user id in a scope holds no control characters
    if (s === 'admin' || s === 'read' || /^user:[^\s\u0000-\u001f]{1,256}$/.test(s)) out.add(s);
    else throw new InvalidArgumentError('scope', `unknown scope "${s}" (admin, read, user:<id>)`);
  }
  if (!out.has('admin') && ![...out].some((s) => s.startsWith('user:'))) throw new InvalidArgumentError('scope', 'a key needs admin or at least one user:<id>');
  return [...out].sort();
}

export function principalOf(k: { id: string; name: string; scopes: string[] }): Principal {
  return {
    keyId: k.id,
    name: k.name,
    admin: k.scopes.includes('admin'),
    users: new Set(k.scopes.filter((s) => s.startsWith('user:')).map((s) => s.slice(5))),
    readOnly: k.scopes.includes('read'),
  };
}

export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { principal: Principal; verifiedAt: number }>();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly cacheTtlMs = 10_000,
    private readonly staleTtlMs = 3_600_000,
  ) {}

  /** The caller's principal, or UNAUTHENTICATED (missing, malformed, unknown or revoked key). */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const m = /^Bearer\s+(mek\.([0-9a-f]{12})\.([A-Za-z0-9_-]{43}))\s*$/.exec(authorization ?? '');
    if (!m) throw new MemoryError('UNAUTHENTICATED', authorization ? 'malformed API key (expected "authorization: Bearer mek.…")' : 'missing API key: send "authorization: Bearer <key>"');
    const [, key, id, secret] = m as unknown as [string, string, string, string];
    const cacheKey = sha256(key);
    const hit = this.cache.get(cacheKey);
    const now = Date.now();
    if (hit && now - hit.verifiedAt < this.cacheTtlMs) return hit.principal;
    let row;
    try {
      row = await this.metadata.findApiKey(id);
    } catch (err) {
      if (err instanceof UnavailableError && hit && now - hit.verifiedAt < this.staleTtlMs) return hit.principal;
      throw err;
    }
    const given = Buffer.from(sha256(secret), 'hex');
    if (!row || row.revokedAtMs !== 0 || !timingSafeEqual(given, Buffer.from(row.secretSha256, 'hex'))) {
      this.cache.delete(cacheKey);
      throw new MemoryError('UNAUTHENTICATED', 'unknown or revoked API key');
    }
    const principal = principalOf(row);
    this.cache.set(cacheKey, { principal, verifiedAt: now });
    return principal;
  }
}

/** PERMISSION_DENIED unless the principal may call `method` for every one of `users`. */
export function authorize(p: Principal, method: string, users: readonly string[] | undefined): void {
  if (p.readOnly && !READ_METHODS.has(method)) throw new MemoryError('PERMISSION_DENIED', `key ${p.keyId} is read-only; ${method} changes data`);
  if (p.admin || users === undefined) return;
  if (users.length === 0) throw new MemoryError('PERMISSION_DENIED', `${method} needs an admin key`);
  for (const u of users) if (!p.users.has(u)) throw new MemoryError('PERMISSION_DENIED', `key ${p.keyId} may not act for user "${u}"`);
}

/**
 * The users a request acts for. `undefined` when the request has a tenant field left empty
 * (validation refuses it before anything is read); [] when the RPC names no tenant (admin only).
 */
export function usersOf(request: unknown): string[] | undefined {
  const r = request as { userId?: string; searches?: { userId?: string }[] };
  if (Array.isArray(r.searches)) return r.searches.length === 0 ? undefined : [...new Set(r.searches.map((s) => s.userId ?? ''))];
  if (typeof r.userId === 'string') return r.userId === '' ? undefined : [r.userId];
  return [];
}
