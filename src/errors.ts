/**
 * One closed error hierarchy for the whole service. Handlers throw these; the gRPC edge maps
 * `code` to a status in exactly one place (src/server/status.ts). Anything that is not a
 * MemoryError becomes INTERNAL with a generic message.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

export class MemoryError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Longest field path and problem an InvalidArgumentError repeats: status details travel in a
 * gRPC trailer, and clients refuse trailers over their metadata limit (8 KiB by default). */
const MAX_FIELD_CHARS = 200;
const MAX_PROBLEM_CHARS = 400;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** A field failed validation; `field` is the dotted path the caller sent, e.g. `items[3].content`. */
export class InvalidArgumentError extends MemoryError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super('INVALID_ARGUMENT', `${clip(field, MAX_FIELD_CHARS)}: ${clip(problem, MAX_PROBLEM_CHARS)}`);
    this.field = clip(field, MAX_FIELD_CHARS);
  }
}

export class NotFoundError extends MemoryError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class AlreadyExistsError extends MemoryError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}

export class VersionConflictError extends MemoryError {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super('FAILED_PRECONDITION', `version conflict: expected ${expected}, current ${actual}`);
  }
}

export class ResourceExhaustedError extends MemoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RESOURCE_EXHAUSTED', message, options);
  }
}

/** A backend (store, embedder, metadata) is down or the server is draining. Safe to retry. */
export class UnavailableError extends MemoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
  }
}

export class DeadlineExceededError extends MemoryError {
  constructor(message = 'deadline exceeded') {
    super('DEADLINE_EXCEEDED', message);
  }
}

export class CancelledError extends MemoryError {
  constructor(message = 'cancelled by the caller') {
    super('CANCELLED', message);
  }
}

export class UnimplementedError extends MemoryError {
  constructor(message: string) {
    super('UNIMPLEMENTED', message);
  }
}

/** Startup problems (bad configuration, data written by an incompatible deployment). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Throws the right error when the signal fired: the deadline or the caller's cancellation. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof MemoryError) throw reason;
  throw new CancelledError();
}
