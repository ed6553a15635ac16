/**
 * The one place where errors become gRPC statuses. A MemoryError carries its code; anything
 * else is INTERNAL with a generic message and the details only in the log.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { MemoryError, type ErrorCode } from '../errors.js';

const CODES: Record<ErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  INTERNAL: status.INTERNAL,
};

/** Status details travel in a trailer that clients cap (8 KiB by default): never near it. */
const MAX_DETAILS_CHARS = 1000;

/** The status an error answers with, by name (`INVALID_ARGUMENT`), for metrics. */
export function statusNameOf(err: unknown): string {
  return status[err instanceof MemoryError ? CODES[err.code] : status.INTERNAL];
}

export function toServiceError(err: unknown, requestId: string, log: Logger): Partial<ServiceError> & { code: status } {
  const metadata = new Metadata();
  metadata.set('x-request-id', requestId);
  if (err instanceof MemoryError) {
    if (err.code === 'INTERNAL' || err.code === 'UNAVAILABLE') log.warn({ err, requestId }, err.message);
    const details = err.message.length > MAX_DETAILS_CHARS ? `${err.message.slice(0, MAX_DETAILS_CHARS)}…` : err.message;
    return { code: CODES[err.code], details, metadata };
  }
  log.error({ err, requestId }, 'unexpected error');
  return { code: status.INTERNAL, details: `internal error (request ${requestId})`, metadata };
}
