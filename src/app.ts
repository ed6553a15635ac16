/**
 * The service as one object with a documented lifecycle:
 *   starting → serving → draining → stopped
 * `start()` builds every part from the config with plain constructors (optional backends only
 * when configured). `close()` is idempotent (same promise), keeps going past a failed step, and
 * closes in order: health NOT_SERVING and new calls refused, drain calls (grace, then cancel),
 * close the HTTP port, stop precompute, flush and close the stores (a bounded final
 * checkpoint), close Redis, and last the gRPC port, so health checks see NOT_SERVING throughout.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ClusterRunner } from './clusters/cluster-runner.js';
import { authEnabled, type Config } from './config.js';
import { ContextAssembler } from './context/assembler.js';
import { contextOptions, poolOptions } from './context/from-config.js';
import { CandidatePools } from './context/pools.js';
import { TokenCounter } from './context/tokenizer.js';
import { CacheCoherence } from './engine/cache/coherence.js';
import { cacheTtls, redisTierOptions, similarQueries } from './engine/cache/from-config.js';
import { L1Cache } from './engine/cache/l1-cache.js';
import type { RedisTier } from './engine/cache/redis/index.js';
import { TieredCache } from './engine/cache/tiered-cache.js';
import { EmbeddingService } from './engine/embed/embedding-service.js';
import { buildEmbedder } from './engine/embed/from-config.js';
import { engineOptions } from './engine/engine-options.js';
import { keywordEncoder } from './engine/keywords/from-config.js';
import { KeywordBackfill } from './engine/keyword-backfill.js';
import { lockKey, MemoryEngine, type MemoryObserver } from './engine/memory-engine.js';
import { Archive } from './engine/archive/archive.js';
import { buildColdStore } from './engine/archive/from-config.js';
import type { ColdStore } from './engine/archive/cold-store.js';
import { KeyedMutex } from './engine/keyed-mutex.js';
import { Transfer } from './engine/transfer/transfer.js';
import { allObservers } from './engine/observers.js';
import { nearestIn } from './engine/nearest.js';
import { buildVectorStore } from './engine/vector/from-config.js';
import type { VectorStore } from './engine/vector/vector-store.js';
import { openMetadata } from './metadata/open.js';
import { SqlMetadataStore } from './metadata/sql-metadata-store.js';
import { LoadMonitor } from './observability/load-monitor.js';
import { Metrics } from './observability/metrics.js';
import { buildSummarizer, precomputeOptions } from './precompute/from-config.js';
import type { Clock } from './precompute/clock.js';
import { PrecomputeService } from './precompute/index.js';
import { ApiKeyAuthenticator } from './server/auth.js';
import { GrpcServer } from './server/grpc-server.js';
import { CACHE_KINDS } from './engine/cache/codecs.js';
import { JOB_KINDS, MAINTENANCE_KINDS } from './precompute/scheduler.js';
import { HttpServer } from './server/http-server.js';

/** The store's files are walked for the disk gauges at most this often. */
const DISK_USAGE_EVERY_MS = 60_000;

export type LifecycleState = 'starting' | 'serving' | 'draining' | 'stopped';

export class App {
  state: LifecycleState = 'starting';
  readonly metrics = new Metrics();
  private grpc: GrpcServer | undefined;
  private http: HttpServer | undefined;
  private store: VectorStore | undefined;
  private metadata: SqlMetadataStore | undefined;
  private l1: L1Cache | undefined;
  private l2: RedisTier | undefined;
  private runner: ClusterRunner | undefined;
  private keywordBackfill: KeywordBackfill | undefined;
  private cold: ColdStore | undefined;
  private readonly loadMonitor = new LoadMonitor(
    () => this.grpc?.startedCount() ?? 0,
    () => this.grpc?.occupiedTimeMs() ?? 0,
  );
  precompute: PrecomputeService | undefined;
  context: ContextAssembler | undefined;
  private closing: Promise<void> | undefined;
  private diskUsageAt = 0;
  engine: MemoryEngine | undefined;
  grpcPort = 0;
  httpPort = 0;
  startedInMs = 0;

  /**
   * `shared` injects an already-open vector store and metadata store (several instances over one
   * backend, as with Qdrant and Postgres); this App then neither opens nor closes them.
   */
  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly shared?: { store: VectorStore; metadata: SqlMetadataStore },
    /** `clock`: the time background work (precompute, maintenance) sees; tests drive a ManualClock. */
    private readonly inject: { clock?: Clock } = {},
  ) {}

  async start(): Promise<this> {
    const t0 = performance.now();
    const c = this.config;
    const dataDir = resolve(c.dataDir);
    try {
      const embedder = buildEmbedder(c);
      const modelId = embedder?.modelId ?? `client-vectors-${c.embeddingDimensions}`;
      this.l1 = new L1Cache({ maxBytes: c.cacheMaxBytes, metrics: this.metrics });
      this.store = this.shared?.store ?? (await buildVectorStore(c, modelId, dataDir, this.log.child({ component: 'vector-store' }), this.metrics));
      // No false zeros: a part this deployment does not have exports nothing.
      if (!this.store.diskUsage) this.metrics.withoutSeriesOf('embeddedStore');
      if (!c.qdrantUrl) this.metrics.withoutSeriesOf('qdrant');
      if (!c.redisUrl) this.metrics.withoutSeriesOf('redis');
      if (this.shared) {
        this.metadata = this.shared.metadata;
      } else {
        // The store loads its partitions while the metadata database starts (PGlite's worker
        // compiles its WebAssembly: ~0.5 s); each takes its own directory lock first.
        const storeOpened = this.store.open();
        storeOpened.catch(() => undefined); // awaited below; if openMetadata fails first, close() closes the store
        this.metadata = await openMetadata(c, dataDir, this.log.child({ component: 'metadata' }));
        await Promise.all([storeOpened, this.metadata.open()]);
      }
      if (c.redisUrl) {
        const { RedisTier } = await import('./engine/cache/redis/index.js'); // ioredis only when configured
        this.l2 = new RedisTier(redisTierOptions(c), this.metrics, this.log.child({ component: 'redis' }));
        await this.l2.connect();
      }
      const cache = new TieredCache(this.l1, this.l2, this.metrics, cacheTtls(c));
      const embeddings = embedder ? new EmbeddingService(embedder, cache, this.metrics, { batchMax: c.embedBatchMax, batchWaitMs: c.embedBatchWaitMs, maxInflight: c.embedMaxInflight }) : undefined;
      const coherence = new CacheCoherence(this.l1, this.l2);
      const locks = new KeyedMutex();
      // Precompute and context pools observe the engine, the archive and imports alike; they join once built.
      const observers: MemoryObserver[] = [];
      const observer = allObservers(observers);
      this.cold = await buildColdStore(c, this.metadata.archive);
      await this.cold.open();
      const archive = new Archive({
        store: this.store,
        cold: this.cold,
        metadata: this.metadata,
        coherence,
        locks,
        lockKey,
        observer,
      });
      this.runner = new ClusterRunner();
      this.precompute = new PrecomputeService(
        {
          store: this.store,
          nearest: nearestIn(this.store),
          metadata: this.metadata,
          cache,
          coherence,
          runner: this.runner,
          llm: buildSummarizer(c),
          metrics: this.metrics,
          log: this.log.child({ component: 'precompute' }),
          engine: () => this.engine!,
          archive,
        },
        precomputeOptions(c, this.loadMonitor, this.inject.clock),
      );
      const engineOpts = engineOptions(c, embedder !== undefined);
      const keywords = keywordEncoder(c);
      this.keywordBackfill = new KeywordBackfill(
        { store: this.store, keywords, indexText: engineOpts.indexText, coherence, metrics: this.metrics, log: this.log.child({ component: 'keyword-backfill' }) },
        { batch: c.keywordBackfillBatch, pauseMs: 20 },
      );
      const pools = new CandidatePools({ store: this.store, cache, coherence, metrics: this.metrics }, poolOptions(c));
      observers.push(this.precompute.triggers, pools.observer);
      this.engine = new MemoryEngine(
        {
          store: this.store,
          metadata: this.metadata,
          embeddings,
          cache,
          coherence,
          metrics: this.metrics,
          observer,
          router: this.precompute.router,
          keywords,
          locks,
          archive,
          similarQueries: similarQueries(c, this.l1),
        },
        engineOpts,
      );
      this.context = new ContextAssembler(
        {
          engine: this.engine,
          store: this.store,
          cache,
          coherence,
          reads: this.precompute.reads,
          pools,
          counter: new TokenCounter(c.contextTokenizer),
          metrics: this.metrics,
          log: this.log.child({ component: 'context' }),
          busy: () => this.loadMonitor.busy(c.precomputeYieldRps, c.precomputeYieldOccupancy),
        },
        contextOptions(c, engineOpts.limits),
      );
      const auth = authEnabled(c) ? new ApiKeyAuthenticator(this.metadata, c.authCacheTtlMs) : undefined;
      this.grpc = new GrpcServer({
        engine: this.engine,
        metrics: this.metrics,
        log: this.log.child({ component: 'grpc' }),
        maxMessageBytes: c.maxMessageBytes,
        ...(auth ? { auth } : {}),
        precompute: this.precompute,
        context: this.context,
        transfer: new Transfer(
          {
            store: this.store,
            metadata: this.metadata,
            embeddings,
            keywords,
            indexText: engineOpts.indexText,
            coherence,
            locks,
            lockKey,
            archive,
            written: (u, records) => observer.written(u, records),
          },
          { limits: engineOpts.limits },
        ),
      });
      this.metrics.initialiseLabels({ grpcMethods: this.grpc.methodNames, cacheKinds: CACHE_KINDS, runKinds: [...JOB_KINDS, ...MAINTENANCE_KINDS] });
      this.http = new HttpServer(
        {
          live: () => this.state !== 'stopped',
          ready: () => this.ready(),
          registry: this.metrics.registry,
          beforeScrape: () => this.refreshGauges(),
        },
        this.log,
      );
      this.grpcPort = await this.grpc.listen(c.grpcAddress);
      this.httpPort = await this.http.listen(c.httpAddress);
      this.grpc.setServing(true);
      this.loadMonitor.start();
      this.precompute.start();
      void this.keywordBackfill.start();
      this.state = 'serving';
      this.startedInMs = performance.now() - t0;
      this.log.info(
        {
          grpcPort: this.grpcPort,
          httpPort: this.httpPort,
          startedInMs: Math.round(this.startedInMs),
          store: this.store.kind,
          storeStats: this.store.stats(),
          embedder: modelId,
          metadata: this.metadata.kind,
          l2: this.l2 ? 'redis' : 'off',
          auth: auth !== undefined,
        },
        'serving',
      );
      return this;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async ready(): Promise<void> {
    if (this.state !== 'serving') throw new Error(`state is ${this.state}`);
    await Promise.all([this.store!.ready(), this.metadata!.ready()]);
  }

  private async refreshGauges(): Promise<void> {
    this.l1?.updateGauges();
    const up = (check: Promise<void> | undefined) =>
      (check ?? Promise.reject(new Error('not open'))).then(
        () => 1,
        () => 0,
      );
    const [store, metadata] = await Promise.all([up(this.store?.ready()), up(this.metadata?.ready())]);
    this.metrics.backendUp.set({ backend: 'vector_store' }, store);
    this.metrics.backendUp.set({ backend: 'metadata' }, metadata);
    const pool = this.metadata?.pool();
    if (pool) for (const [state, n] of Object.entries(pool)) this.metrics.metadataPool.set({ state }, n);
    const l2 = await this.l2?.stats();
    if (l2) {
      this.metrics.redisServerKeys.set(l2.keys);
      this.metrics.redisServerBytes.set(l2.bytes);
      this.metrics.redisServerEvicted.set(l2.evicted);
    }
    const s = this.store?.stats();
    if (s?.memories !== undefined) this.metrics.storeMemories.set(s.memories);
    if (s?.unindexed !== undefined) this.metrics.storeUnindexed.set(s.unindexed);
    if (s?.partitions !== undefined) this.metrics.storePartitions.set(s.partitions);
    if (s?.indexBuildOldestSeconds !== undefined) this.metrics.indexBuildOldest.set(s.indexBuildOldestSeconds);
    // Walking the store's files costs a stat per file: at most once a minute.
    if (this.store?.diskUsage && Date.now() - this.diskUsageAt >= DISK_USAGE_EVERY_MS) {
      this.diskUsageAt = Date.now();
      for (const [part, bytes] of Object.entries(await this.store.diskUsage())) this.metrics.storeBytes.set({ part }, bytes);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'draining';
      const step = async (name: string, f: () => Promise<void> | undefined) => {
        try {
          await f();
        } catch (err) {
          this.log.error({ err, step: name }, 'shutdown step failed; continuing');
        }
      };
      await step('grpc', () => this.grpc?.drain(this.config.shutdownGraceMs));
      await step('http', () => this.http?.close());
      await step('context prefetch', () => this.context?.close());
      await step('precompute', () => this.precompute?.close());
      await step('keyword backfill', () => this.keywordBackfill?.close());
      this.loadMonitor.stop();
      await step('cluster worker', () => this.runner?.close());
      if (!this.shared) {
        await step('vector-store', () => this.store?.close());
        await step('metadata', () => this.metadata?.close());
      }
      await step('redis', () => this.l2?.close());
      this.l1?.close();
      this.cold?.close();
      await step('grpc port', () => this.grpc?.stop());
      this.state = 'stopped';
      this.log.info('stopped');
    })();
    return this.closing;
  }
}
