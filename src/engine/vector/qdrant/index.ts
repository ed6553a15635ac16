/**
 * QdrantVectorStore: the production VectorStore, on a Qdrant server (DESIGN §4).
 *
 * Tenancy is tiered. Small users share one collection per embedding model, reached through an
 * alias, with `user_id` as a tenant index (`is_tenant`, `m: 0, payload_m: 16`: one small graph
 * per tenant, no global graph). A user who passes `promoteAt` memories is promoted online to a
 * dedicated collection with a tuned HNSW profile. `tenancy: 'per_user'` gives every user a
 * dedicated collection from the first write.
 *
 * Promotion, one user at a time, state kept in a routing collection so every instance follows:
 *   copying   reads: shared      writes: shared, then dedicated   (copy runs with insert_only)
 *   switched  reads: dedicated   writes: both
 *   dedicated reads: dedicated   writes: dedicated                (then the shared copies go)
 * Between states the promoter waits for this instance's in-flight writes of the user and for
 * `promotionGraceMs` (other instances refresh routes every `routingRefreshMs`). The copy never
 * overwrites (a concurrent write is newer); a reconcile pass removes copies whose original was
 * deleted meanwhile. Reads switch in one step, after the dedicated collection holds everything.
 *
 * Every request carries the tenant filter built by `tenantFilter` (points.ts); callers cannot
 * pass a filter that reaches another user. Writes use `wait: true`: acknowledged means durable
 * in Qdrant's WAL and visible to searches. Concurrent upserts into one collection share one
 * request (upsert-coalescer.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Schemas } from '@qdrant/js-client-rest';
import type { Logger } from 'pino';
import { ConfigError, throwIfAborted, UnavailableError } from '../../../errors.js';
import type { Metrics } from '../../../observability/metrics.js';
import type { AccessStats, KeywordHit, MemoryFilter, MemoryMeta, MemoryRecord, VectorHit } from '../../types.js';
import type {
  HybridHits,
  HybridQuery,
  FieldUpdate,
  NeighborGraph,
  NeighborGraphOptions,
  ScrollCursor,
  ScrollOptions,
  ScrollPage,
  StoreCallOptions,
  VectorQuery,
  VectorStore,
} from '../vector-store.js';
import { allOfUser, fromPoint, INDEXED_FIELDS, isLive, KEYWORD_VECTOR, pointId, pointVectors, sparseOut, tenantFilter, toPoint, type QCondition, type QFilter } from './points.js';
import { CollectionMissingError, QdrantRequestError, QdrantTransport } from './transport.js';
import { UpsertCoalescer } from './upsert-coalescer.js';
import type { HnswParams } from '../hnsw-profiles.js';
import { sleep } from '../../../sleep.js';

/** Oldest server with every feature used here (upsert `update_mode: insert_only` came in 1.17). */
export const QDRANT_MIN_VERSION = '1.17.0';

/** Users one facet call lists per collection (a maintenance sweep reaches the rest on its next round). */
const MAX_FACET_USERS = 100_000;

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  dimensions: number;
  /** Identifies the embedding model: one shared collection (and alias) per model. */
  modelId: string;
  /** Prefix of every collection and alias this deployment owns. */
  prefix: string;
  tenancy: 'tiered' | 'per_user';
  /** Memories at which a user is promoted to a dedicated collection (tiered tenancy). */
  promoteAt: number;
  /** HNSW profiles by name, the deployment's default for dedicated collections, per-user overrides. */
  profiles: Record<string, HnswParams>;
  defaultProfile: string;
  userProfiles: Record<string, string>;
  quantization: 'none' | 'int8';
  oversampling: number;
  timeoutMs: number;
  retries: number;
  /** Reuse HTTP connections to Qdrant; ask for compressed responses (see TransportOptions). */
  keepAlive?: boolean;
  compression?: boolean;
  routingRefreshMs: number;
  promotionGraceMs: number;
  promotionBatch: number;
  /**
   * How often access statistics (accessed_at, access_count) are written to the points; 0 = never.
   * Each write of a point's payload moves it out of its indexed segment in Qdrant (copy on
   * write) until the optimizer re-indexes it, so frequent writes keep collections re-indexing.
   */
  accessStatsFlushMs: number;
  log: Logger;
  metrics?: Metrics;
}

type RouteState = 'copying' | 'switched' | 'dedicated' | 'dropped';

interface Route {
  userId: string;
  collection: string;
  state: RouteState;
  profile: string;
  updatedAtMs: number;
  cleaned: boolean;
}

interface QPoint {
  id: string | number;
  payload?: Record<string, unknown> | null;
  vector?: unknown;
  score?: number;
}

/** Where a scroll goes on (a point id, as Qdrant returns it). */
type ScrollOffset = NonNullable<Schemas['ScrollResult']['next_page_offset']>;
type QdrantScrollPage = { points: QPoint[]; next_page_offset?: ScrollOffset | null };

const ROUTE_USER = '\u0000route';
const SHARED_HNSW = { m: 0, payload_m: 16, ef_construct: 100 };

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export class QdrantVectorStore implements VectorStore {
  readonly kind = 'qdrant';
  readonly dimensions: number;
  readonly transport: QdrantTransport;
  /** The alias every shared-collection call goes through. */
  readonly sharedAlias: string;
  readonly routingCollection: string;
  private readonly base: string;
  private readonly log: Logger;
  private readonly instanceId = randomUUID();
  private readonly upserts = new UpsertCoalescer<Schemas['PointStruct']>({ send: (c, points, signal) => this.sendUpsert(c, points, signal) });

  private initialized: Promise<void> | undefined;
  private initError: Error | undefined;
  private fatal: Error | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private touchTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;
  serverVersion = '';

  private readonly routes = new Map<string, Route>();
  private routesSeenUpTo = 0;
  private readonly checkedCollections = new Map<string, Promise<void>>();
  private readonly inflight = new Map<string, Set<Promise<unknown>>>();
  private readonly writesSinceCheck = new Map<string, number>();
  private readonly countChecks = new Set<string>();
  private promotionChain: Promise<unknown> = Promise.resolve();
  private readonly promoting = new Set<string>();
  private readonly pendingTouches = new Map<string, Map<string, AccessStats>>();
  private pendingTouchCount = 0;

  constructor(private readonly o: QdrantStoreOptions) {
    this.dimensions = o.dimensions;
    this.log = o.log;
    this.transport = new QdrantTransport({
      url: o.url,
      ...(o.apiKey ? { apiKey: o.apiKey } : {}),
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      ...(o.keepAlive !== undefined ? { keepAlive: o.keepAlive } : {}),
      ...(o.compression !== undefined ? { compression: o.compression } : {}),
      log: o.log,
      ...(o.metrics ? { metrics: o.metrics } : {}),
    });
    const slug = o.modelId
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, 40);
    const tag = createHash('sha256').update(`${o.modelId}\u0000${o.dimensions}`).digest('hex').slice(0, 8);
    this.base = `${o.prefix}${slug}_${o.dimensions}_${tag}`;
    this.sharedAlias = this.base;
    this.routingCollection = `${this.base}_routing`;
    for (const [user, profile] of Object.entries(o.userProfiles)) {
      if (!o.profiles[profile]) throw new ConfigError('QDRANT_USER_PROFILES', `unknown profile "${profile}" for user "${user}"`);
    }
    if (!o.profiles[o.defaultProfile]) throw new ConfigError('QDRANT_HNSW_PROFILE', `unknown profile "${o.defaultProfile}"`);
  }

  /** The dedicated collection of a user (deterministic, so every instance agrees). */
  dedicatedCollection(userId: string): string {
    return `${this.base}_u_${createHash('sha256').update(userId).digest('hex').slice(0, 32)}`;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connects and prepares collections. A Qdrant that is down does not stop startup: the store
   * keeps trying in the background and is unready (UNAVAILABLE) until it succeeds. A server too
   * old, or collections of another dimension/distance, stop startup with a ConfigError.
   */
  async open(): Promise<void> {
    try {
      await this.init();
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      this.initError = e as Error;
      this.log.warn({ err: (e as Error).message }, 'qdrant not reachable at startup; retrying in the background');
      this.scheduleInit();
    }
  }

  private scheduleInit(): void {
    if (this.closed) return;
    this.initTimer = setTimeout(() => {
      this.init().then(
        () => this.log.info({ version: this.serverVersion }, 'qdrant reachable; store ready'),
        (e: Error) => {
          if (e instanceof ConfigError) {
            this.fatal = e;
            this.log.error({ err: e.message }, 'qdrant store cannot serve');
            return;
          }
          this.initError = e;
          this.scheduleInit();
        },
      );
    }, 1000);
    this.initTimer.unref();
  }

  private init(): Promise<void> {
    const run = (async () => {
      const info = await this.transport.callRaw<{ version?: string }>('version', (init) => this.transport.api.root({}, init));
      const version = String(info?.version ?? '0');
      if (compareVersions(version, QDRANT_MIN_VERSION) < 0) {
        throw new ConfigError('QDRANT_URL', `Qdrant ${version} is too old: memory-engine needs ≥ ${QDRANT_MIN_VERSION} (upsert update_mode insert_only, tenant indexes, query API)`);
      }
      this.serverVersion = version;
      await this.ensureRoutingCollection();
      if (this.o.tenancy === 'tiered') await this.ensureShared();
      await this.refreshRoutes(true);
      this.initError = undefined;
      this.refreshTimer ??= setInterval(() => void this.refreshRoutes(false).catch((e: Error) => this.log.debug({ err: e.message }, 'route refresh failed')), this.o.routingRefreshMs);
      this.refreshTimer.unref();
      if (this.o.accessStatsFlushMs > 0) {
        this.touchTimer ??= setInterval(() => void this.flushTouches(), this.o.accessStatsFlushMs);
        this.touchTimer.unref();
      }
      this.resumePromotions();
    })();
    run.catch(() => undefined);
    this.initialized = run;
    return run;
  }

  /** Resolves once collections are ready; throws UnavailableError (with the reason) otherwise. */
  private async whenReady(): Promise<void> {
    if (this.fatal) throw new UnavailableError(`qdrant store cannot serve: ${this.fatal.message}`);
    if (this.closed) throw new UnavailableError('the vector store is closed');
    if (this.initError || !this.initialized) throw new UnavailableError(`qdrant is not reachable yet: ${this.initError?.message ?? 'starting'}`);
    await this.initialized;
  }

  async ready(): Promise<void> {
    await this.whenReady();
    const info = await this.transport.callRaw<{ version?: string }>('version', (init) => this.transport.api.root({}, init), { idempotent: false });
    if (info?.version && compareVersions(info.version, QDRANT_MIN_VERSION) < 0) {
      throw new UnavailableError(`Qdrant ${info.version} is too old: memory-engine needs ≥ ${QDRANT_MIN_VERSION}`);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.initTimer);
      clearInterval(this.refreshTimer);
      clearInterval(this.touchTimer);
      // The last access statistics go out while reads still work (a closed store refuses them).
      await this.flushTouches().catch(() => undefined);
      this.closed = true;
      await this.promotionChain.catch(() => undefined);
    })();
    return this.closing;
  }

  stats(): { dedicatedUsers: number; promoting: number } {
    let dedicated = 0;
    for (const r of this.routes.values()) if (r.state !== 'dropped') dedicated++;
    return { dedicatedUsers: dedicated, promoting: this.promoting.size };
  }

  // ---------------------------------------------------------------- collections

  private async ensureRoutingCollection(): Promise<void> {
    if (!(await this.exists(this.routingCollection))) {
      await this.createIfMissing(this.routingCollection, { vectors: {} });
      await this.createIndex(this.routingCollection, 'updated_at_ms', { type: 'integer', lookup: false, range: true });
    }
  }

  private async ensureShared(): Promise<void> {
    const aliases = await this.transport.call<{ aliases: { alias_name: string; collection_name: string }[] }>('aliases', (init) => this.transport.api.getCollectionsAliases({}, init));
    const existing = aliases.aliases.find((a) => a.alias_name === this.sharedAlias);
    if (existing) {
      await this.checkCollection(existing.collection_name);
      return;
    }
    const physical = `${this.base}_shared_v1`;
    if (!(await this.exists(physical))) await this.createCollection(physical, 'shared');
    else await this.checkCollection(physical);
    try {
      await this.transport.call('alias', (init) => this.transport.api.updateAliases({ actions: [{ create_alias: { collection_name: physical, alias_name: this.sharedAlias } }] }, init));
    } catch (e) {
      // Another instance created it first.
      const again = await this.transport.call<{ aliases: { alias_name: string }[] }>('aliases', (init) => this.transport.api.getCollectionsAliases({}, init));
      if (!again.aliases.some((a) => a.alias_name === this.sharedAlias)) throw e;
    }
  }

  private async exists(name: string): Promise<boolean> {
    const r = await this.transport.call<{ exists: boolean }>('exists', (init) => this.transport.api.collectionExists({ collection_name: name }, init));
    return r.exists;
  }

  private async createIfMissing(name: string, body: Schemas['CreateCollection']): Promise<boolean> {
    try {
      await this.transport.call('create_collection', (init) => this.transport.api.createCollection({ collection_name: name, ...body }, init), { idempotent: false });
      return true;
    } catch (e) {
      if (e instanceof QdrantRequestError && (await this.exists(name))) return false; // created concurrently
      throw e;
    }
  }

  private async createIndex(collection: string, field: string, schema: Schemas['PayloadFieldSchema']): Promise<void> {
    await this.transport.call('create_index', (init) => this.transport.api.createFieldIndex({ collection_name: collection, wait: true, field_name: field, field_schema: schema }, init));
  }

  /** Creates a shared or dedicated memory collection with its payload indexes. */
  private async createCollection(name: string, kind: 'shared' | 'dedicated', profileName = this.o.defaultProfile): Promise<void> {
    const quantized = this.o.quantization === 'int8';
    const profile = this.o.profiles[profileName]!;
    const created = await this.createIfMissing(name, {
      vectors: { size: this.dimensions, distance: 'Cosine', ...(quantized ? { on_disk: true } : {}) },
      hnsw_config: kind === 'shared' ? SHARED_HNSW : { m: profile.m, ef_construct: profile.efConstruction, payload_m: 0 },
      // The keyword index: Qdrant applies IDF at query time; term ids are per user (KeywordEncoder), so are the statistics.
      sparse_vectors: { [KEYWORD_VECTOR]: { modifier: 'idf' } },
      ...(quantized ? { quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } } } : {}),
    });
    if (created) {
      // The tenant index first: in the shared collection it organizes storage and graphs by user.
      await this.createIndex(name, 'user_id', { type: 'keyword', is_tenant: kind === 'shared', enable_hnsw: kind === 'shared' });
      for (const { field, schema } of INDEXED_FIELDS) await this.createIndex(name, field, indexParams(schema));
      this.log.info({ collection: name, kind, profile: kind === 'dedicated' ? profileName : 'tenant', quantization: this.o.quantization }, 'qdrant collection created');
    }
    this.checkedCollections.set(name, Promise.resolve());
  }

  /** Refuses a collection whose vectors differ from this deployment's (dimension, cosine). */
  private checkCollection(name: string): Promise<void> {
    let p = this.checkedCollections.get(name);
    if (!p) {
      p = (async () => {
        const info = await this.transport.call<Schemas['CollectionInfo']>('get_collection', (init) => this.transport.api.getCollection({ collection_name: name }, init));
        const v = info.config.params.vectors as { size?: number; distance?: string } | undefined;
        if (!v || typeof v.size !== 'number') {
          throw new ConfigError('EMBEDDING_DIMENSIONS', `qdrant collection ${name} has no single unnamed vector; it was not created by memory-engine`);
        }
        if (v.size !== this.dimensions || v.distance !== 'Cosine') {
          throw new ConfigError('EMBEDDING_DIMENSIONS', `qdrant collection ${name} holds ${v.size}-d ${v.distance} vectors; this deployment is configured for ${this.dimensions}-d Cosine`);
        }
        // A collection from before the keyword index gets its sparse vector now (the backfill job fills it).
        if (!info.config.params.sparse_vectors?.[KEYWORD_VECTOR]) {
          await this.transport.call(
            'create_vector_name',
            (init) => this.transport.api.createVectorName({ collection_name: name, vector_name: KEYWORD_VECTOR, wait: true, sparse: { modifier: 'idf' } }, init),
            {
              idempotent: false,
            },
          );
          this.log.info({ collection: name }, 'qdrant collection got its keyword (sparse) vector');
        }
        // Fields indexed since the collection was made (superseded_by came with supersession).
        const missing = INDEXED_FIELDS.filter((f) => !info.payload_schema?.[f.field]);
        for (const { field, schema } of missing) await this.createIndex(name, field, indexParams(schema));
        if (missing.length > 0) this.log.info({ collection: name, fields: missing.map((f) => f.field) }, 'qdrant collection got new payload indexes');
        const q = info.config.quantization_config as { scalar?: unknown } | null | undefined;
        if (Boolean(q?.scalar) !== (this.o.quantization === 'int8')) {
          this.log.warn({ collection: name, configured: this.o.quantization }, 'qdrant collection quantization differs from QDRANT_QUANTIZATION; the collection keeps its own');
        }
      })();
      p.catch(() => this.checkedCollections.delete(name));
      this.checkedCollections.set(name, p);
    }
    return p;
  }

  // ---------------------------------------------------------------- routing

  private route(userId: string): Route | undefined {
    const r = this.routes.get(userId);
    return r && r.state !== 'dropped' ? r : undefined;
  }

  /** Where reads of this user go. */
  private readCollection(userId: string): string {
    if (this.o.tenancy === 'per_user') return this.dedicatedCollection(userId);
    const r = this.route(userId);
    return r && r.state !== 'copying' ? r.collection : this.sharedAlias;
  }

  /** Where writes of this user go, in order. */
  private writeCollections(userId: string): string[] {
    if (this.o.tenancy === 'per_user') return [this.dedicatedCollection(userId)];
    const r = this.route(userId);
    if (!r) return [this.sharedAlias];
    return r.state === 'dedicated' ? [r.collection] : [this.sharedAlias, r.collection];
  }

  private async saveRoute(r: Route): Promise<void> {
    r.updatedAtMs = Math.max(Date.now(), r.updatedAtMs + 1);
    await this.transport.call('route', (init) =>
      this.transport.api.upsertPoints(
        {
          collection_name: this.routingCollection,
          wait: true,
          points: [
            {
              id: pointId(ROUTE_USER, r.userId),
              vector: {},
              payload: { user_id: r.userId, collection: r.collection, state: r.state, profile: r.profile, updated_at_ms: r.updatedAtMs, cleaned: r.cleaned, owner: this.instanceId },
            },
          ],
        },
        init,
      ),
    );
    this.routes.set(r.userId, { ...r });
    this.o.metrics?.qdrantDedicatedUsers.set(this.stats().dedicatedUsers);
  }

  /** Loads routes changed since the last refresh (all of them when `full`). */
  private async refreshRoutes(full: boolean): Promise<void> {
    const since = full ? 0 : Math.max(0, this.routesSeenUpTo - 10_000);
    let offset: ScrollOffset | undefined;
    for (let guard = 0; guard < 10_000; guard++) {
      const page = await this.transport.call<QdrantScrollPage>('routes', (init) =>
        this.transport.api.scrollPoints(
          {
            collection_name: this.routingCollection,
            limit: 1000,
            with_payload: true,
            with_vector: false,
            ...(since > 0 ? { filter: { must: [{ key: 'updated_at_ms', range: { gte: since } }] } } : {}),
            ...(offset !== undefined ? { offset } : {}),
          },
          init,
        ),
      );
      for (const p of page.points) {
        const x = p.payload as Partial<Route & { user_id: string; updated_at_ms: number }> | null;
        if (!x?.user_id || typeof x.collection !== 'string') continue;
        const known = this.routes.get(x.user_id);
        const updatedAtMs = Number(x.updated_at_ms ?? 0);
        if (known && known.updatedAtMs >= updatedAtMs) continue;
        this.routes.set(x.user_id, {
          userId: x.user_id,
          collection: x.collection,
          state: (x.state ?? 'dedicated') as RouteState,
          profile: x.profile ?? this.o.defaultProfile,
          updatedAtMs,
          cleaned: Boolean(x.cleaned),
        });
        this.routesSeenUpTo = Math.max(this.routesSeenUpTo, updatedAtMs);
      }
      if (page.next_page_offset === undefined || page.next_page_offset === null) break;
      offset = page.next_page_offset;
    }
    this.o.metrics?.qdrantDedicatedUsers.set(this.stats().dedicatedUsers);
    if (!full) this.resumePromotions();
  }

  /** Promotions whose promoter stopped (no heartbeat for a while) are taken over. */
  private resumePromotions(): void {
    const stale = Date.now() - Math.max(30_000, 4 * this.o.promotionGraceMs);
    for (const r of this.routes.values()) {
      const unfinished = r.state === 'copying' || r.state === 'switched' || (r.state === 'dedicated' && !r.cleaned);
      if (unfinished && r.updatedAtMs < stale && !this.promoting.has(r.userId)) void this.promote(r.userId).catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- writes

  /** Tracks a write so promotion can wait until every write that saw the old route is done. */
  private tracked<T>(userId: string, p: Promise<T>): Promise<T> {
    let set = this.inflight.get(userId);
    if (!set) this.inflight.set(userId, (set = new Set()));
    set.add(p);
    const done = () => {
      set.delete(p);
      if (set.size === 0 && this.inflight.get(userId) === set) this.inflight.delete(userId);
    };
    p.then(done, done);
    return p;
  }

  private async drainWrites(userId: string): Promise<void> {
    const set = this.inflight.get(userId);
    if (set) await Promise.allSettled([...set]);
  }

  /** Upserts of the write path are coalesced across callers; insert-only backfills go alone. */
  private upsertPoints(collection: string, points: Schemas['PointStruct'][], signal: AbortSignal | undefined, insertOnly = false): Promise<void> {
    return insertOnly ? this.sendUpsert(collection, points, signal, true) : this.upserts.upsert(collection, points, signal);
  }

  private async sendUpsert(collection: string, points: Schemas['PointStruct'][], signal: AbortSignal | undefined, insertOnly = false): Promise<void> {
    await this.transport.call(
      'upsert',
      (init) => this.transport.api.upsertPoints({ collection_name: collection, wait: true, points, ...(insertOnly ? { update_mode: 'insert_only' } : {}) }, init),
      signal ? { signal } : {},
    );
  }

  private async deletePoints(collection: string, ids: string[], signal?: AbortSignal): Promise<void> {
    if (ids.length === 0) return;
    await this.transport.call('delete', (init) => this.transport.api.deletePoints({ collection_name: collection, wait: true, points: ids }, init), signal ? { signal } : {});
  }

  /** Runs a write against each target collection, creating a per-user collection on first use. */
  private async writeTo(userId: string, fn: (collection: string) => Promise<void>): Promise<void> {
    await this.whenReady();
    const targets = this.writeCollections(userId);
    const work = (async () => {
      for (const c of targets) {
        try {
          await fn(c);
        } catch (e) {
          if (!(e instanceof CollectionMissingError)) throw e;
          if (this.o.tenancy === 'per_user') {
            await this.createCollection(c, 'dedicated', this.profileOf(userId));
            await fn(c);
          } else {
            // Our route is stale (the collection was dropped elsewhere): reload and retry once.
            await this.refreshRoutes(true);
            const now = this.writeCollections(userId);
            if (now.includes(c)) throw new UnavailableError(`qdrant collection ${c} is missing`);
            for (const n of now) if (!targets.includes(n)) await fn(n);
          }
        }
      }
    })();
    await this.tracked(userId, work);
  }

  async upsert(userId: string, records: MemoryRecord[], opts?: StoreCallOptions): Promise<void> {
    if (records.length === 0) return;
    const points = records.map(toPoint);
    await this.writeTo(userId, (c) => this.upsertPoints(c, points, opts?.signal));
    this.noteWrites(userId, records.length);
  }

  async delete(userId: string, ids: readonly string[], opts?: StoreCallOptions): Promise<string[]> {
    if (ids.length === 0) return [];
    const existing = await this.get(userId, ids, { ...opts, withVectors: false });
    const pids = [...new Set(ids)].map((id) => pointId(userId, id));
    await this.writeTo(userId, (c) => this.deletePoints(c, pids, opts?.signal));
    return existing.map((r) => r.id);
  }

  async deleteByFilter(userId: string, filter: MemoryFilter, opts?: StoreCallOptions): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of this.scrollAll(this.readCollection(userId), tenantFilter(userId, filter, Date.now()), false, opts?.signal)) {
      for (const p of page) if (typeof p.payload?.memory_id === 'string') ids.push(p.payload.memory_id);
    }
    const pids = ids.map((id) => pointId(userId, id));
    for (let i = 0; i < pids.length; i += 1000) {
      const chunk = pids.slice(i, i + 1000);
      await this.writeTo(userId, (c) => this.deletePoints(c, chunk, opts?.signal));
    }
    return ids;
  }

  async dropTenant(userId: string, opts?: StoreCallOptions): Promise<number> {
    await this.whenReady();
    const n = await this.count(userId, undefined, opts);
    const r = this.route(userId);
    if (this.o.tenancy === 'per_user') {
      await this.dropCollection(this.dedicatedCollection(userId));
      return n;
    }
    if (r) {
      await this.saveRoute({ ...r, state: 'dropped' });
      await this.dropCollection(r.collection);
    }
    await this.tracked(
      userId,
      this.transport.call(
        'delete',
        (init) => this.transport.api.deletePoints({ collection_name: this.sharedAlias, wait: true, filter: allOfUser(userId) }, init),
        opts?.signal ? { signal: opts.signal } : {},
      ),
    );
    this.writesSinceCheck.delete(userId);
    return n;
  }

  private async dropCollection(name: string): Promise<void> {
    try {
      await this.transport.call('drop_collection', (init) => this.transport.api.deleteCollection({ collection_name: name }, init));
    } catch (e) {
      if (!(e instanceof CollectionMissingError)) throw e;
    }
    this.checkedCollections.delete(name);
  }

  touch(userId: string, ids: readonly string[], stats: AccessStats): void {
    if (this.closed || this.o.accessStatsFlushMs === 0) return;
    if (this.pendingTouchCount >= 100_000) return; // best effort: bounded memory between flushes
    let m = this.pendingTouches.get(userId);
    if (!m) this.pendingTouches.set(userId, (m = new Map()));
    for (const id of ids) {
      const cur = m.get(id);
      if (!cur) this.pendingTouchCount++;
      m.set(id, cur ? { accessedAtMs: Math.max(cur.accessedAtMs, stats.accessedAtMs), accessCount: cur.accessCount + stats.accessCount } : { ...stats });
    }
  }

  /** Applies batched access statistics (best effort: a failure drops them, as the port allows). */
  private async flushTouches(): Promise<void> {
    if (this.pendingTouches.size === 0 || this.initError || !this.initialized) return;
    const batch = [...this.pendingTouches];
    this.pendingTouches.clear();
    this.pendingTouchCount = 0;
    for (const [userId, m] of batch) {
      try {
        const current = await this.get(userId, [...m.keys()], { withVectors: false });
        const ops = current.map((r) => {
          const s = m.get(r.id)!;
          return {
            set_payload: {
              payload: { accessed_at_ms: Math.max(r.accessedAtMs, s.accessedAtMs), access_count: r.accessCount + s.accessCount },
              filter: { must: [{ has_id: [pointId(userId, r.id)] }, { key: 'user_id', match: { value: userId } }] },
            },
          };
        });
        if (ops.length === 0) continue;
        for (const c of this.writeCollections(userId)) {
          await this.transport.call('touch', (init) => this.transport.api.batchUpdate({ collection_name: c, wait: false, operations: ops }, init));
        }
      } catch (e) {
        this.log.debug({ err: (e as Error).message, userId }, 'access statistics dropped');
      }
    }
  }

  // ---------------------------------------------------------------- reads

  /** Runs a read on the user's read collection; a missing collection reads as `empty`. */
  private async read<T>(userId: string, empty: T, fn: (collection: string) => Promise<T>): Promise<T> {
    await this.whenReady();
    const c = this.readCollection(userId);
    if (c !== this.sharedAlias && this.o.tenancy === 'tiered') await this.checkCollection(c);
    try {
      return await fn(c);
    } catch (e) {
      if (!(e instanceof CollectionMissingError)) throw e;
      if (this.o.tenancy === 'per_user') return empty;
      await this.refreshRoutes(true);
      const again = this.readCollection(userId);
      if (again === c) return empty;
      return fn(again);
    }
  }

  async get(userId: string, ids: readonly string[], opts?: StoreCallOptions & { withVectors?: boolean }): Promise<MemoryRecord[]> {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    const points = await this.read<QPoint[]>(userId, [], (c) =>
      this.transport.call<QPoint[]>(
        'retrieve',
        (init) => this.transport.api.getPoints({ collection_name: c, ids: unique.map((id) => pointId(userId, id)), with_payload: true, with_vector: opts?.withVectors ?? true }, init),
        opts?.signal ? { signal: opts.signal } : {},
      ),
    );
    const now = Date.now();
    const byId = new Map<string, MemoryRecord>();
    for (const p of points) {
      const r = fromPoint(userId, p.payload, p.vector);
      if (r && isLive(r, now)) byId.set(r.id, r);
    }
    const out: MemoryRecord[] = [];
    for (const id of ids) {
      const r = byId.get(id);
      if (r) out.push(r);
    }
    return out;
  }

  private queryBody(userId: string, q: VectorQuery, now: number): Schemas['QueryRequest'] {
    return {
      query: Array.from(q.vector),
      filter: tenantFilter(userId, q.filter, now),
      limit: q.k,
      params: {
        hnsw_ef: Math.max(q.ef, q.k),
        exact: q.exact,
        ...(this.o.quantization === 'int8' ? { quantization: { rescore: true, oversampling: this.o.oversampling } } : {}),
      },
      with_payload: true,
      with_vector: q.withVectors ?? true,
      ...(q.minSimilarity !== undefined ? { score_threshold: q.minSimilarity } : {}),
    };
  }

  private hits(userId: string, points: QPoint[], minSimilarity: number | undefined): VectorHit[] {
    const out: VectorHit[] = [];
    for (const p of points) {
      const record = fromPoint(userId, p.payload, p.vector);
      if (!record) continue; // never another user's point (the filter guarantees it; this double-checks)
      const similarity = p.score ?? 0;
      if (minSimilarity !== undefined && similarity < minSimilarity) continue;
      out.push({ record, similarity });
    }
    return out;
  }

  async search(userId: string, q: VectorQuery, opts?: StoreCallOptions): Promise<VectorHit[]> {
    const now = Date.now();
    const res = await this.read<{ points: QPoint[] }>(userId, { points: [] }, (c) =>
      this.transport.call<{ points: QPoint[] }>(
        'query',
        (init) => this.transport.api.queryPoints({ collection_name: c, ...this.queryBody(userId, q, now) }, init),
        opts?.signal ? { signal: opts.signal } : {},
      ),
    );
    return this.hits(userId, res.points, q.minSimilarity);
  }

  /** Both searches in one query-batch round trip; fusion happens in the engine, which needs each list whole. */
  async searchHybrid(userId: string, q: HybridQuery, opts?: StoreCallOptions): Promise<HybridHits> {
    const now = Date.now();
    const searches: Schemas['QueryRequest'][] = [];
    // A query without terms (only stop words, say) matches nothing: it is not sent.
    const kq = q.keyword && q.keyword.vector.indices.length > 0 && q.keyword.k > 0 ? q.keyword : undefined;
    if (q.dense) searches.push(this.queryBody(userId, q.dense, now));
    if (kq)
      searches.push({
        query: sparseOut(kq.vector),
        using: KEYWORD_VECTOR,
        filter: tenantFilter(userId, kq.filter, now),
        limit: kq.k,
        with_payload: true,
        with_vector: kq.withVectors ?? true,
      });
    if (searches.length === 0) return { dense: [], keyword: [] };
    const res = await this.queryBatch(userId, searches, opts?.signal);
    const dense = q.dense ? this.hits(userId, res[0]!.points, q.dense.minSimilarity) : [];
    const keyword: KeywordHit[] = [];
    if (kq) {
      for (const p of res[q.dense ? 1 : 0]!.points) {
        const record = fromPoint(userId, p.payload, p.vector);
        if (record) keyword.push({ record, score: p.score ?? 0 });
      }
    }
    return { dense, keyword };
  }

  /** Memory collections this deployment owns (the shared one by its physical name), for sweeps over all users. */
  private async ownCollections(): Promise<string[]> {
    const r = await this.transport.call<{ collections: { name: string }[] }>('collections', (init) => this.transport.api.getCollections({}, init));
    return r.collections.map((c) => c.name).filter((n) => n.startsWith(`${this.base}_`) && n !== this.routingCollection);
  }

  /** Every user with points: the tenant index's distinct values, in the shared collection and each dedicated one. */
  async users(opts?: StoreCallOptions): Promise<string[]> {
    await this.whenReady();
    const out = new Set<string>();
    for (const c of await this.ownCollections()) {
      const r = await this.transport.call<{ hits: { value: unknown; count: number }[] }>(
        'facet',
        (init) => this.transport.api.facet({ collection_name: c, key: 'user_id', limit: MAX_FACET_USERS, exact: true }, init),
        opts?.signal ? { signal: opts.signal } : {},
      );
      for (const h of r.hits) if (typeof h.value === 'string' && h.count > 0) out.add(h.value);
    }
    return [...out];
  }

  async withoutKeywords(limit: number, opts?: StoreCallOptions): Promise<{ userId: string; memories: MemoryMeta[] }[]> {
    await this.whenReady();
    const byUser = new Map<string, MemoryMeta[]>();
    let left = limit;
    for (const c of await this.ownCollections()) {
      if (left <= 0) break;
      await this.checkCollection(c);
      const page = await this.transport.call<QdrantScrollPage>(
        'scroll',
        (init) => this.transport.api.scrollPoints({ collection_name: c, filter: { must_not: [{ has_vector: KEYWORD_VECTOR }] }, limit: left, with_payload: true, with_vector: false }, init),
        opts?.signal ? { signal: opts.signal } : {},
      );
      for (const p of page.points) {
        const userId = p.payload?.user_id;
        if (typeof userId !== 'string') continue;
        // A shared-collection point of a user promoted meanwhile is the dedicated copy's business.
        const reads = this.readCollection(userId);
        if (c.startsWith(`${this.base}_u_`) ? reads !== c : reads !== this.sharedAlias) continue;
        const r = fromPoint(userId, p.payload, undefined);
        if (!r) continue;
        let list = byUser.get(userId);
        if (!list) byUser.set(userId, (list = []));
        list.push(r);
        left--;
      }
    }
    return [...byUser.entries()].map(([userId, memories]) => ({ userId, memories }));
  }

  /**
   * Sets fields through the user's write route, each guarded by the memory's version in Qdrant
   * itself (the keyword vector by update_filter, payload fields by a filter on id and version),
   * so a memory rewritten meanwhile keeps what that write gave it and a deleted one stays gone.
   * Payload-only updates of a memory gone meanwhile cannot be told apart: they are counted as set.
   */
  async setFields(userId: string, items: readonly FieldUpdate[], opts?: StoreCallOptions): Promise<number> {
    if (items.length === 0) return 0;
    const ops = (xs: readonly FieldUpdate[]) =>
      xs.flatMap((it) => {
        const id = pointId(userId, it.id);
        const version = { key: 'version', match: { value: it.version } };
        const payload = { ...(it.importance !== undefined ? { importance: it.importance } : {}), ...(it.storedContent !== undefined ? { content: it.storedContent } : {}) };
        return [
          ...(it.keywords ? [{ update_vectors: { points: [{ id, vector: { [KEYWORD_VECTOR]: sparseOut(it.keywords) } }], update_filter: { must: [version] } } }] : []),
          ...(Object.keys(payload).length > 0 ? [{ set_payload: { payload, filter: { must: [{ has_id: [id] }, version] } } }] : []),
        ];
      });
    const run = (c: string, xs: readonly FieldUpdate[]) =>
      this.transport.call('set_fields', (init) => this.transport.api.batchUpdate({ collection_name: c, wait: true, operations: ops(xs) }, init), opts?.signal ? { signal: opts.signal } : {});
    // Qdrant answers an update of a point that is gone with a 404, like a missing collection.
    const pointGone = (e: unknown) => e instanceof CollectionMissingError && /no point with id/i.test(e.message);
    let set = items.length;
    await this.writeTo(userId, async (c) => {
      try {
        await run(c, items);
      } catch (e) {
        if (!pointGone(e)) throw e;
        // A memory deleted since it was read fails the whole batch: set the others one by one.
        set = items.length;
        for (const it of items)
          await run(c, [it]).catch((err: unknown) => {
            if (!pointGone(err)) throw err;
            set--;
          });
      }
    });
    return set;
  }

  async searchBatch(userId: string, queries: VectorQuery[], opts?: StoreCallOptions): Promise<VectorHit[][]> {
    if (queries.length === 0) return [];
    const now = Date.now();
    const res = await this.queryBatch(
      userId,
      queries.map((q) => this.queryBody(userId, q, now)),
      opts?.signal,
    );
    return res.map((r, i) => this.hits(userId, r.points, queries[i]!.minSimilarity));
  }

  /** Several queries in one round trip, in the collection the user reads from (empty results when it has none). */
  private queryBatch(userId: string, searches: Schemas['QueryRequest'][], signal: AbortSignal | undefined): Promise<{ points: QPoint[] }[]> {
    return this.read<{ points: QPoint[] }[]>(
      userId,
      searches.map(() => ({ points: [] })),
      (c) => this.transport.call<{ points: QPoint[] }[]>('query_batch', (init) => this.transport.api.queryBatchPoints({ collection_name: c, searches }, init), signal ? { signal } : {}),
    );
  }

  async count(userId: string, filter?: MemoryFilter, opts?: StoreCallOptions): Promise<number> {
    const r = await this.read<{ count: number }>(userId, { count: 0 }, (c) =>
      this.transport.call<{ count: number }>(
        'count',
        (init) => this.transport.api.countPoints({ collection_name: c, filter: tenantFilter(userId, filter, Date.now()), exact: true }, init),
        opts?.signal ? { signal: opts.signal } : {},
      ),
    );
    return r.count;
  }

  /** Every point matching `filter` in pages (point-id order), payload only or with vectors. */
  private async *scrollAll(collection: string, filter: QFilter, withVector: boolean, signal?: AbortSignal, pageSize = 1000): AsyncGenerator<QPoint[]> {
    let offset: ScrollOffset | undefined;
    for (let guard = 0; guard < 1_000_000; guard++) {
      let page: QdrantScrollPage;
      try {
        page = await this.transport.call(
          'scroll',
          (init) =>
            this.transport.api.scrollPoints({ collection_name: collection, filter, limit: pageSize, with_payload: true, with_vector: withVector, ...(offset !== undefined ? { offset } : {}) }, init),
          signal ? { signal } : {},
        );
      } catch (e) {
        if (e instanceof CollectionMissingError && this.o.tenancy === 'per_user') return;
        throw e;
      }
      yield page.points;
      if (page.next_page_offset === undefined || page.next_page_offset === null) return;
      offset = page.next_page_offset;
    }
  }

  /** Every live memory of the user created at exactly `t`, by id. */
  private async allAt(userId: string, collection: string, filter: MemoryFilter | undefined, t: number, now: number, withVectors: boolean, signal?: AbortSignal): Promise<MemoryRecord[]> {
    const out: MemoryRecord[] = [];
    const f = tenantFilter(userId, filter, now, [{ key: 'created_at_ms', range: { gte: t, lte: t } }]);
    for await (const page of this.scrollAll(collection, f, withVectors, signal)) {
      for (const p of page) {
        const r = fromPoint(userId, p.payload, p.vector);
        if (r) out.push(r);
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * A page in (created_at, id) order. Qdrant orders by created_at only, so the group of memories
   * sharing the page's last timestamp is fetched whole and ordered by id here; a cursor inside a
   * group continues within it first.
   */
  async scroll(userId: string, o: ScrollOptions & StoreCallOptions): Promise<ScrollPage> {
    return this.read<ScrollPage>(userId, { records: [] }, async (c) => {
      const now = o.includeExpired ? 0 : Date.now();
      const desc = o.newestFirst;
      const withVectors = o.withVectors ?? true;
      const byOrder = (a: MemoryRecord, b: MemoryRecord) => {
        const d = a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        return desc ? -d : d;
      };
      const out: MemoryRecord[] = [];
      const extra: QCondition[] = [];
      if (o.after) {
        const after = o.after;
        const group = await this.allAt(userId, c, o.filter, after.createdAtMs, now, withVectors, o.signal);
        const rest = desc ? group.filter((r) => r.id < after.id).reverse() : group.filter((r) => r.id > after.id);
        out.push(...rest.slice(0, o.limit));
        if (out.length >= o.limit) return { records: out, next: cursorOf(out[out.length - 1]!) };
        extra.push({ key: 'created_at_ms', range: desc ? { lt: after.createdAtMs } : { gt: after.createdAtMs } });
      }
      const want = o.limit - out.length;
      const page = await this.transport.call<{ points: QPoint[] }>(
        'scroll',
        (init) =>
          this.transport.api.scrollPoints(
            {
              collection_name: c,
              filter: tenantFilter(userId, o.filter, now, extra),
              limit: want,
              with_payload: true,
              with_vector: withVectors,
              order_by: { key: 'created_at_ms', direction: desc ? 'desc' : 'asc' },
            },
            init,
          ),
        o.signal ? { signal: o.signal } : {},
      );
      let recs = page.points.map((p) => fromPoint(userId, p.payload, p.vector)).filter((r): r is MemoryRecord => r !== undefined);
      const full = page.points.length >= want;
      if (full && recs.length > 0) {
        const tLast = recs[recs.length - 1]!.createdAtMs;
        const group = await this.allAt(userId, c, o.filter, tLast, now, withVectors, o.signal);
        recs = [...recs.filter((r) => r.createdAtMs !== tLast), ...group];
      }
      recs.sort(byOrder);
      out.push(...recs.slice(0, want));
      return full && out.length > 0 ? { records: out, next: cursorOf(out[out.length - 1]!) } : { records: out };
    });
  }

  /**
   * The kNN graph by the collection's index: batches of queries, each memory's own vector
   * against the user's memories (the tenant filter as always), its k+1 nearest minus itself.
   */
  async neighborGraph(userId: string, ids: readonly string[], vectors: Float32Array, k: number, opts?: NeighborGraphOptions): Promise<NeighborGraph> {
    const n = ids.length;
    const d = this.dimensions;
    const neighbors = new Int32Array(n * k).fill(-1);
    const similarities = new Float32Array(n * k);
    const pos = new Map<string, number>();
    ids.forEach((id, i) => pos.set(id, i));
    const filter = tenantFilter(userId, undefined, Date.now());
    const ef = Math.max(64, 2 * (k + 1));
    const CHUNK = 128;
    const chunks = Math.ceil(n / CHUNK);
    let next = 0;
    const worker = async () => {
      for (let c = next++; c < chunks; c = next++) {
        throwIfAborted(opts?.signal);
        await opts?.pace?.();
        const from = c * CHUNK;
        const to = Math.min(n, from + CHUNK);
        const searches: Schemas['QueryRequest'][] = [];
        for (let i = from; i < to; i++) {
          searches.push({
            query: Array.from(vectors.subarray(i * d, (i + 1) * d)),
            filter,
            limit: k + 1,
            params: { hnsw_ef: ef, exact: false },
            with_payload: { include: ['memory_id'] },
            with_vector: false,
          });
        }
        const res = await this.queryBatch(userId, searches, opts?.signal);
        res.forEach((r, x) => {
          const i = from + x;
          let j = 0;
          for (const p of r.points) {
            if (j === k) break;
            const t = pos.get(String(p.payload?.memory_id ?? ''));
            if (t === undefined || t === i) continue;
            neighbors[i * k + j] = t;
            similarities[i * k + j] = p.score ?? 0;
            j++;
          }
        });
      }
    };
    await Promise.all([worker(), worker()]);
    return { k, neighbors, similarities };
  }

  // ---------------------------------------------------------------- promotion

  private profileOf(userId: string): string {
    return this.o.userProfiles[userId] ?? this.o.defaultProfile;
  }

  /** Counts a user's writes; past the check interval, checks (in the background) whether to promote. */
  private noteWrites(userId: string, n: number): void {
    if (this.o.tenancy !== 'tiered' || this.route(userId) || this.closed) return;
    const seen = this.writesSinceCheck.get(userId);
    const total = (seen ?? 0) + n;
    const every = Math.max(1, Math.min(1000, Math.floor(this.o.promoteAt / 20)));
    if (seen !== undefined && total < every) {
      this.writesSinceCheck.set(userId, total);
      return;
    }
    this.writesSinceCheck.set(userId, 0);
    if (this.countChecks.has(userId)) return;
    this.countChecks.add(userId);
    void this.count(userId)
      .then((count) => {
        if (count >= this.o.promoteAt && !this.route(userId)) return this.promote(userId);
        return undefined;
      })
      .catch((e: Error) => this.log.warn({ err: e.message, userId }, 'promotion check failed'))
      .finally(() => this.countChecks.delete(userId));
  }

  /**
   * Moves a user to a dedicated collection (or finishes an interrupted move). Promotions run one
   * at a time; reads never miss or duplicate a memory meanwhile.
   */
  promote(userId: string, profile?: string): Promise<void> {
    if (this.o.tenancy !== 'tiered') return Promise.resolve();
    if (profile && !this.o.profiles[profile]) throw new ConfigError('profile', `unknown HNSW profile "${profile}"`);
    const run = this.promotionChain.then(() => this.runPromotion(userId, profile));
    this.promotionChain = run.catch(() => undefined);
    return run;
  }

  private async runPromotion(userId: string, profileName?: string): Promise<void> {
    if (this.closed || this.promoting.has(userId)) return;
    this.promoting.add(userId);
    const t0 = performance.now();
    try {
      await this.whenReady();
      let r = this.route(userId);
      if (r?.state === 'dedicated' && r.cleaned) return;
      const profile = r?.profile ?? profileName ?? this.profileOf(userId);
      const collection = r?.collection ?? this.dedicatedCollection(userId);
      await this.createCollection(collection, 'dedicated', profile);
      await this.checkCollection(collection);
      if (!r) {
        r = { userId, collection, state: 'copying', profile, updatedAtMs: 0, cleaned: false };
        await this.saveRoute(r);
        await this.settle(userId);
      }
      let copied = 0;
      if (r.state === 'copying') {
        copied = await this.copyAndReconcile(r);
        r = { ...r, state: 'switched' };
        await this.saveRoute(r);
        await this.settle(userId);
      }
      if (r.state === 'switched') {
        r = { ...r, state: 'dedicated' };
        await this.saveRoute(r);
        await this.settle(userId);
      }
      this.assertStillPromoting(userId);
      await this.transport.call('delete', (init) => this.transport.api.deletePoints({ collection_name: this.sharedAlias, wait: true, filter: allOfUser(userId) }, init));
      await this.saveRoute({ ...r, cleaned: true });
      this.o.metrics?.qdrantPromotions.inc({ outcome: 'ok' });
      this.log.info({ userId, collection, profile, copied, ms: Math.round(performance.now() - t0) }, 'user promoted to a dedicated qdrant collection');
    } catch (e) {
      this.o.metrics?.qdrantPromotions.inc({ outcome: 'failed' });
      this.log.warn({ userId, err: (e as Error).message }, 'promotion interrupted; it resumes later');
      throw e;
    } finally {
      this.promoting.delete(userId);
    }
  }

  private assertStillPromoting(userId: string): void {
    if (this.closed) throw new UnavailableError('store closing');
    if (!this.route(userId)) throw new UnavailableError('user dropped during promotion');
  }

  /** Waits until no write that saw the previous route is in flight, here or elsewhere. */
  private async settle(userId: string): Promise<void> {
    await this.drainWrites(userId);
    if (this.o.promotionGraceMs > 0) await sleep(this.o.promotionGraceMs);
    await this.drainWrites(userId);
  }

  private async copyAndReconcile(r: Route): Promise<number> {
    const { userId, collection } = r;
    let copied = 0;
    let lastBeat = Date.now();
    for await (const page of this.scrollAll(this.sharedAlias, allOfUser(userId), true, undefined, this.o.promotionBatch)) {
      this.assertStillPromoting(userId);
      const points: Schemas['PointStruct'][] = [];
      for (const p of page) {
        const vector = pointVectors(p.vector);
        if (p.payload?.user_id !== userId) continue;
        // Never copy a point short: the promotion step fails and is retried instead.
        if (!vector) throw new UnavailableError(`qdrant returned point ${String(p.id)} without its vector while promoting ${userId}`);
        points.push({ id: p.id, vector, payload: p.payload });
      }
      // insert_only: a point written meanwhile (to both collections) is newer than this copy.
      if (points.length > 0) await this.upsertPoints(collection, points, undefined, true);
      copied += points.length;
      if (Date.now() - lastBeat > 5000) {
        await this.saveRoute(r);
        lastBeat = Date.now();
      }
    }
    // A point deleted between being read and being copied was resurrected: remove it again.
    for await (const page of this.scrollAll(collection, allOfUser(userId), false, undefined, this.o.promotionBatch)) {
      this.assertStillPromoting(userId);
      const ids = page.map((p) => p.id);
      const present = await this.transport.call<QPoint[]>('retrieve', (init) =>
        this.transport.api.getPoints({ collection_name: this.sharedAlias, ids, with_payload: false, with_vector: false }, init),
      );
      const have = new Set(present.map((p) => String(p.id)));
      const gone = ids.filter((id) => !have.has(String(id))).map(String);
      if (gone.length > 0) await this.deletePoints(collection, gone);
    }
    return copied;
  }
}

function cursorOf(r: MemoryRecord): ScrollCursor {
  return { createdAtMs: r.createdAtMs, id: r.id };
}

function indexParams(schema: (typeof INDEXED_FIELDS)[number]['schema']): Schemas['PayloadFieldSchema'] {
  return schema === 'integer' ? { type: 'integer', lookup: false, range: true, enable_hnsw: false } : { type: schema, enable_hnsw: false };
}
