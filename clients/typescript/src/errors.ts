/** The one error type the client throws: a gRPC status, with the field the service named. */
import { status as Status, type ServiceError } from '@grpc/grpc-js';

const NAMES = Object.fromEntries(
  Object.entries(Status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
) as Record<number, string>;

export class MemoryEngineError extends Error {
  /** The gRPC status code (grpc.status). */
  readonly code: number;
  /** Its name: INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, … */
  readonly status: string;
  /** The service's message, without the field prefix. */
  readonly details: string;
  /** The request field the error is about (`memory.importance`, `items[3].content`), when the service named one. */
  readonly field: string | undefined;
  /** The RPC that failed. */
  readonly method: string;

  constructor(o: { code: number; details: string; method: string; cause?: unknown }) {
    // The service words field errors as "<proto path>: <what is wrong>".
    const m = /^([A-Za-z_][\w.]*(?:\[[^\]]*\])*(?:\.[A-Za-z_]\w*(?:\[[^\]]*\])*)*): (.*)$/s.exec(o.details);
    const status = NAMES[o.code] ?? `CODE_${o.code}`;
    super(`${o.method}: ${status}: ${o.details}`, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'MemoryEngineError';
    this.code = o.code;
    this.status = status;
    this.field = m && o.code === Status.INVALID_ARGUMENT ? m[1] : undefined;
    this.details = m && this.field ? m[2]! : o.details;
    this.method = o.method;
  }

  static fromServiceError(method: string, e: ServiceError): MemoryEngineError {
    return new MemoryEngineError({ code: e.code, details: e.details || e.message, method, cause: e });
  }
}
