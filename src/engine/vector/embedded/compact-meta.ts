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

/** MemoryMeta's optional fields. Code that copies a meta field by name lists them in a Record of this key, so a new one stops it compiling until it is copied there too. */
export type OptionalMetaKey = { [K in keyof MemoryMeta]-?: object extends Pick<MemoryMeta, K> ? K : never }[keyof MemoryMeta];
/** compactMeta copies each optional field by name (below). */
const OPTIONAL_COPIED: Record<OptionalMetaKey, true> = { supersededBy: true, validUntilMs: true };
void OPTIONAL_COPIED;

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
  // Rare (superseded memories): these two take the property array rather than widening every meta.
  if (m.supersededBy !== undefined) meta.supersededBy = m.supersededBy;
  if (m.validUntilMs !== undefined) meta.validUntilMs = m.validUntilMs;
  return meta;
}
