/** @memory-engine/client: the TypeScript client of memory-engine (LangGraph store: @memory-engine/client/langgraph). */
export { MemoryClient, PROTO_FILE, SERVICE_NAME } from './client.js';
export type { CallOptions, MemoryClientOptions, RequestOf, ResponseOf, StreamingMethod, TlsOptions, UnaryMethod } from './client.js';
export { MemoryEngineError } from './errors.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export type { Memory } from './generated/memory/v1/Memory.js';
export type { SearchHit } from './generated/memory/v1/SearchHit.js';
export type { Profile } from './generated/memory/v1/Profile.js';
export type { ContextChunk } from './generated/memory/v1/ContextChunk.js';
