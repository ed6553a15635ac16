/** The service's Prometheus registry. One instance per service, built by the composition root. */
import { status } from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Request latencies (seconds): an edge at every SLO threshold the alert rules use (5, 10, 25, 50,
 * 75, 100, 150, 200, 250, 300, 500 ms, 1 s), so a p95 of 120 ms reads as 100-150 ms, not 100-250.
 */
export const SLO_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, 5];
/** Context assembly latencies (seconds): fine below 2 ms (the first chunk) and at every SLO edge. */
const CONTEXT_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5];
/** Steps of a search: embedding the query, cache lookups, the store's query, ranking. */
export const SEARCH_STEPS = ['embed', 'cache', 'store_query', 'rank'] as const;
export type SearchStep = (typeof SEARCH_STEPS)[number];
/** Every gRPC status name (grpc-js's enum, its string keys), for zero-initialised request counters. */
const GRPC_CODES = Object.keys(status).filter((k) => Number.isNaN(Number(k)));
const RUN_OUTCOMES = ['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'];

/** The series only a deployment with that part can fill. */
const SERIES_OF_PART = {
  embeddedStore: [
    'memory_store_memories',
    'memory_store_unindexed_slots',
    'memory_store_partitions',
    'memory_store_disk_bytes',
    'memory_index_build_duration_seconds',
    'memory_index_build_oldest_seconds',
  ],
  redis: ['memory_redis_server_keys', 'memory_redis_server_used_memory_bytes', 'memory_redis_server_evicted_keys', 'memory_cache_l2_breaker_state'],
  qdrant: ['memory_qdrant_requests_total', 'memory_qdrant_request_duration_seconds', 'memory_qdrant_retries_total', 'memory_qdrant_promotions_total', 'memory_qdrant_dedicated_users'],
} as const;

/** The label values known when the service starts: every series of them is exported from the start, at 0. */
export interface KnownLabels {
  grpcMethods: readonly string[];
  cacheKinds: readonly string[];
  runKinds: readonly string[];
}

export class Metrics {
  readonly registry = new Registry();
  readonly grpcRequests = new Counter({ name: 'memory_grpc_requests_total', help: 'gRPC calls by method and status code', labelNames: ['method', 'code'], registers: [this.registry] });
  readonly grpcDuration = new Histogram({
    name: 'memory_grpc_request_duration_seconds',
    help: 'gRPC call latency by method',
    labelNames: ['method'],
    buckets: SLO_BUCKETS,
    registers: [this.registry],
  });
  readonly searchDuration = new Histogram({
    name: 'memory_search_duration_seconds',
    help: 'Search latency inside the service by the tier that served it (l1, l2, l3)',
    labelNames: ['tier'],
    buckets: SLO_BUCKETS,
    registers: [this.registry],
  });
  readonly searchStepDuration = new Histogram({
    name: 'memory_search_step_duration_seconds',
    help: 'time of one step of a search: embed (the query), cache (lookups), store_query (the vector and keyword query), rank',
    labelNames: ['step'],
    buckets: SLO_BUCKETS,
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({ name: 'memory_cache_hits_total', help: 'cache hits by tier and kind', labelNames: ['tier', 'kind'], registers: [this.registry] });
  readonly cacheMisses = new Counter({ name: 'memory_cache_misses_total', help: 'cache misses by tier and kind', labelNames: ['tier', 'kind'], registers: [this.registry] });
  readonly cacheEvictions = new Counter({
    name: 'memory_cache_evictions_total',
    help: 'cache entries removed before anyone deleted them, by tier and reason (size: pushed out by newer entries; ttl: expired)',
    labelNames: ['tier', 'reason'],
    registers: [this.registry],
  });
  readonly cacheBytes = new Gauge({ name: 'memory_cache_size_bytes', help: 'bytes held by a cache tier', labelNames: ['tier'], registers: [this.registry] });
  readonly cacheEntries = new Gauge({ name: 'memory_cache_entries', help: 'entries held by a cache tier', labelNames: ['tier'], registers: [this.registry] });
  readonly singleFlightCoalesced = new Counter({
    name: 'memory_cache_single_flight_coalesced_total',
    help: 'cache misses that waited for an identical in-flight load instead of making their own',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly invalidationsSent = new Counter({ name: 'memory_cache_invalidations_sent_total', help: 'strong invalidations published to other instances', registers: [this.registry] });
  readonly invalidationsReceived = new Counter({ name: 'memory_cache_invalidations_received_total', help: 'strong invalidations received from other instances', registers: [this.registry] });
  readonly invalidationPropagation = new Histogram({
    name: 'memory_cache_invalidation_propagation_seconds',
    help: 'time from an invalidation being published to this instance applying it',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  // The Redis server's own figures: the same on every instance that shares it (aggregate with max).
  readonly redisServerKeys = new Gauge({
    name: 'memory_redis_server_keys',
    help: 'keys in the Redis database L2 uses, all users of that Redis included (DBSIZE; Redis-server-wide)',
    registers: [this.registry],
  });
  readonly redisServerBytes = new Gauge({ name: 'memory_redis_server_used_memory_bytes', help: 'memory the Redis server uses (INFO used_memory; Redis-server-wide)', registers: [this.registry] });
  readonly redisServerEvicted = new Gauge({
    name: 'memory_redis_server_evicted_keys',
    help: 'keys the Redis server evicted for memory since it started (INFO evicted_keys; Redis-server-wide)',
    registers: [this.registry],
  });
  readonly breakerState = new Gauge({ name: 'memory_cache_l2_breaker_state', help: 'L2 (Redis) breaker: 0 closed, 1 open (bypassed), 2 half-open (probing)', registers: [this.registry] });
  readonly backendUp = new Gauge({
    name: 'memory_backend_up',
    help: 'whether a backend answered its readiness check at the last scrape (1) or not (0): vector_store (embedded or Qdrant), metadata (PGlite or Postgres)',
    labelNames: ['backend'],
    registers: [this.registry],
  });
  readonly metadataPool = new Gauge({
    name: 'memory_metadata_pool_connections',
    help: 'the Postgres connection pool of the metadata database: total (open), idle, waiting (queries queued for a connection)',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly embedBatchSize = new Histogram({
    name: 'memory_embed_batch_size',
    help: 'texts per provider call after micro-batching',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly embedDuration = new Histogram({
    name: 'memory_embed_duration_seconds',
    help: 'provider embedding call latency',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly memoriesWritten = new Counter({ name: 'memory_memories_written_total', help: 'memories stored (new or replaced)', registers: [this.registry] });
  readonly memoriesDeleted = new Counter({ name: 'memory_memories_deleted_total', help: 'memories deleted', registers: [this.registry] });
  readonly storeMemories = new Gauge({ name: 'memory_store_memories', help: 'live memories in the vector store', registers: [this.registry] });
  readonly storeUnindexed = new Gauge({ name: 'memory_store_unindexed_slots', help: 'memories not yet in their graph (served by exact scan)', registers: [this.registry] });
  readonly storePartitions = new Gauge({ name: 'memory_store_partitions', help: 'user partitions in the vector store', registers: [this.registry] });
  readonly indexBuildDuration = new Histogram({
    name: 'memory_index_build_duration_seconds',
    help: "time a user's graph took to catch up with the memories sent to it (a build or a rebuild after a compaction or a worker restart)",
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600],
    registers: [this.registry],
  });
  readonly indexBuildOldest = new Gauge({
    name: 'memory_index_build_oldest_seconds',
    help: 'how long the oldest index build still in progress has been running (0: every graph has caught up)',
    registers: [this.registry],
  });
  readonly storeBytes = new Gauge({
    name: 'memory_store_disk_bytes',
    help: 'bytes on disk of the embedded vector store by part (vectors: snapshots and rows; graphs: saved HNSW indexes; wal)',
    labelNames: ['part'],
    registers: [this.registry],
  });
  readonly qdrantRequests = new Counter({
    name: 'memory_qdrant_requests_total',
    help: 'Qdrant calls by operation and outcome (ok, missing, unavailable, error, aborted)',
    labelNames: ['op', 'outcome'],
    registers: [this.registry],
  });
  readonly qdrantDuration = new Histogram({
    name: 'memory_qdrant_request_duration_seconds',
    help: 'Qdrant call latency by operation, retries included',
    labelNames: ['op'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly qdrantRetries = new Counter({ name: 'memory_qdrant_retries_total', help: 'Qdrant calls retried after a transient failure', labelNames: ['op'], registers: [this.registry] });
  readonly qdrantPromotions = new Counter({
    name: 'memory_qdrant_promotions_total',
    help: 'users promoted to a dedicated collection, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly qdrantDedicatedUsers = new Gauge({ name: 'memory_qdrant_dedicated_users', help: 'users served from a dedicated collection', registers: [this.registry] });

  readonly precomputeTriggers = new Counter({
    name: 'memory_precompute_triggers_total',
    help: 'precompute triggers by job kind and cause',
    labelNames: ['kind', 'trigger'],
    registers: [this.registry],
  });
  readonly precomputeDropped = new Counter({
    name: 'memory_precompute_triggers_dropped_total',
    help: 'precompute triggers dropped because the queue was full',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly precomputeQueueDepth = new Gauge({ name: 'memory_precompute_queue_depth', help: 'precompute runs waiting to start', registers: [this.registry] });
  readonly precomputeRunning = new Gauge({ name: 'memory_precompute_running', help: 'precompute runs in progress', registers: [this.registry] });
  readonly precomputePaused = new Gauge({
    name: 'memory_precompute_paused',
    help: '1 while an operator has paused background jobs on this instance (PauseBackgroundJobs)',
    registers: [this.registry],
  });
  readonly precomputeRuns = new Counter({ name: 'memory_precompute_runs_total', help: 'precompute runs by job kind and outcome', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  readonly precomputeDuration = new Histogram({
    name: 'memory_precompute_run_duration_seconds',
    help: 'precompute run time by job kind',
    labelNames: ['kind'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly precomputeRemovals = new Counter({
    name: 'memory_precompute_artifacts_pruned_total',
    help: 'precomputed artifacts edited or dropped because a memory they used was removed',
    registers: [this.registry],
  });
  readonly contextSectionDuration = new Histogram({
    name: 'memory_context_section_duration_seconds',
    help: 'time to fetch one section of an assembled context (profile, session, semantic, …)',
    labelNames: ['section'],
    buckets: CONTEXT_BUCKETS,
    registers: [this.registry],
  });
  readonly contextStageDuration = new Histogram({
    name: 'memory_context_stage_duration_seconds',
    help: 'StreamContext: time from the call to each stage being sent',
    labelNames: ['stage'],
    buckets: CONTEXT_BUCKETS,
    registers: [this.registry],
  });
  readonly contextSectionsMissing = new Counter({
    name: 'memory_context_sections_missing_total',
    help: 'sections asked for but left out of a context, by reason (deadline, unavailable, error, not_ready, empty, budget)',
    labelNames: ['section', 'reason'],
    registers: [this.registry],
  });
  readonly contextCacheReads = new Counter({
    name: 'memory_context_cache_reads_total',
    help: 'cached reads of context assembly (profile, topics, pools, semantic search, neighbours) by the tier that served them',
    labelNames: ['source', 'tier'],
    registers: [this.registry],
  });
  readonly contextPrefetch = new Counter({
    name: 'memory_context_prefetch_total',
    help: 'predictive prefetch: loads issued, loads a later request used, rounds skipped because the service was busy',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  readonly keywordBackfill = new Counter({
    name: 'memory_keyword_backfill_total',
    help: 'memories written before the keyword index that the background backfill has indexed',
    registers: [this.registry],
  });
  readonly topicRouted = new Counter({
    name: 'memory_search_topic_routed_total',
    help: "searches answered from one topic's members (outcome: served, fallback)",
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly similarQueries = new Counter({
    name: 'memory_search_similar_query_total',
    help: "semantic query cache lookups after an exact miss (outcome: hit = a similar query's cached result answered; none = no cached query close enough; gone = the close query's result was no longer cached or fresh)",
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Exports every series of the known label values at 0, so rates and ratios exist before the first event. */
  initialiseLabels(k: KnownLabels): void {
    for (const method of k.grpcMethods) {
      for (const code of GRPC_CODES) this.grpcRequests.inc({ method, code }, 0);
      this.grpcDuration.zero({ method });
    }
    for (const tier of ['l1', 'l2', 'l3']) this.searchDuration.zero({ tier });
    for (const step of SEARCH_STEPS) this.searchStepDuration.zero({ step });
    for (const tier of ['l1', 'l2'])
      for (const kind of k.cacheKinds) {
        this.cacheHits.inc({ tier, kind }, 0);
        this.cacheMisses.inc({ tier, kind }, 0);
      }
    for (const reason of ['size', 'ttl']) this.cacheEvictions.inc({ tier: 'l1', reason }, 0);
    for (const kind of k.cacheKinds) this.singleFlightCoalesced.inc({ kind }, 0);
    for (const outcome of ['served', 'fallback']) this.topicRouted.inc({ outcome }, 0);
    for (const outcome of ['hit', 'none', 'gone']) this.similarQueries.inc({ outcome }, 0);
    for (const outcome of ['ok', 'failed']) this.qdrantPromotions.inc({ outcome }, 0);
    for (const kind of k.runKinds) {
      for (const outcome of RUN_OUTCOMES) this.precomputeRuns.inc({ kind, outcome }, 0);
      this.precomputeDuration.zero({ kind });
      this.precomputeDropped.inc({ kind }, 0);
    }
  }

  /**
   * Drops the series of a part this deployment does not have (the embedded store's on Qdrant,
   * Redis's and Qdrant's without them): absent, never a false 0 on a dashboard.
   */
  withoutSeriesOf(part: keyof typeof SERIES_OF_PART): void {
    for (const name of SERIES_OF_PART[part]) this.registry.removeSingleMetric(name);
  }
}
