/**
 * Page tokens for every listing (List, ListTasks, ListAuditEvents): opaque to callers, tied to
 * the listing and to its filter, and checked whole before any of it reaches a store. A token
 * from another listing, another filter or another user, a crafted one, or a damaged one is
 * INVALID_ARGUMENT on `page_token`; nothing in it is passed on unchecked.
 *
 * Form: base64url(JSON [version, listing, scope, ...position]); `scope` is a short hash of the
 * user and the filter the token was issued for.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';

export type Listing = 'memories' | 'tasks' | 'audit' | 'users';

const VERSION = 1;
/** Far above any token this server issues (~100 characters); longer ones are refused unread. */
const MAX_TOKEN_CHARS = 512;
const FIELD = 'page_token';

/** What a token is tied to: the user and everything that selects and orders the listing. */
export function tokenScope(userId: string, selection: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([userId, selection ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

export function encodePageToken(listing: Listing, scope: string, position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([VERSION, listing, scope, ...position])).toString('base64url');
}

/**
 * The position a token carries, after `parse` accepted it; `parse` returns undefined for a
 * position of the wrong shape. Throws InvalidArgumentError for any token this server did not
 * issue for this listing and scope.
 */
export function decodePageToken<T>(token: string, listing: Listing, scope: string, parse: (position: unknown[]) => T | undefined): T {
  if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw notOurs();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  if (!Array.isArray(parts) || parts[0] !== VERSION || typeof parts[1] !== 'string' || typeof parts[2] !== 'string') throw notOurs();
  if (parts[1] !== listing) throw new InvalidArgumentError(FIELD, `was issued for another listing (${LISTING_RPC[listing]} takes only its own tokens)`);
  if (parts[2] !== scope) throw new InvalidArgumentError(FIELD, 'was issued for another user, filter or order; start again without a token');
  const position = parse(parts.slice(3));
  if (position === undefined) throw notOurs();
  return position;
}

const LISTING_RPC: Record<Listing, string> = { memories: 'List', tasks: 'ListTasks', audit: 'ListAuditEvents', users: 'ListUsers' };

const notOurs = () => new InvalidArgumentError(FIELD, 'is not a page token this server issued');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A timestamp as Postgres prints `timestamptz::text` (microseconds kept). */
const PG_TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-](\d{2})(:[0-5]\d){0,2}$/;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** [createdAtMs, id]: a position in the (created_at, id) order of a user's memories. */
export function memoryPosition(p: unknown[]): { createdAtMs: number; id: string } | undefined {
  const [t, id] = p;
  if (p.length !== 2 || !Number.isSafeInteger(t) || (t as number) < 0 || typeof id !== 'string' || !UUID_RE.test(id)) return undefined;
  return { createdAtMs: t as number, id };
}

/** [created_at as Postgres prints it, id]: a position in the (created_at, id) order of tasks. */
export function taskPosition(p: unknown[]): { createdAt: string; id: string } | undefined {
  const [at, id] = p;
  if (p.length !== 2 || typeof at !== 'string' || typeof id !== 'string' || !UUID_RE.test(id)) return undefined;
  const m = PG_TIMESTAMP_RE.exec(at);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, , offset] = m.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  const valid = year! >= 1 && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day! && hour! <= 23 && minute! <= 59 && second! <= 59 && offset! <= 15;
  return valid ? { createdAt: at, id } : undefined;
}

/** [userId]: the last user of a page (any user id is a valid position). */
export function userPosition(p: unknown[]): string | undefined {
  const [u] = p;
  return p.length === 1 && typeof u === 'string' && u !== '' ? u : undefined;
}

/** [id]: an audit event id (a positive bigint, as a decimal string). */
export function auditPosition(p: unknown[]): { id: string } | undefined {
  const [id] = p;
  if (p.length !== 1 || typeof id !== 'string' || !/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > MAX_BIGINT) return undefined;
  return { id };
}
