/**
 * Requests whose bytes are not a valid message are the caller's error. grpc-js answers a
 * deserializer that throws with INTERNAL ("Error deserializing request"), which tells a client
 * the server failed; so every method's deserializer here returns a MalformedRequest instead, and
 * the `refuseMalformed` step answers it with INVALID_ARGUMENT before any other step reads it.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../errors.js';
import type { Step } from './middleware.js';

export class MalformedRequest {
  constructor(readonly reason: string) {}
}

/** The service with every request deserializer returning a MalformedRequest instead of throwing. */
export function withMalformedRequests<S extends ServiceDefinition>(service: S): S {
  const out: Record<string, ServiceDefinition[string]> = {};
  for (const [method, def] of Object.entries(service)) {
    const decode = def.requestDeserialize;
    out[method] = {
      ...def,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (err) {
          return new MalformedRequest(err instanceof Error ? err.message : String(err));
        }
      },
    };
  }
  return out as S;
}

/** INVALID_ARGUMENT for a request that could not be decoded. */
export function refuseMalformed(): Step {
  return (call, next) => {
    if (call.request instanceof MalformedRequest) throw new InvalidArgumentError('request', `is not a valid ${call.method} request message (${call.request.reason})`);
    return next();
  };
}
