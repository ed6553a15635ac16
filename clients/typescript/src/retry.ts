/**
 * When a failed call is tried again: only calls that are safe to repeat, only on UNAVAILABLE (the
 * service restarting, draining or briefly unreachable), with exponential backoff and full jitter
 * so that many clients do not come back in step, and never past the call's deadline.
 */
import { status as Status } from '@grpc/grpc-js';

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retries). Default 4. */
  maxAttempts: number;
  /** Backoff ceiling of the first retry; doubles each time. Default 50 ms. */
  initialBackoffMs: number;
  /** Largest backoff ceiling. Default 2,000 ms. */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 50, maxBackoffMs: 2000 };

/** Reads and deletes by id: repeating them changes nothing. */
const IDEMPOTENT = new Set([
  'Get',
  'List',
  'Search',
  'SearchBatch',
  'AssembleContext',
  'WarmSession',
  'GetProfile',
  'ListTopics',
  'GetTopic',
  'GetSummary',
  'GetRelated',
  'GetJob',
  'GetTask',
  'ListTasks',
  'ListAuditEvents',
  'ListUsers',
  'Forget',
  'ForgetUser',
  'ImportUser',
]);

/** Whether `method` with this (camelCase) request may be sent again after a failure. */
export function isIdempotent(method: string, request: Record<string, unknown>): boolean {
  if (IDEMPOTENT.has(method)) return true;
  // A Remember with the caller's id is a no-op when repeated (the service compares the content).
  if (method === 'Remember') return Boolean((request.memory as { id?: string } | undefined)?.id);
  if (method === 'RememberBatch') return ((request.items as { id?: string }[] | undefined) ?? []).every((i) => Boolean(i.id));
  return false;
}

export function isRetryable(code: number): boolean {
  return code === Status.UNAVAILABLE;
}

/** The wait before retry number `retry` (1-based): uniform in [0, min(max, initial × 2^(retry-1))]. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (retry - 1));
}
