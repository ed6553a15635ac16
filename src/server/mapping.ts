/** Proto messages ↔ engine types. Pure functions; no validation beyond shape (the engine validates). */
import type { Filter } from '../generated/memory/v1/Filter.js';
import type { Memory } from '../generated/memory/v1/Memory.js';
import type { MemoryInput as PbMemoryInput } from '../generated/memory/v1/MemoryInput.js';
import type { SearchRequest } from '../generated/memory/v1/SearchRequest.js';
import type { SearchResponse as PbSearchResponse } from '../generated/memory/v1/SearchResponse.js';
import type { Task as PbTask } from '../generated/memory/v1/Task.js';
import type { AuditEvent as PbAuditEvent } from '../generated/memory/v1/AuditEvent.js';
import type { MemoryInput, MemoryPatch, SearchInput, SearchHit, SearchResult } from '../engine/memory-engine.js';
import type { MemoryFilter, MemoryRecord, QueryClass, Scope, SearchMode } from '../engine/types.js';
import type { AuditEvent, Task, TaskStatus } from '../metadata/metadata-store.js';
import type { UpdateRequest } from '../generated/memory/v1/UpdateRequest.js';
import type { Profile as PbProfile } from '../generated/memory/v1/Profile.js';
import type { Topic as PbTopic } from '../generated/memory/v1/Topic.js';
import type { Summary as PbSummary } from '../generated/memory/v1/Summary.js';
import type { Job as PbJob } from '../generated/memory/v1/Job.js';
import type { ServedBy } from '../engine/cache/tiered-cache.js';
import type { JobRun } from '../metadata/metadata-store.js';
import type { ResolvedProfile, SummaryView, TopicView } from '../precompute/index.js';
import type { AssembleContextRequest } from '../generated/memory/v1/AssembleContextRequest.js';
import type { AssembleContextResponse as PbAssembleContextResponse } from '../generated/memory/v1/AssembleContextResponse.js';
import type { ContextChunk as PbContextChunk } from '../generated/memory/v1/ContextChunk.js';
import type { ContextSection as PbContextSection } from '../generated/memory/v1/ContextSection.js';
import type { AssembledContext, AssembledSection, ContextChunkOut } from '../context/assembler.js';
import type { ContextRequestInput } from '../context/request.js';

/** `SCOPE_USER` → `USER`; unspecified → undefined; anything unknown passes through for validation. */
function enumIn<T extends string>(prefix: string, v: string | number | undefined): T | undefined {
  if (v === undefined || v === `${prefix}UNSPECIFIED` || v === 0) return undefined;
  if (typeof v === 'string' && v.startsWith(prefix)) return v.slice(prefix.length) as T;
  return String(v) as T;
}

export const scopeIn = (v: string | number | undefined) => enumIn<Scope>('SCOPE_', v);
export const queryClassIn = (v: string | number | undefined) => enumIn<QueryClass>('QUERY_CLASS_', v);
export const searchModeIn = (v: string | number | undefined) => enumIn<SearchMode>('SEARCH_MODE_', v);
export const taskStatusIn = (v: string | number | undefined) => enumIn<TaskStatus>('TASK_STATUS_', v);

/** proto3 `optional` presence: proto-loader sets the synthetic oneof `_name` when the field was sent. */
export function present<T extends object, K extends keyof T & string>(msg: T, field: K): T[K] | undefined {
  return (msg as Record<string, unknown>)[`_${field}`] === field ? msg[field] : undefined;
}

const nonEmpty = <T>(xs: T[] | undefined): T[] | undefined => (xs && xs.length > 0 ? xs : undefined);

export function memoryInputIn(m: PbMemoryInput | null | undefined): MemoryInput | undefined {
  if (!m) return undefined;
  const importance = present(m, 'importance');
  const confidence = present(m, 'confidence');
  const scope = scopeIn(m.scope);
  return {
    id: m.id,
    agentId: m.agentId,
    sessionId: m.sessionId,
    taskId: m.taskId,
    ...(scope ? { scope } : {}),
    namespace: m.namespace,
    content: m.content,
    embedding: m.embedding, // a Float32Array at run time (server/request-vectors.ts)
    kind: m.kind,
    ...(importance !== undefined ? { importance } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
    tags: m.tags,
    entities: m.entities,
    expiresAtMs: m.expiresAtMs,
    ttlSeconds: m.ttlSeconds,
    pinned: m.pinned,
    metadata: m.metadata,
    ...(m.supersedes.length > 0 ? { supersedes: m.supersedes } : {}),
  };
}

export function filterIn(f: Filter | null | undefined): MemoryFilter | undefined {
  if (!f) return undefined;
  const out: MemoryFilter = {};
  const scopes = nonEmpty(f.scopes?.map((s) => scopeIn(s) ?? ('UNSPECIFIED' as Scope)));
  if (scopes) out.scopes = scopes;
  const lists = { namespaces: f.namespaces, kinds: f.kinds, tagsAny: f.tagsAny, tagsAll: f.tagsAll, entitiesAny: f.entitiesAny, ids: f.ids };
  for (const [k, val] of Object.entries(lists)) if (nonEmpty(val)) (out as Record<string, unknown>)[k] = val;
  if (f.agentId) out.agentId = f.agentId;
  if (f.sessionId) out.sessionId = f.sessionId;
  if (f.taskId) out.taskId = f.taskId;
  if (f.createdAfterMs) out.createdAfterMs = f.createdAfterMs;
  if (f.createdBeforeMs) out.createdBeforeMs = f.createdBeforeMs;
  const minI = present(f, 'minImportance');
  const maxI = present(f, 'maxImportance');
  const pinned = present(f, 'pinned');
  if (minI !== undefined) out.minImportance = minI;
  if (maxI !== undefined) out.maxImportance = maxI;
  if (pinned !== undefined) out.pinned = pinned;
  if (f.includeSuperseded) out.includeSuperseded = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function patchIn(r: UpdateRequest): MemoryPatch {
  const p: MemoryPatch = { correction: r.correction };
  if (r.expectedVersion) p.expectedVersion = r.expectedVersion;
  const fields = ['content', 'kind', 'importance', 'confidence', 'namespace', 'pinned', 'expiresAtMs'] as const;
  for (const f of fields) {
    const val = present(r, f);
    if (val !== undefined) (p as Record<string, unknown>)[f] = val;
  }
  const scope = present(r, 'scope');
  if (scope !== undefined) p.scope = scopeIn(scope) ?? ('UNSPECIFIED' as Scope);
  if (r.replaceTags || r.tags.length > 0) p.tags = { values: r.tags, replace: r.replaceTags };
  if (r.replaceEntities || r.entities.length > 0) p.entities = { values: r.entities, replace: r.replaceEntities };
  if (r.replaceMetadata || Object.keys(r.metadata).length > 0) p.metadata = { values: r.metadata, replace: r.replaceMetadata };
  if (r.embedding.length > 0) p.embedding = r.embedding;
  if (r.supersedes.length > 0) p.supersedes = r.supersedes;
  return p;
}

export function searchIn(r: SearchRequest): SearchInput {
  const filter = filterIn(r.filter);
  const queryClass = queryClassIn(r.queryClass);
  const mode = searchModeIn(r.mode);
  const weights: SearchInput['weights'] = {};
  if (r.weights) {
    for (const k of ['similarity', 'importance', 'recency'] as const) {
      const val = present(r.weights, k);
      if (val !== undefined) weights[k] = val;
    }
  }
  return {
    query: r.query,
    queryVector: r.queryVector,
    topK: r.topK,
    ...(filter ? { filter } : {}),
    ...(queryClass ? { queryClass } : {}),
    exact: r.exact,
    // 0 means none; anything else (NaN included) goes to validation.
    ...(r.minScore !== 0 ? { minScore: r.minScore } : {}),
    includeEmbedding: r.includeEmbedding,
    weights,
    ...(mode ? { mode } : {}),
    ...(r.includeArchive ? { includeArchive: true } : {}),
  };
}

export function memoryOut(m: MemoryRecord, includeEmbedding: boolean): Memory {
  return {
    id: m.id,
    userId: m.userId,
    agentId: m.agentId,
    sessionId: m.sessionId,
    taskId: m.taskId,
    scope: `SCOPE_${m.scope}`,
    namespace: m.namespace,
    content: m.content,
    embedding: includeEmbedding ? Array.from(m.embedding) : [],
    kind: m.kind,
    importance: m.importance,
    confidence: m.confidence,
    tags: [...m.tags],
    entities: [...m.entities],
    createdAtMs: m.createdAtMs,
    updatedAtMs: m.updatedAtMs,
    accessedAtMs: m.accessedAtMs,
    accessCount: m.accessCount,
    expiresAtMs: m.expiresAtMs,
    pinned: m.pinned,
    version: m.version,
    metadata: { ...m.metadata },
    supersededBy: m.supersededBy ?? '',
    validUntilMs: m.validUntilMs ?? 0,
  };
}

export const hitOut = (h: SearchHit, includeEmbedding: boolean) => ({
  memory: memoryOut(h.memory, includeEmbedding),
  score: h.score,
  similarity: h.similarity,
  keywordScore: h.keywordScore ?? 0,
  retrievers: h.retrievers,
  archived: h.archived ?? false,
});

/** One search's response (Search, and each result of SearchBatch). */
export const searchOut = (r: SearchResult, includeEmbedding: boolean): PbSearchResponse => ({
  hits: r.hits.map((h) => hitOut(h, includeEmbedding)),
  tier: `TIER_${r.tier}`,
  tookMs: r.tookMs,
  similarQueryCosine: r.similarQueryCosine ?? 0,
});

export function taskOut(t: Task): PbTask {
  return {
    id: t.id,
    userId: t.userId,
    agentId: t.agentId,
    title: t.title,
    status: `TASK_STATUS_${t.status}`,
    createdAtMs: t.createdAtMs,
    updatedAtMs: t.updatedAtMs,
    finishedAtMs: t.finishedAtMs,
    metadata: t.metadata,
  };
}

export function auditOut(e: AuditEvent): PbAuditEvent {
  return {
    id: e.id,
    userId: e.userId,
    actor: e.actor,
    operation: e.operation,
    memoryIds: [...e.memoryIds],
    requestId: e.requestId,
    atMs: e.atMs,
    details: e.details,
  };
}

// ---- precompute ------------------------------------------------------------------------------

export function profileOut(p: ResolvedProfile, tier: ServedBy): PbProfile {
  return {
    userId: p.userId,
    topMemories: p.top.map((m) => memoryOut(m, false)),
    recentMemories: p.recent.map((m) => memoryOut(m, false)),
    activeTopics: p.topics.map((t) => t.label),
    summary: p.summary,
    compiledAtMs: p.compiledAtMs,
    preferences: p.preferences.map((m) => memoryOut(m, false)),
    entities: p.entities.map((e) => ({ name: e.name, count: e.count })),
    topics: p.topics.map((t) => ({ id: t.id, label: t.label, size: t.size })),
    summaryTokens: p.summaryTokens,
    memoryCount: p.memoryCount,
    generator: p.generator,
    tier: `TIER_${tier}`,
  };
}

export function topicOut(t: TopicView, members: boolean, centroid: boolean): PbTopic {
  return {
    id: t.id,
    label: t.label,
    summary: t.summary,
    memberIds: members ? t.memberIds : [],
    centroid: centroid ? Array.from(t.centroid) : [],
    size: t.size,
    terms: t.terms,
    generatedAtMs: t.generatedAtMs,
    generator: t.generator,
  };
}

export function summaryOut(s: SummaryView, tier: ServedBy): PbSummary {
  return { kind: s.kind, key: s.key, text: s.text, generatedAtMs: s.generatedAtMs, sourceIds: s.sourceIds, generator: s.generator, memoryCount: s.memoryCount, tier: `TIER_${tier}` };
}

export function jobOut(j: JobRun): PbJob {
  return {
    id: j.id,
    userId: j.userId,
    kind: j.kind,
    status: j.status,
    startedAtMs: j.startedAtMs,
    finishedAtMs: j.finishedAtMs,
    error: j.error,
    trigger: j.trigger,
    queuedAtMs: j.queuedAtMs,
    counts: { ...j.counts },
  };
}

export function contextRequestIn(r: AssembleContextRequest): ContextRequestInput {
  return {
    userId: r.userId,
    query: r.query,
    tokenBudget: r.tokenBudget,
    sessionId: r.sessionId,
    recentTurns: r.recentTurns.map((t) => ({ role: t.role, content: t.content })),
    sections: r.sections.map((s) => ({ name: s.name, weight: s.weight, tokenShare: s.tokenShare })),
    referenceTimeMs: r.referenceTimeMs,
    ...(r.queryVector.length > 0 ? { queryVector: r.queryVector } : {}),
  };
}

export function contextSectionOut(s: AssembledSection): PbContextSection {
  return {
    name: s.name,
    memories: s.memories.map((m) => memoryOut(m, false)),
    text: s.text,
    tier: `TIER_${s.tier}`,
    tokens: s.tokens,
    scores: s.scores,
    detail: s.detail,
  };
}

export function contextOut(c: AssembledContext): PbAssembleContextResponse {
  return { sections: c.sections.map(contextSectionOut), text: c.text, tokens: c.tokens, missing: c.missing, tokenBudget: c.budget, tokenizer: c.tokenizer, tookMs: c.tookMs };
}

export function contextChunkOut(c: ContextChunkOut): PbContextChunk {
  return {
    stage: c.stage,
    section: c.section ? contextSectionOut(c.section) : null,
    tokensSoFar: c.tokensSoFar,
    missing: c.missing,
    done: c.done,
    tokenizer: c.tokenizer,
    tookMs: c.tookMs,
  };
}
