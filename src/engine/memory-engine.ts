/**
 * MemoryEngine: the write path, the read path and the ranking, independent of transport.
 *
 * Write: validate the whole request → embed what has no vector → audit row (durable) → durable
 * upsert in the store (acknowledged = durable and searchable) → caches. The audit row goes
 * first so that a memory never exists without one, and a metadata outage refuses the write
 * before anything is stored; if the store write then fails, an `<op>Failed` row follows.
 * Read: L1 (search results, memories by id, query embeddings) → the vector store.
 * Consistency: deletes, updates and user erasure bump the user's cache generation, so no cached
 * search can return what they removed; new memories reach a repeated identical search when its
 * cached result expires (CACHE_SEARCH_TTL_MS), and a fresh search sees them at once.
 */
import { createHash } from 'node:crypto';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, throwIfAborted, UnavailableError, VersionConflictError } from '../errors.js';
import type { AuditEvent, AuditInput, MetadataStore, Task, TaskStatus } from '../metadata/metadata-store.js';
import { TASK_STATUSES } from '../metadata/metadata-store.js';
import type { Metrics, SearchStep } from '../observability/metrics.js';
import { memoryCodec, searchCodec, type CachedSearch } from './cache/codecs.js';
import type { CacheCoherence } from './cache/coherence.js';
import { withinWriteLag } from './cache/freshness.js';
import { unexpired } from './filter.js';
import { cacheKeys, type UserGenerations } from './cache/keys.js';
import type { SimilarQueries } from './cache/similar-queries.js';
import type { ServedBy, TieredCache } from './cache/tiered-cache.js';
import type { EmbeddingService } from './embed/embedding-service.js';
import { KeyedMutex } from './keyed-mutex.js';
import { efFor } from './query-class.js';
import { recency } from './recency.js';
import { auditPosition, decodePageToken, encodePageToken, memoryPosition, taskPosition, tokenScope, userPosition } from './page-token.js';
import * as v from './validate.js';
import type { Limits } from './validate.js';
import type { MemoryFilter, MemoryMeta, MemoryRecord, QueryClass, Retriever, Scope, SearchMode, VectorHit } from './types.js';
import { fuse, type FusedHit, type FusionOptions } from './keywords/fusion.js';
import type { KeywordEncoder } from './keywords/encoder.js';
import type { IndexText } from './keywords/index-text.js';
import { scrollAll } from './vector/scroll-all.js';
import { audited } from './audited.js';
import type { Archive } from './archive/archive.js';
import { checkSupersedes, supersededRecords, type SupersedePair } from './supersession.js';
import type { VectorStore } from './vector/vector-store.js';

/** Who is calling and until when; every engine call takes one. */
export interface CallContext {
  signal?: AbortSignal;
  /** Absolute deadline (epoch ms), when the caller set one. */
  deadlineMs?: number;
  requestId: string;
  actor: string;
}

export interface MemoryInput {
  id?: string;
  agentId?: string;
  sessionId?: string;
  taskId?: string;
  scope?: Scope;
  namespace?: string;
  content?: string;
  embedding?: ArrayLike<number>;
  kind?: string;
  importance?: number;
  confidence?: number;
  tags?: string[];
  entities?: string[];
  expiresAtMs?: number;
  ttlSeconds?: number;
  pinned?: boolean;
  metadata?: Record<string, string>;
  /** Memories this one replaces: kept for history, out of default reads from now on. */
  supersedes?: string[];
}

export interface RememberResult {
  id: string;
  version: number;
  created: boolean;
}

export interface MemoryPatch {
  expectedVersion?: number;
  correction?: boolean;
  content?: string;
  kind?: string;
  importance?: number;
  confidence?: number;
  namespace?: string;
  scope?: Scope;
  pinned?: boolean;
  expiresAtMs?: number;
  /** Added to the current values (metadata: keys merged); with `replace`, they become exactly these. */
  tags?: { values: string[]; replace: boolean };
  entities?: { values: string[]; replace: boolean };
  metadata?: { values: Record<string, string>; replace: boolean };
  embedding?: ArrayLike<number>;
  /** Memories the updated one now replaces (see MemoryInput.supersedes). */
  supersedes?: string[];
}

export interface RankingWeights {
  similarity: number;
  importance: number;
  recency: number;
}

export interface SearchInput {
  query?: string;
  queryVector?: ArrayLike<number>;
  topK?: number;
  filter?: MemoryFilter;
  queryClass?: QueryClass;
  exact?: boolean;
  minScore?: number;
  includeEmbedding?: boolean;
  weights?: Partial<RankingWeights>;
  /** Which retrievers answer (default: the deployment's SEARCH_MODE; DENSE when the query has no text). */
  mode?: SearchMode;
  /** Also scan the archive (exact, slower); its hits are marked `archived`. */
  includeArchive?: boolean;
}

export interface SearchHit {
  memory: MemoryRecord;
  score: number;
  /** Cosine similarity to the query (0 for a memory only the keyword retriever found). */
  similarity: number;
  /** BM25 score, when the keyword retriever found the memory. */
  keywordScore?: number;
  /** The retrievers that found it (in HYBRID mode one or both). */
  retrievers: Retriever[];
  /** Found in the archive (a search with includeArchive). */
  archived?: boolean;
}

export type { ServedBy };

export interface SearchResult {
  hits: SearchHit[];
  tier: ServedBy;
  tookMs: number;
  /** Set when a similar query's cached result answered (semantic query cache): their cosine. */
  similarQueryCosine?: number;
}

export interface ForgetUserReceipt {
  userId: string;
  memoriesDeleted: number;
  cacheEntriesDropped: number;
  tasksDeleted: number;
  archivedDeleted: number;
  precomputedDeleted: number;
  completedAtMs: number;
  /** Where the archive was: "table" or "s3". */
  archive: string;
}

/**
 * What the engine tells the precompute layer. `written` is eventual (after the write is
 * acknowledged); `removed` and `userErased` are strong: the engine waits for them before the
 * call returns, so nothing precomputed still shows what was deleted.
 */
export interface MemoryObserver {
  /** New memories, or with `previous` (same order) an update of existing ones. */
  written(userId: string, records: readonly MemoryRecord[], previous?: readonly MemoryRecord[]): void;
  removed(userId: string, ids: readonly string[]): Promise<void>;
  userErased(userId: string): Promise<void>;
  sessionStarted(userId: string, sessionId: string): void;
}

/** Topic routing: the members of the topic a query falls in, when it clearly falls in one. */
export interface TopicRouter {
  route(userId: string, generations: UserGenerations, vector: Float32Array): string[] | undefined;
}

export interface EngineOptions {
  limits: Limits;
  ranking: RankingWeights;
  recencyHalfLifeMs: number;
  /** A cached search older than this is not served once the user has written since. */
  searchMaxLagMs: number;
  /** Whether text can be embedded (false: clients must send vectors). */
  canEmbed: boolean;
  /** Query classes a TopicRouter may answer (cheaper classes: routing trades a little recall). */
  routingClasses?: readonly QueryClass[];
  /** The mode of a search that names none. */
  searchMode: SearchMode;
  fusion: FusionOptions;
  /** The text a memory is embedded and keyword-indexed by (its content unless a template says more). */
  indexText: IndexText;
}

/** What the engine works with; precompute (observer, router) is optional. */
export interface EngineDeps {
  store: VectorStore;
  metadata: MetadataStore;
  /** Undefined with EMBEDDER=none: clients send vectors. */
  embeddings: EmbeddingService | undefined;
  cache: TieredCache;
  coherence: CacheCoherence;
  metrics: Metrics;
  /** Told about writes and removals (precompute's triggers). */
  observer?: MemoryObserver;
  /** Answers searches that fall clearly in one topic (precompute's topic routing). */
  router?: TopicRouter;
  /** Turns memory texts and queries into the keyword index's sparse vectors. */
  keywords: KeywordEncoder;
  /** Per-memory locks, shared with lifecycle work that rewrites memories (a new one when absent). */
  locks?: KeyedMutex;
  /** The cold store's mover: Get restores archived memories, searches may include them, erasure reaches them. */
  archive?: Archive;
  /** The semantic query cache's index (absent: only exact repeats of a search hit the cache). */
  similarQueries?: SimilarQueries;
}

export class MemoryEngine {
  private readonly locks: KeyedMutex;
  private readonly archive: Archive | undefined;
  private readonly store: VectorStore;
  private readonly metadata: MetadataStore;
  private readonly embeddings: EmbeddingService | undefined;
  private readonly cache: TieredCache;
  readonly coherence: CacheCoherence;
  private readonly metrics: Metrics;
  private readonly observer: MemoryObserver | undefined;
  private readonly router: TopicRouter | undefined;
  private readonly routingClasses: Set<QueryClass>;
  private readonly keywords: KeywordEncoder;
  private readonly similarQueries: SimilarQueries | undefined;

  constructor(
    d: EngineDeps,
    private readonly o: EngineOptions,
  ) {
    this.store = d.store;
    this.metadata = d.metadata;
    this.embeddings = d.embeddings;
    this.cache = d.cache;
    this.coherence = d.coherence;
    this.metrics = d.metrics;
    this.observer = d.observer;
    this.router = d.router;
    this.routingClasses = new Set(o.routingClasses ?? []);
    this.keywords = d.keywords;
    this.locks = d.locks ?? new KeyedMutex();
    this.archive = d.archive;
    this.similarQueries = d.similarQueries;
  }

  // ---- write path ------------------------------------------------------------------------

  async remember(ctx: CallContext, userId: string, input: MemoryInput | undefined): Promise<RememberResult> {
    const [r] = await this.rememberMany(ctx, userId, [input ?? {}], (f) => `memory.${f}`, 'Remember');
    return r!;
  }

  /** All-or-nothing: every item is validated (and embedded) before one atomic write. */
  async rememberBatch(ctx: CallContext, userId: string, items: (MemoryInput | undefined)[]): Promise<RememberResult[]> {
    if (items.length === 0) throw new InvalidArgumentError('items', 'is empty');
    if (items.length > this.o.limits.maxBatchItems) throw new InvalidArgumentError('items', `has ${items.length} items, the limit is ${this.o.limits.maxBatchItems}`);
    return this.rememberMany(
      ctx,
      userId,
      items.map((i) => i ?? {}),
      (f, i) => `items[${i}].${f}`,
      'RememberBatch',
    );
  }

  private async rememberMany(ctx: CallContext, rawUserId: string, inputs: MemoryInput[], field: (f: string, i: number) => string, operation: string): Promise<RememberResult[]> {
    const userId = v.checkUserId(rawUserId);
    const now = Date.now();
    const drafts = inputs.map((input, i) => this.draft(userId, input, now, (f) => field(f, i)));
    const seen = new Map<string, number>();
    drafts.forEach((d, i) => {
      if (!d.explicitId) return;
      const j = seen.get(d.meta.id);
      if (j !== undefined) throw new InvalidArgumentError(field('id', i), `repeats items[${j}].id`);
      seen.set(d.meta.id, i);
    });
    throwIfAborted(ctx.signal);

    // Idempotent retries: an existing memory with the same id and content is not written again.
    const explicit = drafts.filter((d) => d.explicitId).map((d) => d.meta.id);
    const existing = new Map((explicit.length > 0 ? await this.store.get(userId, explicit, { signal: ctx.signal }) : []).map((r) => [r.id, r]));
    const results: RememberResult[] = [];
    const toWrite: typeof drafts = [];
    drafts.forEach((d, i) => {
      const old = existing.get(d.meta.id);
      if (!old) {
        toWrite.push(d);
        results.push({ id: d.meta.id, version: 1, created: true });
      } else if (old.content === d.meta.content && (!d.vector || sameVector(old.embedding, d.vector))) {
        results.push({ id: old.id, version: old.version, created: false });
      } else {
        throw new AlreadyExistsError(`${field('id', i)}: memory ${d.meta.id} already exists with different content`);
      }
    });

    const texts = toWrite.map((d) => this.o.indexText(d.meta));
    const needText = toWrite.flatMap((d, i) => (d.vector ? [] : [i]));
    if (needText.length > 0) {
      const vecs = await this.embed(
        needText.map((i) => texts[i]!),
        ctx.signal,
      );
      needText.forEach((i, j) => (toWrite[i]!.vector = vecs[j]!));
    }
    throwIfAborted(ctx.signal);
    const records: MemoryRecord[] = toWrite.map((d, i) => ({ ...d.meta, accessedAtMs: 0, accessCount: 0, embedding: d.vector!, keywords: this.keywords.document(userId, texts[i]!) }));
    const audit = {
      userId,
      actor: ctx.actor,
      operation,
      memoryIds: results.map((r) => r.id),
      requestId: ctx.requestId,
      details: { created: String(records.length), unchanged: String(results.length - records.length) },
    };
    const supersedes = drafts.flatMap((d, i) => d.supersedes.map((oldId, j) => ({ oldId, byId: d.meta.id, field: field(`supersedes[${j}]`, i) })));
    const taken = new Map<string, string>();
    for (const s of supersedes) {
      const first = taken.get(s.oldId);
      if (first !== undefined) throw new InvalidArgumentError(s.field, `${s.oldId} is already superseded in this request by ${first}`);
      taken.set(s.oldId, s.field);
    }
    // The superseded memories change in the same atomic write, under their locks (an Update of one must not race it).
    const write = async () => {
      const replaced = await this.supersede(ctx, userId, supersedes, now);
      await this.audited(audit, () => this.store.upsert(userId, [...records, ...replaced], { signal: ctx.signal }));
      return replaced;
    };
    const replaced =
      supersedes.length > 0
        ? await this.locks.runAll(
            supersedes.map((s) => lockKey(userId, s.oldId)),
            write,
          )
        : await write();
    this.metrics.memoriesWritten.inc(records.length);
    if (records.length > 0) {
      this.coherence.noteWrite(userId);
      this.observer?.written(userId, records);
    }
    await this.retire(userId, replaced);
    return results;
  }

  /**
   * The superseded versions of the memories `pairs` name, read now (call under their locks),
   * with the Supersede audit row written first; empty when there is nothing to change.
   */
  private async supersede(ctx: CallContext, userId: string, pairs: readonly SupersedePair[], now: number): Promise<MemoryRecord[]> {
    if (pairs.length === 0) return [];
    const olds = await this.store.get(
      userId,
      pairs.map((p) => p.oldId),
      { signal: ctx.signal },
    );
    const replaced = supersededRecords(pairs, olds, now);
    if (replaced.length > 0) {
      await this.metadata.appendAudit({
        userId,
        actor: ctx.actor,
        operation: 'Supersede',
        memoryIds: replaced.map((r) => r.id),
        requestId: ctx.requestId,
        details: { by: [...new Set(replaced.map((r) => r.supersededBy!))].join(',') },
      });
    }
    return replaced;
  }

  /** Superseded memories leave what was built from them and every cache, before the call returns (like a delete). */
  private async retire(userId: string, replaced: readonly MemoryRecord[]): Promise<void> {
    if (replaced.length === 0) return;
    const ids = replaced.map((r) => r.id);
    await this.observer?.removed(userId, ids);
    await this.coherence.invalidate(userId, ids);
  }

  private draft(userId: string, input: MemoryInput, now: number, f: (name: string) => string): { meta: MemoryMeta; vector?: Float32Array; explicitId: boolean; supersedes: string[] } {
    const lim = this.o.limits;
    const explicitId = v.checkMemoryId(f('id'), input.id, false);
    const vector = v.checkVector(f('embedding'), input.embedding, lim);
    const content = v.checkContent(f('content'), input.content, lim, !vector);
    if (!vector && !this.o.canEmbed) throw new InvalidArgumentError(f('embedding'), 'is required: this deployment has no embedder (EMBEDDER=none)');
    const sessionId = v.checkIdentifier(f('session_id'), input.sessionId, false);
    const taskId = v.checkIdentifier(f('task_id'), input.taskId, false);
    const path = f('x').slice(0, -2);
    const ttl = input.ttlSeconds ?? 0;
    if (!Number.isSafeInteger(ttl) || ttl < 0) throw new InvalidArgumentError(f('ttl_seconds'), `must be a non-negative integer, got ${ttl}`);
    let expiresAtMs = v.checkTimeMs(f('expires_at_ms'), input.expiresAtMs);
    if (expiresAtMs === 0 && ttl > 0) expiresAtMs = now + ttl * 1000;
    if (expiresAtMs !== 0 && expiresAtMs <= now) throw new InvalidArgumentError(f('expires_at_ms'), 'is in the past');
    const meta: MemoryMeta = {
      id: explicitId || v.newMemoryId(),
      userId,
      agentId: v.checkIdentifier(f('agent_id'), input.agentId, false),
      sessionId,
      taskId,
      scope: v.checkScope(f('scope'), input.scope, sessionId, taskId, path),
      namespace: v.checkShort(f('namespace'), input.namespace),
      content,
      kind: v.checkShort(f('kind'), input.kind, 'fact'),
      importance: v.checkUnit(f('importance'), input.importance, 0.5),
      confidence: v.checkUnit(f('confidence'), input.confidence, 1),
      tags: v.checkList(f('tags'), input.tags, lim),
      entities: v.checkList(f('entities'), input.entities, lim),
      createdAtMs: now,
      updatedAtMs: now,
      expiresAtMs,
      pinned: input.pinned ?? false,
      version: 1,
      metadata: v.checkMetadata(f('metadata'), input.metadata, lim),
    };
    return { meta, ...(vector ? { vector } : {}), explicitId: explicitId !== '', supersedes: checkSupersedes(f('supersedes'), input.supersedes, meta.id, lim) };
  }

  async update(ctx: CallContext, rawUserId: string, rawId: string, patch: MemoryPatch): Promise<MemoryRecord> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('id', rawId, true);
    const lim = this.o.limits;
    const newVector = v.checkVector('embedding', patch.embedding, lim);
    if (patch.content !== undefined) v.checkContent('content', patch.content, lim, true);
    // The sent values, checked as sent (their merge with the current ones is checked under the lock).
    if (patch.tags) v.checkList('tags', patch.tags.values, lim);
    if (patch.entities) v.checkList('entities', patch.entities.values, lim);
    if (patch.metadata) v.checkMetadata('metadata', patch.metadata.values, lim);
    if (patch.expectedVersion !== undefined && (!Number.isSafeInteger(patch.expectedVersion) || patch.expectedVersion < 0))
      throw new InvalidArgumentError('expected_version', `must be a non-negative integer, got ${patch.expectedVersion}`);
    const supersedes = checkSupersedes('supersedes', patch.supersedes, id, lim).map((oldId, j) => ({ oldId, byId: id, field: `supersedes[${j}]` }));
    const keys = [id, ...supersedes.map((s) => s.oldId)].map((x) => lockKey(userId, x));
    const [record, replaced] = await this.locks.runAll(keys, async (): Promise<[MemoryRecord, MemoryRecord[]]> => {
      const [cur] = await this.store.get(userId, [id], { signal: ctx.signal });
      if (!cur) throw new NotFoundError(`memory ${id} not found`);
      if (patch.expectedVersion && patch.expectedVersion !== cur.version) throw new VersionConflictError(patch.expectedVersion, cur.version);
      const sessionId = cur.sessionId;
      const taskId = cur.taskId;
      const now = Date.now();
      const expiresAtMs = patch.expiresAtMs === undefined ? cur.expiresAtMs : v.checkTimeMs('expires_at_ms', patch.expiresAtMs);
      const next: MemoryMeta = {
        ...stripRecord(cur),
        content: patch.content ?? cur.content,
        kind: patch.kind !== undefined ? v.checkShort('kind', patch.kind, 'fact') : cur.kind,
        importance: patch.importance !== undefined ? v.checkUnit('importance', patch.importance, cur.importance) : cur.importance,
        confidence: patch.confidence !== undefined ? v.checkUnit('confidence', patch.confidence, cur.confidence) : cur.confidence,
        namespace: patch.namespace !== undefined ? v.checkShort('namespace', patch.namespace) : cur.namespace,
        scope: patch.scope !== undefined ? v.checkScope('scope', patch.scope, sessionId, taskId, '') : cur.scope,
        pinned: patch.pinned ?? cur.pinned,
        expiresAtMs,
        // Merged here, under the memory's lock: two concurrent Updates adding different values both land.
        tags: patch.tags ? v.checkList('tags', patch.tags.replace ? patch.tags.values : [...cur.tags, ...patch.tags.values], lim) : cur.tags,
        entities: patch.entities ? v.checkList('entities', patch.entities.replace ? patch.entities.values : [...cur.entities, ...patch.entities.values], lim) : cur.entities,
        metadata: patch.metadata ? v.checkMetadata('metadata', patch.metadata.replace ? patch.metadata.values : { ...cur.metadata, ...patch.metadata.values }, lim) : cur.metadata,
        updatedAtMs: now,
        version: cur.version + 1,
      };
      let embedding = newVector ?? cur.embedding;
      const text = this.o.indexText(next);
      if (!newVector && text !== this.o.indexText(cur)) {
        // Without an embedder, a client vector stays valid for changed fields, never for new content.
        if (this.o.canEmbed) [embedding] = (await this.embed([text], ctx.signal)) as [Float32Array];
        else if (next.content !== cur.content) throw new InvalidArgumentError('embedding', 'is required with new content: this deployment has no embedder (EMBEDDER=none)');
      }
      throwIfAborted(ctx.signal);
      const record: MemoryRecord = { ...next, accessedAtMs: cur.accessedAtMs, accessCount: cur.accessCount, embedding, keywords: this.keywords.document(userId, text) };
      const audit = {
        userId,
        actor: ctx.actor,
        operation: patch.correction ? 'Correction' : 'Update',
        memoryIds: [id],
        requestId: ctx.requestId,
        details: { version: String(record.version), fields: changedFields(patch).join(',') },
      };
      const replaced = await this.supersede(ctx, userId, supersedes, now);
      await this.audited(audit, () => this.store.upsert(userId, [record, ...replaced], { signal: ctx.signal }));
      // The old text must leave what was built from it (a correction says it was wrong).
      if (patch.correction || record.content !== cur.content || embedding !== cur.embedding) await this.observer?.removed(userId, [id]);
      await this.coherence.invalidate(userId, [id]);
      this.observer?.written(userId, [record], [cur]);
      return [record, replaced];
    });
    await this.retire(userId, replaced);
    return record;
  }

  async forget(ctx: CallContext, rawUserId: string, ids: string[] | undefined, filter: MemoryFilter | undefined): Promise<string[]> {
    const userId = v.checkUserId(rawUserId);
    const hasIds = (ids?.length ?? 0) > 0;
    const f = v.checkFilter('filter', filter, this.o.limits);
    if (hasIds === (f !== undefined)) throw new InvalidArgumentError(hasIds ? 'filter' : 'ids', hasIds ? 'give ids or a filter, not both' : 'give ids or a non-empty filter');
    let targets: string[];
    if (hasIds) {
      if (ids!.length > this.o.limits.maxBatchItems) throw new InvalidArgumentError('ids', `has ${ids!.length} ids, the limit is ${this.o.limits.maxBatchItems}`);
      targets = [...new Set(ids!.map((id, i) => v.checkMemoryId(`ids[${i}]`, id, true)))];
    } else {
      targets = (await scrollAll(this.store, userId, { filter: f!, withVectors: false, signal: ctx.signal })).map((r) => r.id);
    }
    const deleted = await this.locks.runAll(
      targets.map((id) => lockKey(userId, id)),
      async () => {
        const existing = (await this.store.get(userId, targets, { signal: ctx.signal })).map((r) => r.id);
        if (existing.length === 0) return [];
        const audit = { userId, actor: ctx.actor, operation: 'Forget', memoryIds: existing, requestId: ctx.requestId, details: { by: hasIds ? 'ids' : 'filter' } };
        return this.audited(audit, () => this.store.delete(userId, existing, { signal: ctx.signal }));
      },
    );
    // Archived memories are memories too: a Forget reaches their cold copies.
    if (this.archive) {
      const cold = hasIds ? targets : await this.archive.matching(userId, f!);
      const gone = await this.archive.forget(userId, cold);
      if (gone.length > 0) {
        await this.metadata.appendAudit({
          userId,
          actor: ctx.actor,
          operation: 'Forget',
          memoryIds: gone,
          requestId: ctx.requestId,
          details: { by: hasIds ? 'ids' : 'filter', archive: this.archive.kind },
        });
        deleted.push(...gone.filter((id) => !deleted.includes(id)));
      }
    }
    // By id, every asked-for id is pruned (a retry after a failed prune must still prune).
    const pruneIds = hasIds ? targets : deleted;
    if (pruneIds.length > 0) await this.observer?.removed(userId, pruneIds);
    if (deleted.length > 0) await this.coherence.invalidate(userId, deleted);
    this.metrics.memoriesDeleted.inc(deleted.length);
    return deleted;
  }

  /**
   * Lifecycle deletion (TTL, GC): under the memories' locks, re-reads them (expired and
   * superseded ones included) and deletes those `still` holds for, audited as `operation` with
   * `details`. Strong like Forget: caches and precomputed artifacts drop them before it resolves.
   */
  async expunge(ctx: CallContext, userId: string, ids: readonly string[], audit: { operation: string; details: Record<string, string> }, still: (r: MemoryRecord) => boolean): Promise<string[]> {
    if (ids.length === 0) return [];
    const deleted = await this.locks.runAll(
      ids.map((id) => lockKey(userId, id)),
      async () => {
        const current = await scrollAll(this.store, userId, {
          filter: { ids: [...ids], includeSuperseded: true },
          includeExpired: true,
          withVectors: false,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const targets = current.filter(still).map((r) => r.id);
        if (targets.length === 0) return [];
        const row = { userId, actor: ctx.actor, operation: audit.operation, memoryIds: targets, requestId: ctx.requestId, details: audit.details };
        return this.audited(row, () => this.store.delete(userId, targets, { signal: ctx.signal }));
      },
    );
    if (deleted.length > 0) {
      await this.observer?.removed(userId, deleted);
      await this.coherence.invalidate(userId, deleted);
      this.metrics.memoriesDeleted.inc(deleted.length);
    }
    return deleted;
  }

  async forgetUser(ctx: CallContext, rawUserId: string): Promise<ForgetUserReceipt> {
    const userId = v.checkUserId(rawUserId);
    const audit = { userId, actor: ctx.actor, operation: 'ForgetUser', memoryIds: [], requestId: ctx.requestId, details: {} };
    const memoriesDeleted = await this.audited(audit, () => this.store.dropTenant(userId, { signal: ctx.signal }));
    await this.observer?.userErased(userId);
    const erased = (await this.archive?.erase(userId)) ?? 0;
    const { tasks, archived, precomputed } = await this.metadata.deleteUser(userId);
    const cacheEntriesDropped = await this.coherence.invalidate(userId, [], true);
    this.metrics.memoriesDeleted.inc(memoriesDeleted);
    return {
      userId,
      memoriesDeleted,
      cacheEntriesDropped,
      tasksDeleted: tasks,
      archivedDeleted: erased + archived,
      precomputedDeleted: precomputed,
      completedAtMs: Date.now(),
      archive: this.archive?.kind ?? 'table',
    };
  }

  // ---- read path -------------------------------------------------------------------------

  async get(ctx: CallContext, rawUserId: string, rawId: string): Promise<MemoryRecord> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('id', rawId, true);
    const now = Date.now();
    const live = (r: MemoryRecord) => unexpired(r, now);
    let found = await this.cache.get(cacheKeys.memory(userId, id), memoryCodec, async () => (await this.store.get(userId, [id], { signal: ctx.signal }))[0], { valid: live });
    if (!found && this.archive) {
      // An archived memory comes back into the hot store on its first read.
      const [back] = await this.archive.restore(ctx, userId, { ids: [id] }, 'get');
      const r = back ?? (await this.store.get(userId, [id], { signal: ctx.signal }))[0];
      if (r && live(r)) found = { value: r, tier: 'L3' };
    }
    if (!found) throw new NotFoundError(`memory ${id} not found`);
    this.store.touch(userId, [id], { accessedAtMs: now, accessCount: 1 });
    this.cache.l2?.touchHot(userId, [id], now);
    return found.value;
  }

  async list(
    ctx: CallContext,
    rawUserId: string,
    o: { filter?: MemoryFilter; pageSize?: number; pageToken?: string; oldestFirst?: boolean },
  ): Promise<{ records: MemoryRecord[]; nextPageToken: string }> {
    const userId = v.checkUserId(rawUserId);
    const filter = v.checkFilter('filter', o.filter, this.o.limits);
    const limit = v.checkPageSize('page_size', o.pageSize, 50, this.o.limits);
    const scope = tokenScope(userId, [filter ?? null, o.oldestFirst ? 'asc' : 'desc']);
    const after = o.pageToken ? decodePageToken(o.pageToken, 'memories', scope, memoryPosition) : undefined;
    throwIfAborted(ctx.signal);
    const page = await this.store.scroll(userId, { ...(filter ? { filter } : {}), limit, ...(after ? { after } : {}), newestFirst: !o.oldestFirst, signal: ctx.signal });
    const nextPageToken = page.next ? encodePageToken('memories', scope, [page.next.createdAtMs, page.next.id]) : '';
    return { records: page.records, nextPageToken };
  }

  /** Restore: archived memories back into the hot store (these ids, a filter of them, or all). */
  async restore(ctx: CallContext, rawUserId: string, rawIds: string[] | undefined, filter: MemoryFilter | undefined): Promise<string[]> {
    const userId = v.checkUserId(rawUserId);
    const f = v.checkFilter('filter', filter, this.o.limits);
    const hasIds = (rawIds?.length ?? 0) > 0;
    if (hasIds && f) throw new InvalidArgumentError('filter', 'give ids or a filter, not both');
    if (hasIds && rawIds!.length > this.o.limits.maxBatchItems) throw new InvalidArgumentError('ids', `has ${rawIds!.length} ids, the limit is ${this.o.limits.maxBatchItems}`);
    const ids = hasIds ? [...new Set(rawIds!.map((id, i) => v.checkMemoryId(`ids[${i}]`, id, true)))] : undefined;
    if (!this.archive) return [];
    const restored = await this.archive.restore(ctx, userId, { ...(ids ? { ids } : {}), ...(f ? { filter: f } : {}) }, 'request');
    return restored.map((r) => r.id);
  }

  async search(ctx: CallContext, rawUserId: string, input: SearchInput): Promise<SearchResult> {
    const started = performance.now();
    return this.searchChecked(ctx, v.checkUserId(rawUserId), this.checkSearch(input, ''), started);
  }

  private async searchChecked(ctx: CallContext, userId: string, q: ReturnType<MemoryEngine['checkSearch']>, started: number): Promise<SearchResult> {
    const generations = await this.coherence.generation(userId);
    const { gen, l2 } = generations;
    const cacheKey = cacheKeys.search(userId, gen, q.fingerprint);
    const now = Date.now();
    const live = (c: CachedSearch) => c.hits.every((h) => unexpired(h.memory, now));
    const fresh = (c: CachedSearch, lastWrite?: number) => live(c) && withinWriteLag(c.at, lastWrite, now, this.o.searchMaxLagMs);
    const lookup = performance.now();
    let loadMs = 0;
    let similarFrom: ServedBy | undefined;
    const load = async (): Promise<CachedSearch> => {
      const t = performance.now();
      try {
        if (!this.similarQueries || q.mode === 'KEYWORD') return { at: now, hits: await this.searchStore(ctx, userId, q, now, generations) };
        // Semantic cache: the query's vector (needed for the search anyway) against recent ones.
        const withVector = { ...q, vector: q.vector ?? (await this.step('embed', () => this.embed([q.text], ctx.signal, true)))[0]! };
        const optionsHash = createHash('sha1').update(q.options).digest('base64url');
        const similar = await this.similarResult(userId, gen, l2, { vector: withVector.vector, optionsHash }, fresh);
        if (similar) {
          similarFrom = similar.tier;
          return similar.value;
        }
        const hits = await this.searchStore(ctx, userId, withVector, now, generations);
        this.similarQueries.add(userId, gen, optionsHash, withVector.vector, q.fingerprint);
        return { at: now, hits };
      } finally {
        loadMs = performance.now() - t;
      }
    };
    const got = await this.cache.get<CachedSearch>(cacheKey, searchCodec, load, { valid: fresh, lastWriteOf: userId, useL2: l2 });
    // The cache step is the lookup's own time: L1, L2, a coalesced wait; not the search it ran.
    this.metrics.searchStepDuration.observe({ step: 'cache' }, (performance.now() - lookup - loadMs) / 1000);
    const { hits, similarQueryCosine } = got!.value;
    const tier = similarFrom ?? got!.tier;
    this.touchHits(userId, hits, now);
    const tookMs = performance.now() - started;
    this.metrics.searchDuration.observe({ tier: tier.toLowerCase() }, tookMs / 1000);
    return { hits, tier, tookMs, ...(similarQueryCosine !== undefined ? { similarQueryCosine } : {}) };
  }

  /**
   * A cached result of a similar recent query, still fresh, as this query's answer (keeping the
   * time it was computed, so the lag bound still counts from there); undefined when none is.
   */
  private async similarResult(
    userId: string,
    gen: number,
    useL2: boolean,
    q: { vector: Float32Array; optionsHash: string },
    fresh: (c: CachedSearch, lastWrite?: number) => boolean,
  ): Promise<{ value: CachedSearch; tier: ServedBy } | undefined> {
    const match = this.similarQueries!.find(userId, gen, q.optionsHash, q.vector);
    if (!match) {
      this.metrics.similarQueries.inc({ outcome: 'none' });
      return undefined;
    }
    const cached = await this.cache.get<CachedSearch>(cacheKeys.search(userId, gen, match.fingerprint), searchCodec, () => Promise.resolve(undefined), { valid: fresh, lastWriteOf: userId, useL2 });
    // A result that was itself borrowed is not lent on: answers stay one step from a real search.
    const usable = cached !== undefined && cached.value.similarQueryCosine === undefined;
    this.metrics.similarQueries.inc({ outcome: usable ? 'hit' : 'gone' });
    if (!usable) return undefined;
    return { value: { at: cached.value.at, hits: cached.value.hits, similarQueryCosine: match.cosine }, tier: cached.tier };
  }

  private async searchStore(ctx: CallContext, userId: string, q: ReturnType<MemoryEngine['checkSearch']>, now: number, generations: UserGenerations): Promise<SearchHit[]> {
    const hot = await this.searchHot(ctx, userId, q, now, generations);
    if (!q.includeArchive || !this.archive) return hot;
    // The archive has no index: an exact scan by vector, ranked like dense hits.
    const vector = q.vector ?? (await this.embed([q.text], ctx.signal, true))[0]!;
    const found = await this.archive.search(userId, { vector, k: q.topK, ...(q.filter ? { filter: q.filter } : {}), ...(q.minScore !== undefined ? { minSimilarity: q.minScore } : {}) }, ctx.signal);
    const cold = this.rank(found, q.weights, now, q.topK, q.includeEmbedding).map((h) => ({ ...h, archived: true }));
    return [...hot, ...cold].sort((a, b) => b.score - a.score).slice(0, q.topK);
  }

  private async searchHot(ctx: CallContext, userId: string, q: ReturnType<MemoryEngine['checkSearch']>, now: number, generations: UserGenerations): Promise<SearchHit[]> {
    throwIfAborted(ctx.signal);
    const w = q.weights;
    const rerank = w.importance > 0 || w.recency > 0;
    const pool = rerank ? Math.min(Math.max(q.topK * 3, q.topK + 20), this.o.limits.maxTopK * 3) : q.topK;
    if (q.mode === 'KEYWORD') {
      const { keyword } = await this.step('store_query', () => this.store.searchHybrid(userId, { keyword: this.keywordQuery(userId, q, pool) }, { signal: ctx.signal }));
      return this.step('rank', () => this.rankFused(fuse([], keyword, { ...this.o.fusion, denseWeight: 0 }), w, now, q.topK, q.includeEmbedding));
    }
    const vector = q.vector ?? (await this.step('embed', () => this.embed([q.text], ctx.signal, true)))[0]!;
    throwIfAborted(ctx.signal);
    const query = {
      vector,
      k: pool,
      ef: efFor(q.queryClass, ctx.deadlineMs),
      exact: q.exact,
      ...(q.filter ? { filter: q.filter } : {}),
      ...(q.minScore !== undefined ? { minSimilarity: q.minScore } : {}),
      withVectors: q.includeEmbedding,
    };
    if (q.mode === 'HYBRID') {
      // Both retrievers bring a full pool: fusion reorders, so the best of either must be there.
      const hybrid = await this.step('store_query', () => this.store.searchHybrid(userId, { dense: query, keyword: this.keywordQuery(userId, q, pool) }, { signal: ctx.signal }));
      return this.step('rank', () => this.rankFused(fuse(hybrid.dense, hybrid.keyword, this.o.fusion), w, now, q.topK, q.includeEmbedding));
    }
    // Topic routing: a query that clearly falls in one topic is scored exactly against its members;
    // when that leaves too few hits, the usual search answers.
    const members = !q.exact && !q.filter?.ids && this.router && this.routingClasses.has(q.queryClass) ? this.router.route(userId, generations, vector) : undefined;
    if (members) {
      const routed = await this.step('store_query', () => this.store.search(userId, { ...query, exact: true, filter: { ...q.filter, ids: members } }, { signal: ctx.signal }));
      if (routed.length >= Math.min(pool, members.length) && routed.length >= q.topK) {
        this.metrics.topicRouted.inc({ outcome: 'served' });
        return this.step('rank', () => this.rank(routed, w, now, q.topK, q.includeEmbedding));
      }
      this.metrics.topicRouted.inc({ outcome: 'fallback' });
    }
    const raw = await this.step('store_query', () => this.store.search(userId, query, { signal: ctx.signal }));
    return this.step('rank', () => this.rank(raw, w, now, q.topK, q.includeEmbedding));
  }

  /** Runs one step of a search and records its time (memory_search_step_duration_seconds). */
  private async step<T>(name: SearchStep, fn: () => T | Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.metrics.searchStepDuration.observe({ step: name }, (performance.now() - t) / 1000);
    }
  }

  async searchBatch(ctx: CallContext, rawUserIds: string[], inputs: SearchInput[]): Promise<SearchResult[]> {
    if (inputs.length === 0) throw new InvalidArgumentError('searches', 'is empty');
    if (inputs.length > this.o.limits.maxBatchItems) throw new InvalidArgumentError('searches', `has ${inputs.length} searches, the limit is ${this.o.limits.maxBatchItems}`);
    // Validate everything first so a bad search fails the call before any work starts.
    const started = performance.now();
    const checked = inputs.map((input, i) => ({ userId: v.checkIdentifier(`searches[${i}].user_id`, rawUserIds[i], true), q: this.checkSearch(input, `searches[${i}]`) }));
    return Promise.all(checked.map(({ userId, q }) => this.searchChecked(ctx, userId, q, started)));
  }

  private checkSearch(input: SearchInput, path: string) {
    const f = (name: string) => (path ? `${path}.${name}` : name);
    const vector = v.checkVector(f('query_vector'), input.queryVector, this.o.limits);
    const text = input.query ?? '';
    const hasText = text.trim() !== '';
    const asked = v.checkSearchMode(f('mode'), input.mode);
    if (hasText) v.checkContent(f('query'), text, this.o.limits, true);
    if (asked === 'KEYWORD' && !hasText) throw new InvalidArgumentError(f('query'), 'is required in KEYWORD mode (keywords come from the text)');
    if (!vector && asked !== 'KEYWORD') {
      if (!hasText) throw new InvalidArgumentError(f('query'), 'is required (or send query_vector)');
      if (!this.o.canEmbed) throw new InvalidArgumentError(f('query_vector'), 'is required: this deployment has no embedder (EMBEDDER=none)');
    }
    // A vector without text can only be searched densely.
    const mode: SearchMode = asked ?? (hasText ? this.o.searchMode : 'DENSE');
    if (mode === 'HYBRID' && !hasText) throw new InvalidArgumentError(f('query'), 'is required in HYBRID mode (its keywords are half the search)');
    const topK = v.checkPageSize(f('top_k'), input.topK, 10, this.o.limits);
    const minScore = input.minScore;
    if (minScore !== undefined && (!Number.isFinite(minScore) || minScore < -1 || minScore > 1)) throw new InvalidArgumentError(f('min_score'), `must be between -1 and 1, got ${minScore}`);
    const weights = { ...this.o.ranking };
    for (const k of ['similarity', 'importance', 'recency'] as const) {
      const x = input.weights?.[k];
      if (x === undefined) continue;
      if (!Number.isFinite(x) || x < 0 || x > 10) throw new InvalidArgumentError(f(`weights.${k}`), `must be between 0 and 10, got ${x}`);
      weights[k] = x;
    }
    const filter = v.checkFilter(f('filter'), input.filter, this.o.limits);
    const queryClass = v.checkQueryClass(f('query_class'), input.queryClass);
    const includeEmbedding = input.includeEmbedding ?? false;
    const exact = input.exact ?? false;
    const includeArchive = input.includeArchive ?? false;
    if (includeArchive && mode === 'KEYWORD') throw new InvalidArgumentError(f('include_archive'), 'needs a DENSE or HYBRID search (the archive is scanned by vector)');
    // Everything but the query (the semantic cache compares queries within one set of options).
    const options = JSON.stringify([topK, minScore ?? null, weights, filter ?? null, queryClass, includeEmbedding, exact, mode, includeArchive]);
    const h = createHash('sha1');
    if (vector) h.update(new Uint8Array(vector.buffer));
    h.update(`t:${text}`);
    h.update(options);
    return { vector, text, mode, topK, minScore: minScore || undefined, weights, filter, queryClass, includeEmbedding, exact, includeArchive, fingerprint: h.digest('base64url'), options };
  }

  private keywordQuery(userId: string, q: ReturnType<MemoryEngine['checkSearch']>, k: number) {
    return { vector: this.keywords.query(userId, q.text), k, ...(q.filter ? { filter: q.filter } : {}), withVectors: q.includeEmbedding };
  }

  /** Dense hits ranked: their similarity is their relevance. */
  private rank(raw: VectorHit[], w: RankingWeights, now: number, k: number, includeEmbedding: boolean): SearchHit[] {
    const fused = raw.map(({ record, similarity }): FusedHit => ({ record, relevance: similarity, similarity, retrievers: ['dense'] }));
    return this.rankFused(fused, w, now, k, includeEmbedding);
  }

  /**
   * Ranks candidates by relevance with importance and recency (the fused relevance of a hybrid
   * search takes the similarity's place). A memory only the keyword retriever found reports
   * similarity 0 (no cosine was computed).
   */
  private rankFused(fused: FusedHit[], w: RankingWeights, now: number, k: number, includeEmbedding: boolean): SearchHit[] {
    // Scored and cut to k first: the pool is 3× k per retriever, and copying a record for the
    // response is most of a small user's search.
    const scored = fused.map((f) => ({ f, score: this.relevance(f.record, f.relevance, now, w) }));
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(0, k).map(({ f, score }): SearchHit => ({
      memory: shown(f.record, includeEmbedding),
      score,
      similarity: f.similarity ?? 0,
      ...(f.keywordScore !== undefined ? { keywordScore: f.keywordScore } : {}),
      retrievers: f.retrievers,
    }));
  }

  private touchHits(userId: string, hits: SearchHit[], now: number): void {
    if (hits.length === 0) return;
    const ids = hits.map((h) => h.memory.id);
    this.store.touch(userId, ids, { accessedAtMs: now, accessCount: 1 });
    this.cache.l2?.touchHot(userId, ids, now);
  }

  private audited<T>(audit: AuditInput, mutate: () => Promise<T>): Promise<T> {
    return audited(this.metadata, audit, mutate);
  }

  /** A query's vector, cached like a Search's (context assembly embeds once for all its sections). */
  async embedQuery(ctx: CallContext, text: string): Promise<Float32Array> {
    if (!this.o.canEmbed) throw new InvalidArgumentError('query', 'cannot be embedded: this deployment has no embedder (EMBEDDER=none)');
    return (await this.embed([text], ctx.signal, true))[0]!;
  }

  /** A memory's ranking score for a query it is `similarity`-similar to, as Search ranks it (with the deployment's weights unless given). */
  relevance(record: MemoryMeta, similarity: number, now: number, w: RankingWeights = this.o.ranking): number {
    return w.similarity * similarity + w.importance * record.importance + w.recency * recency(record.createdAtMs, now, this.o.recencyHalfLifeMs);
  }

  /** `shared`: also look up and keep the embedding in L2 (queries repeat; memory texts rarely do). */
  private async embed(texts: string[], signal: AbortSignal | undefined, shared = false): Promise<Float32Array[]> {
    if (!this.embeddings) throw new UnavailableError('no embedder is configured');
    return this.embeddings.embed(texts, signal, shared);
  }

  /**
   * Session warm-up: the user's top memories (importance × recency) and most recent ones, plus
   * the recently hot ones, into L1 and L2, so the first turns of a conversation read from cache.
   */
  async warmSession(ctx: CallContext, rawUserId: string, rawSessionId: string | undefined): Promise<number> {
    const userId = v.checkUserId(rawUserId);
    v.checkIdentifier('session_id', rawSessionId, false);
    const now = Date.now();
    const recent = await this.store.scroll(userId, { limit: 500, newestFirst: true, signal: ctx.signal });
    throwIfAborted(ctx.signal);
    const halfLife = this.o.recencyHalfLifeMs;
    const value = (r: MemoryRecord) => r.importance * recency(r.createdAtMs, now, halfLife);
    const top = [...recent.records].sort((a, b) => value(b) - value(a)).slice(0, 100);
    const hotIds = this.cache.l2 ? await this.cache.l2.hot(userId, 100) : [];
    const hot = hotIds.length > 0 ? await this.store.get(userId, hotIds, { signal: ctx.signal }) : [];
    const chosen = new Map<string, MemoryRecord>();
    for (const r of [...top, ...recent.records.slice(0, 50), ...hot]) chosen.set(r.id, r);
    await Promise.all([...chosen.values()].map((r) => this.cache.set(cacheKeys.memory(userId, r.id), r, memoryCodec)));
    this.observer?.sessionStarted(userId, rawSessionId ?? '');
    return chosen.size;
  }

  /** Users with memories in the hot store, in id order (operators' tools: a maintenance run over everyone). */
  async listUsers(ctx: CallContext, o: { pageSize?: number; pageToken?: string }): Promise<{ userIds: string[]; nextPageToken: string }> {
    const limit = v.checkPageSize('page_size', o.pageSize, 100, this.o.limits);
    const scope = tokenScope('', null);
    const after = o.pageToken ? decodePageToken(o.pageToken, 'users', scope, userPosition) : undefined;
    throwIfAborted(ctx.signal);
    const all = (await this.store.users({ ...(ctx.signal ? { signal: ctx.signal } : {}) })).sort();
    const from = after === undefined ? 0 : all.findIndex((u) => u > after);
    const userIds = from < 0 ? [] : all.slice(from, from + limit);
    const more = from >= 0 && from + limit < all.length;
    return { userIds, nextPageToken: more ? encodePageToken('users', scope, [userIds[userIds.length - 1]!]) : '' };
  }

  // ---- tasks and audit -------------------------------------------------------------------

  async createTask(ctx: CallContext, rawUserId: string, t: { id?: string; agentId?: string; title?: string; metadata?: Record<string, string> }): Promise<Task> {
    const userId = v.checkUserId(rawUserId);
    const task = await this.metadata.createTask({
      id: v.checkMemoryId('id', t.id, false),
      userId,
      agentId: v.checkIdentifier('agent_id', t.agentId, false),
      title: v.checkTitle('title', t.title, MAX_TITLE_CHARS),
      metadata: v.checkMetadata('metadata', t.metadata, this.o.limits),
    });
    await this.metadata.appendAudit({ userId, actor: ctx.actor, operation: 'CreateTask', memoryIds: [], requestId: ctx.requestId, details: { task: task.id } });
    return task;
  }

  async updateTaskStatus(ctx: CallContext, rawUserId: string, rawId: string, status: TaskStatus | undefined): Promise<Task> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('id', rawId, true);
    if (!status) throw new InvalidArgumentError('status', 'is required');
    if (!TASK_STATUSES.includes(status)) throw new InvalidArgumentError('status', `unknown task status ${v.echo(status)}`);
    if (status === 'PENDING') throw new InvalidArgumentError('status', 'a task cannot go back to PENDING');
    const task = await this.metadata.updateTaskStatus(userId, id, status);
    await this.metadata.appendAudit({ userId, actor: ctx.actor, operation: 'UpdateTaskStatus', memoryIds: [], requestId: ctx.requestId, details: { task: id, status } });
    return task;
  }

  async getTask(_ctx: CallContext, rawUserId: string, rawId: string): Promise<Task> {
    const userId = v.checkUserId(rawUserId);
    const id = v.checkMemoryId('id', rawId, true);
    const t = await this.metadata.getTask(userId, id);
    if (!t) throw new NotFoundError(`task ${id} not found`);
    return t;
  }

  async listTasks(_ctx: CallContext, rawUserId: string, o: { status?: TaskStatus; pageSize?: number; pageToken?: string }): Promise<{ items: Task[]; nextPageToken: string }> {
    const userId = v.checkUserId(rawUserId);
    const limit = v.checkPageSize('page_size', o.pageSize, 50, this.o.limits);
    if (o.status !== undefined && !TASK_STATUSES.includes(o.status)) throw new InvalidArgumentError('status', `unknown task status ${v.echo(o.status)}`);
    const scope = tokenScope(userId, o.status ?? null);
    const after = o.pageToken ? decodePageToken(o.pageToken, 'tasks', scope, taskPosition) : undefined;
    const page = await this.metadata.listTasks(userId, { limit, ...(after ? { after } : {}), ...(o.status ? { status: o.status } : {}) });
    return { items: page.items, nextPageToken: page.next ? encodePageToken('tasks', scope, [page.next.createdAt, page.next.id]) : '' };
  }

  async listAuditEvents(_ctx: CallContext, rawUserId: string, o: { pageSize?: number; pageToken?: string; operation?: string }): Promise<{ items: AuditEvent[]; nextPageToken: string }> {
    const userId = v.checkUserId(rawUserId);
    const limit = v.checkPageSize('page_size', o.pageSize, 50, this.o.limits);
    const operation = v.checkShort('operation', o.operation);
    const scope = tokenScope(userId, operation);
    const after = o.pageToken ? decodePageToken(o.pageToken, 'audit', scope, auditPosition) : undefined;
    const page = await this.metadata.listAudit(userId, { limit, ...(after ? { after } : {}), ...(operation ? { operation } : {}) });
    return { items: page.items, nextPageToken: page.next ? encodePageToken('audit', scope, [page.next.id]) : '' };
  }
}

const EMPTY = new Float32Array(0);
const MAX_TITLE_CHARS = 1000;

/** The per-memory lock's key: every read-modify-write of a memory (here and in lifecycle work) holds it. */
export function lockKey(userId: string, id: string): string {
  return `${userId}\u0000${id}`;
}

function stripRecord(r: MemoryRecord): MemoryMeta {
  const { embedding: _e, keywords: _k, accessedAtMs: _a, accessCount: _c, ...meta } = r;
  return meta;
}

/** A hit's record as returned (one copy): vectors only when asked for (the keyword vector never: it is the index's). */
function shown(r: MemoryRecord, includeEmbedding: boolean): MemoryRecord {
  const { keywords: _k, ...rest } = r;
  if (!includeEmbedding) (rest as { embedding: Float32Array }).embedding = EMPTY;
  return rest;
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1e-6) return false;
  return true;
}

function changedFields(p: MemoryPatch): string[] {
  return Object.entries(p)
    .filter(([k, val]) => val !== undefined && k !== 'expectedVersion' && k !== 'correction')
    .map(([k]) => k);
}
