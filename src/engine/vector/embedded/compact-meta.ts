/**
 * The form in which the embedded store keeps a memory's metadata in memory, for as long as the
 * memory lives: every live meta is an object the garbage collector marks on each major GC, so
 * their number is what those pauses grow with (at 200k memories a mark of the service's heap held
 * the event loop 100–400 ms under load).
 *
 * - One object literal, fields in one order: one hidden class, every field in the object.
 *   Metas arrived as rest/spread copies (`{ ...meta }`), which keep few fields in the object and
 *   the rest in a separate property array: a second object per memory.
 * - Empty tags, entities and metadata are one shared frozen value, not three objects per memory
 *   (most memories have none). Frozen: a caller that tried to change one in place would throw
 *   instead of changing every memory's.
 *
 * Readers see the same values: a compact meta is equal field by field to what it was built from.
 */
import type { MemoryMeta } from '../../types.js';

/** MemoryMeta's optional fields. */
type OptionalMetaKey = { [K in keyof MemoryMeta]-?: object extends Pick<MemoryMeta, K> ? K : never }[keyof MemoryMeta];
/** copyOptionalMeta copies each optional field by name: a new one stops this compiling until it is copied there too. */
const OPTIONAL_COPIED: Record<OptionalMetaKey, true> = { supersededBy: true, validUntilMs: true };
void OPTIONAL_COPIED;

/**
 * Copies the optional fields that `from` has onto `to`, by name: the one place a meta's optional
 * fields are listed for copying (compactMeta here, the store's records in partition.ts).
 */
export function copyOptionalMeta(from: MemoryMeta, to: { -readonly [K in OptionalMetaKey]?: MemoryMeta[K] }): void {
  // Rare (superseded memories): added only when present, rather than widening every object.
  if (from.supersededBy !== undefined) to.supersededBy = from.supersededBy;
  if (from.validUntilMs !== undefined) to.validUntilMs = from.validUntilMs;
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export function compactMeta(m: MemoryMeta): MemoryMeta {
  const meta: { -readonly [K in keyof MemoryMeta]: MemoryMeta[K] } = {
    id: m.id,
    userId: m.userId,
    agentId: m.agentId,
    sessionId: m.sessionId,
    taskId: m.taskId,
    scope: m.scope,
    namespace: m.namespace,
    content: m.content,
    kind: m.kind,
    importance: m.importance,
    confidence: m.confidence,
    tags: m.tags.length === 0 ? NO_STRINGS : m.tags,
    entities: m.entities.length === 0 ? NO_STRINGS : m.entities,
    createdAtMs: m.createdAtMs,
    updatedAtMs: m.updatedAtMs,
    expiresAtMs: m.expiresAtMs,
    pinned: m.pinned,
    version: m.version,
    metadata: hasKeys(m.metadata) ? m.metadata : NO_METADATA,
  };
  copyOptionalMeta(m, meta);
  return meta;
}
