/**
 * Configuration: one declarative table of environment variables, parsed and validated once at
 * boot (code overrides → environment → defaults). An invalid value stops startup with a
 * ConfigError naming the variable. Nothing else in the service reads the environment.
 */
import { TOKENIZERS, type TokenizerName } from './context/tokenizer.js';
import { QUERY_CLASSES } from './engine/query-class.js';
import { HNSW_PROFILE_NAMES } from './engine/vector/hnsw-profiles.js';
import { ConfigError } from './errors.js';

type Parser<T> = (raw: string, name: string) => T;

interface Spec<T> {
  env: string;
  default: T;
  parse: Parser<T>;
  doc: string;
}

const int =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };

const num =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(name, `expected a number, got "${raw}"`);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };

const str: Parser<string> = (raw) => raw;

const bool: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
};

const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, name) => {
    if ((values as string[]).includes(raw)) return raw as T;
    throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
  };

const hostPort: Parser<string> = (raw, name) => {
  const m = /^(.+):(\d{1,5})$/.exec(raw);
  if (!m || Number(m[2]) > 65535) throw new ConfigError(name, `expected host:port, got "${raw}"`);
  return raw;
};

const url: Parser<string> = (raw, name) => {
  try {
    new URL(raw);
    return raw;
  } catch {
    throw new ConfigError(name, `expected a URL, got "${raw}"`);
  }
};

const optionalUrl: Parser<string> = (raw, name) => (raw === '' ? '' : url(raw, name));

const PROFILE_NAMES = HNSW_PROFILE_NAMES;
const queryClasses: Parser<string[]> = (raw, name) => {
  const out = raw
    .split(',')
    .map((x) => x.trim().toUpperCase())
    .filter(Boolean);
  for (const c of out) if (!(QUERY_CLASSES as string[]).includes(c)) throw new ConfigError(name, `unknown query class "${c}" (one of ${QUERY_CLASSES.join(', ')})`);
  return out;
};

/** `user=profile,user2=profile` → map; profiles from the HNSW table. */
const userProfiles: Parser<Record<string, string>> = (raw, name) => {
  const out: Record<string, string> = {};
  for (const part of raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const i = part.lastIndexOf('=');
    const user = part.slice(0, i).trim();
    const profile = part.slice(i + 1).trim();
    if (i <= 0 || !user) throw new ConfigError(name, `expected user=profile pairs, got "${part}"`);
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) throw new ConfigError(name, `profile of "${user}" must be one of ${PROFILE_NAMES.join(', ')}, got "${profile}"`);
    out[user] = profile;
  }
  return out;
};

/** The table. Keys are the resolved option names; README's configuration table mirrors it. */
export const CONFIG_SPEC = {
  grpcAddress: { env: 'GRPC_ADDRESS', default: '127.0.0.1:50051', parse: hostPort, doc: 'gRPC listen address (port 0 picks a free port)' },
  httpAddress: { env: 'HTTP_ADDRESS', default: '127.0.0.1:9464', parse: hostPort, doc: 'HTTP address for /healthz, /readyz, /metrics' },
  dataDir: { env: 'DATA_DIR', default: './data', parse: str, doc: 'directory of the embedded vector store and embedded Postgres' },
  logLevel: {
    env: 'LOG_LEVEL',
    default: 'info',
    parse: oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'),
    doc: 'pino log level (debug adds one line per call: method, user, code, ms, tier, request id)',
  },
  logFormat: { env: 'LOG_FORMAT', default: 'auto', parse: oneOf('auto', 'json', 'pretty'), doc: 'log lines: json, pretty (readable), or auto (pretty on a terminal, JSON otherwise)' },
  shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', default: 10_000, parse: int(0, 600_000), doc: 'how long in-flight calls may finish on SIGTERM before they are cancelled' },
  shutdownCheckpointMs: {
    env: 'SHUTDOWN_CHECKPOINT_MS',
    default: 10_000,
    parse: int(0, 600_000),
    doc: "how long the embedded store's final checkpoint may take on shutdown (after the grace); the WAL covers what it leaves out",
  },

  embedder: {
    env: 'EMBEDDER',
    default: 'auto',
    parse: oneOf('auto', 'lexical', 'local', 'openai', 'none'),
    doc: 'auto (local when a model is in LOCAL_MODEL_PATH or where scripts/local-model.sh puts it, else lexical), lexical (offline hashed n-grams), local (an ONNX sentence-embedding model in LOCAL_MODEL_PATH), openai (any OpenAI-compatible endpoint), none (clients send vectors)',
  },
  embeddingDimensions: { env: 'EMBEDDING_DIMENSIONS', default: 384, parse: int(2, 8192), doc: 'vector dimension of this deployment; checked against stored data at start' },
  localModelPath: {
    env: 'LOCAL_MODEL_PATH',
    default: '',
    parse: str,
    doc: 'EMBEDDER=local: a directory with an ONNX sentence-embedding model (model.onnx) and its tokenizer.json; nothing is downloaded',
  },
  localModelThreads: { env: 'LOCAL_MODEL_THREADS', default: 1, parse: int(1, 64), doc: "EMBEDDER=local: onnxruntime's threads (its worker thread runs beside the event loop)" },
  localModelMaxTokens: { env: 'LOCAL_MODEL_MAX_TOKENS', default: 256, parse: int(8, 8192), doc: 'EMBEDDER=local: longer texts are cut to this many tokens' },
  openaiBaseUrl: { env: 'OPENAI_BASE_URL', default: '', parse: optionalUrl, doc: 'base URL of the OpenAI-compatible API (empty = the library default)' },
  openaiApiKey: { env: 'OPENAI_API_KEY', default: '', parse: str, doc: 'API key for the embeddings endpoint' },
  openaiModel: { env: 'OPENAI_EMBEDDING_MODEL', default: 'text-embedding-3-small', parse: str, doc: 'embedding model name' },
  openaiTimeoutMs: { env: 'OPENAI_TIMEOUT_MS', default: 10_000, parse: int(100, 600_000), doc: 'timeout of one embeddings request' },
  embedBatchMax: { env: 'EMBED_BATCH_MAX', default: 256, parse: int(1, 4096), doc: 'most texts micro-batched into one provider call' },
  embedBatchWaitMs: { env: 'EMBED_BATCH_WAIT_MS', default: 0, parse: int(0, 1000), doc: 'extra wait before a provider call to gather more texts (0: none; batches form while calls are in flight)' },
  embedMaxInflight: { env: 'EMBED_MAX_INFLIGHT', default: 4, parse: int(1, 256), doc: 'most provider calls at once; texts arriving meanwhile form the next batch' },
  indexTextTemplate: {
    env: 'INDEX_TEXT_TEMPLATE',
    default: '{content}',
    parse: str,
    doc: 'the text a memory is embedded and keyword-indexed by: {content} with fields such as {created_date}, {agent_id}, {entities}, {metadata.KEY} (stored content is unchanged)',
  },

  searchMode: {
    env: 'SEARCH_MODE',
    default: 'hybrid',
    parse: oneOf('hybrid', 'dense', 'keyword'),
    doc: 'retrievers of a search that names none: hybrid (vector + BM25 keyword index, fused), dense, keyword; a query without text is always dense',
  },
  searchFusion: { env: 'SEARCH_FUSION', default: 'score', parse: oneOf('score', 'rrf'), doc: 'hybrid fusion: score (min-max scaled scores, weighted) or rrf (reciprocal rank fusion, weighted)' },
  searchDenseWeight: { env: 'SEARCH_DENSE_WEIGHT', default: 0.4, parse: num(0, 1), doc: "the dense retriever's share in hybrid fusion (the keyword retriever gets the rest)" },
  searchRrfK: { env: 'SEARCH_RRF_K', default: 60, parse: int(1, 10_000), doc: "RRF's rank offset" },
  keywordLanguage: { env: 'KEYWORD_LANGUAGE', default: 'eng', parse: str, doc: 'stop words of the keyword index (ISO 639-3: eng, deu, fra, spa, …, or none); eng also stems (Porter)' },
  keywordK1: { env: 'KEYWORD_BM25_K1', default: 1.2, parse: num(0, 10), doc: 'BM25 term-frequency saturation' },
  keywordB: { env: 'KEYWORD_BM25_B', default: 0.75, parse: num(0, 1), doc: 'BM25 length normalisation' },
  keywordAvgTerms: { env: 'KEYWORD_AVG_TERMS', default: 16, parse: int(1, 100_000), doc: "BM25's average memory length in terms (fixed, so stored keyword vectors never change)" },
  keywordBackfillBatch: {
    env: 'KEYWORD_BACKFILL_BATCH',
    default: 500,
    parse: int(1, 100_000),
    doc: 'memories per step of the background job that indexes keywords of memories written before the index existed',
  },

  hnswProfile: {
    env: 'HNSW_PROFILE',
    default: 'low_latency',
    parse: oneOf(...PROFILE_NAMES),
    doc: 'HNSW build profile (M/ef_construction): low_latency 16/100, production 32/200, high_recall 48/400',
  },
  indexMinMemories: { env: 'INDEX_MIN_MEMORIES', default: 5000, parse: int(0, 10_000_000), doc: 'a user gets an HNSW graph from this many memories; below it search is an exact scan' },
  walSync: { env: 'WAL_SYNC', default: true, parse: bool, doc: 'fsync the write-ahead log before acknowledging a write (turn off only for throwaway benchmarks)' },
  checkpointWalBytes: {
    env: 'CHECKPOINT_WAL_BYTES',
    default: 256 * 1024 * 1024,
    parse: int(1024, 64 * 1024 * 1024 * 1024),
    doc: 'checkpoint (snapshot partitions, truncate the WAL) when the WAL grows past this',
  },
  checkpointIntervalMs: { env: 'CHECKPOINT_INTERVAL_MS', default: 300_000, parse: int(1000, 86_400_000), doc: 'checkpoint at least this often while there are changes' },
  compactDeadRatio: { env: 'COMPACT_DEAD_RATIO', default: 0.3, parse: num(0.01, 1), doc: 'a partition is compacted at checkpoint when this share of its slots are deleted' },

  qdrantUrl: { env: 'QDRANT_URL', default: '', parse: optionalUrl, doc: 'Qdrant REST URL (e.g. http://qdrant:6333); empty = the embedded vector store in DATA_DIR' },
  qdrantApiKey: { env: 'QDRANT_API_KEY', default: '', parse: str, doc: 'Qdrant API key (sent as the api-key header)' },
  qdrantCollectionPrefix: { env: 'QDRANT_COLLECTION_PREFIX', default: 'memory_', parse: str, doc: 'prefix of every Qdrant collection and alias this deployment creates' },
  qdrantTenancy: {
    env: 'QDRANT_TENANCY',
    default: 'tiered',
    parse: oneOf('tiered', 'per_user'),
    doc: 'tiered: small users share a tenant-indexed collection, large ones are promoted; per_user: one collection per user (few, large tenants)',
  },
  qdrantPromoteAt: { env: 'QDRANT_PROMOTE_AT', default: 20_000, parse: int(1, 1_000_000_000), doc: 'memories at which a user is promoted online to a dedicated collection' },
  qdrantHnswProfile: {
    env: 'QDRANT_HNSW_PROFILE',
    default: 'production',
    parse: oneOf(...PROFILE_NAMES),
    doc: 'HNSW profile of dedicated collections: low_latency 16/100, production 32/200, high_recall 48/400',
  },
  qdrantUserProfiles: {
    env: 'QDRANT_USER_PROFILES',
    default: {} as Record<string, string>,
    parse: userProfiles,
    doc: 'per-user HNSW profile overrides, user=profile,… (applied when the user is promoted)',
  },
  qdrantQuantization: {
    env: 'QDRANT_QUANTIZATION',
    default: 'none',
    parse: oneOf('none', 'int8'),
    doc: 'int8 scalar quantization for new collections (quantized vectors in RAM, originals on disk, rescoring)',
  },
  qdrantOversampling: { env: 'QDRANT_OVERSAMPLING', default: 2, parse: num(1, 16), doc: 'candidates fetched per result before rescoring, when quantized' },
  qdrantTimeoutMs: { env: 'QDRANT_TIMEOUT_MS', default: 5_000, parse: int(10, 600_000), doc: "bound of one Qdrant request attempt (the caller's deadline may cut it shorter)" },
  qdrantRetries: { env: 'QDRANT_RETRIES', default: 2, parse: int(0, 10), doc: 'retries of an idempotent Qdrant request after a transient failure (backoff 25–200 ms)' },
  qdrantKeepAlive: { env: 'QDRANT_KEEPALIVE', default: true, parse: bool, doc: 'reuse HTTP connections to Qdrant (false: one connection per request; TIME_WAIT sockets pile up at high rates)' },
  qdrantCompression: {
    env: 'QDRANT_RESPONSE_COMPRESSION',
    default: false,
    parse: bool,
    doc: 'ask Qdrant for gzip responses; off because Qdrant sends them chunked and each then waits 40 ms for a delayed ACK on reused connections (see README)',
  },
  qdrantRoutingRefreshMs: { env: 'QDRANT_ROUTING_REFRESH_MS', default: 2_000, parse: int(10, 600_000), doc: 'how often an instance reloads the promotion routes other instances changed' },
  qdrantPromotionGraceMs: {
    env: 'QDRANT_PROMOTION_GRACE_MS',
    default: 5_000,
    parse: int(0, 600_000),
    doc: 'wait between promotion steps so every instance sees the new route; keep above QDRANT_ROUTING_REFRESH_MS + the longest write',
  },
  qdrantAccessStatsFlushMs: {
    env: 'QDRANT_ACCESS_STATS_FLUSH_MS',
    default: 300_000,
    parse: int(0, 86_400_000),
    doc: 'how often access statistics are written to Qdrant points (0 = never); each write re-indexes the point, so keep it rare',
  },
  qdrantPromotionBatch: { env: 'QDRANT_PROMOTION_BATCH', default: 512, parse: int(1, 10_000), doc: 'points copied per request during a promotion' },

  databaseUrl: { env: 'DATABASE_URL', default: '', parse: optionalUrl, doc: 'Postgres for metadata (tasks, audit, keys); empty = embedded PGlite in DATA_DIR' },
  pgliteSharedBuffersMb: {
    env: 'PGLITE_SHARED_BUFFERS_MB',
    default: 16,
    // PGlite fails to start ("failed to initialize properly") from 2048 on: its heap is 32-bit WebAssembly.
    parse: int(1, 1024),
    doc: "embedded PGlite's shared_buffers, resident in its thread as pages are cached (PGlite's own default of 128 costs ~110 MB more; lists at 1M audit rows are ~1.4× faster with it)",
  },
  pgliteThreadNice: {
    env: 'PGLITE_THREAD_NICE',
    default: 10,
    parse: int(0, 19),
    doc: "nice value of embedded PGlite's thread (Linux; 0 = the service's priority): under contention the request thread wins the CPU over a maintenance job's database writes",
  },
  pgliteOptimizedWasm: {
    env: 'PGLITE_OPTIMIZED_WASM',
    default: false,
    parse: bool,
    doc: "embedded PGlite's WebAssembly also compiled by V8's optimizing tier (TurboFan); off = baseline code only (Liftoff): less resident memory, slower metadata statements (see the README's footprint numbers). Process-wide, set at start",
  },
  heapGrowthPercent: {
    env: 'HEAP_GROWTH_PERCENT',
    default: 0,
    parse: int(0, 1000),
    doc: '0 = V8\'s adaptive heap growth (an old generation may reach ~4× its live objects between full collections). N = grow only N% past what the last full collection kept (V8\'s --heap-growing-percent), for every thread: less resident memory, more collections (20: ~300 instead of ~380 MB at 10k memories, ~30% fewer L1 searches/s and a p99 ×3 on one core; README "Footprint"). Set at start',
  },
  pgPoolMax: { env: 'PG_POOL_MAX', default: 10, parse: int(1, 1000), doc: 'most Postgres connections' },
  pgAcquireTimeoutMs: { env: 'PG_ACQUIRE_TIMEOUT_MS', default: 2_000, parse: int(1, 600_000), doc: 'wait for a free connection (or a new one) before RESOURCE_EXHAUSTED / UNAVAILABLE' },
  pgIdleTimeoutMs: { env: 'PG_IDLE_TIMEOUT_MS', default: 30_000, parse: int(0, 86_400_000), doc: 'close connections idle this long' },
  pgStatementTimeoutMs: { env: 'PG_STATEMENT_TIMEOUT_MS', default: 5_000, parse: int(1, 3_600_000), doc: 'server-side statement_timeout of every query' },
  pgMaxUses: { env: 'PG_MAX_USES', default: 10_000, parse: int(1, 1e9), doc: 'recycle a connection after this many queries' },
  pgMaxLifetimeSeconds: { env: 'PG_MAX_LIFETIME_SECONDS', default: 1_800, parse: int(0, 86_400 * 30), doc: 'recycle a connection after this long (0 = never)' },
  auth: { env: 'AUTH', default: 'auto', parse: oneOf('auto', 'on', 'off'), doc: 'API keys on the gRPC API: auto = on with DATABASE_URL or a non-loopback GRPC_ADDRESS, off otherwise' },
  authAllowInsecureBind: { env: 'AUTH_ALLOW_INSECURE_BIND', default: false, parse: bool, doc: 'allow AUTH=off on a non-loopback GRPC_ADDRESS (otherwise startup refuses)' },
  authCacheTtlMs: { env: 'AUTH_CACHE_TTL_MS', default: 10_000, parse: int(0, 3_600_000), doc: 'how long a verified key is trusted before it is checked again (revocation delay)' },
  cacheMaxBytes: { env: 'CACHE_L1_MAX_BYTES', default: 256 * 1024 * 1024, parse: int(1024 * 1024, 64 * 1024 * 1024 * 1024), doc: 'L1 in-process cache size bound' },
  cacheMemoryTtlMs: { env: 'CACHE_MEMORY_TTL_MS', default: 30 * 60_000, parse: int(0, 86_400_000), doc: 'TTL of memories by id, in L1 and L2' },
  cacheSearchTtlMs: { env: 'CACHE_SEARCH_TTL_MS', default: 60_000, parse: int(0, 86_400_000), doc: 'L1 TTL of search results (a repeated search on one instance may miss new memories this long)' },
  cacheL2SearchTtlMs: { env: 'CACHE_L2_SEARCH_TTL_MS', default: 300_000, parse: int(0, 86_400_000), doc: 'L2 TTL of search results' },
  cacheSimilarMinCosine: {
    env: 'CACHE_SEARCH_SIMILAR_MIN_COSINE',
    default: 0,
    parse: num(0, 1),
    doc: "semantic query cache: a search whose query vector is at least this cosine-similar to a cached search's (same user, options and filters) reuses its result; 0 = off (exact repeats only). The right value depends on the embedder: see the README's numbers",
  },
  cacheSimilarQueriesPerUser: {
    env: 'CACHE_SEARCH_SIMILAR_QUERIES',
    default: 64,
    parse: int(1, 4096),
    doc: 'semantic query cache: the most recent queries per user and search options it compares a new query with (a scan: ~0.4 µs per query at 384 dimensions)',
  },
  searchMaxLagMs: { env: 'SEARCH_MAX_LAG_MS', default: 60_000, parse: int(0, 86_400_000), doc: 'an L2 search result older than this is recomputed once the user has new memories' },
  cacheEmbeddingTtlMs: { env: 'CACHE_EMBEDDING_TTL_MS', default: 3_600_000, parse: int(0, 86_400_000), doc: 'TTL of embeddings by (model, text hash), in L1 and L2' },
  cacheProfileTtlMs: { env: 'CACHE_PROFILE_TTL_MS', default: 3_600_000, parse: int(0, 86_400_000), doc: 'TTL of profiles and precomputed data, in L1 and L2' },
  redisUrl: { env: 'REDIS_URL', default: '', parse: optionalUrl, doc: 'Redis for the shared L2 cache and cross-instance invalidation; empty = L2 off' },
  redisKeyPrefix: { env: 'REDIS_KEY_PREFIX', default: 'me:', parse: str, doc: 'prefix of every Redis key and of the invalidation channel' },
  redisCommandTimeoutMs: { env: 'REDIS_COMMAND_TIMEOUT_MS', default: 100, parse: int(1, 60_000), doc: 'a Redis call slower than this counts as a failure (L2 is then bypassed)' },
  redisBreakerFailures: { env: 'REDIS_BREAKER_FAILURES', default: 3, parse: int(1, 1000), doc: 'consecutive Redis failures that open the breaker (bypass L2)' },
  redisBreakerOpenMs: { env: 'REDIS_BREAKER_OPEN_MS', default: 1_000, parse: int(10, 600_000), doc: 'how long L2 stays bypassed before one call probes Redis again' },
  hotSetMax: { env: 'CACHE_HOT_SET_MAX', default: 1000, parse: int(1, 1_000_000), doc: 'hot memories kept per user in Redis (sorted by last access)' },

  rankSimilarityWeight: { env: 'RANK_SIMILARITY_WEIGHT', default: 0.85, parse: num(0, 10), doc: 'weight of cosine similarity in the ranking score' },
  rankImportanceWeight: { env: 'RANK_IMPORTANCE_WEIGHT', default: 0.1, parse: num(0, 10), doc: 'weight of importance in the ranking score' },
  rankRecencyWeight: { env: 'RANK_RECENCY_WEIGHT', default: 0.05, parse: num(0, 10), doc: 'weight of recency (exp. decay of age) in the ranking score' },
  recencyHalfLifeHours: { env: 'RECENCY_HALF_LIFE_HOURS', default: 24 * 7, parse: num(0.001, 1e6), doc: 'age at which recency is 0.5' },

  precompute: { env: 'PRECOMPUTE', default: true, parse: bool, doc: 'run the background precompute scheduler (topics, profiles, summaries, neighbours)' },
  precomputeConcurrency: { env: 'PRECOMPUTE_CONCURRENCY', default: 1, parse: int(1, 64), doc: 'precompute runs at once (each may use both cores briefly)' },
  precomputeQueueMax: { env: 'PRECOMPUTE_QUEUE_MAX', default: 10_000, parse: int(1, 10_000_000), doc: 'most queued precompute runs; further triggers are dropped and counted' },
  precomputeJobTimeoutMs: { env: 'PRECOMPUTE_JOB_TIMEOUT_MS', default: 300_000, parse: int(100, 86_400_000), doc: 'deadline of one precompute run' },
  precomputeLeaseMs: {
    env: 'PRECOMPUTE_LEASE_MS',
    default: 60_000,
    parse: int(100, 86_400_000),
    doc: "a running job holds its (user, kind) this long between renewals; a crashed instance's run is taken over after it",
  },
  precomputeTickMs: { env: 'PRECOMPUTE_TICK_MS', default: 60_000, parse: int(0, 86_400_000), doc: 'how often interval jobs are checked (0 = triggers only)' },
  precomputeMinGapMs: {
    env: 'PRECOMPUTE_MIN_GAP_MS',
    default: 30_000,
    parse: int(0, 86_400_000),
    doc: 'a triggered run starts no sooner than this after the last run of its kind for the user (requests do not wait)',
  },
  precomputeYieldRps: {
    env: 'PRECOMPUTE_YIELD_RPS',
    default: 50,
    parse: int(1, 10_000_000),
    doc: 'the service counts as busy (background runs wait, running jobs slow down) at this many gRPC calls over the last second',
  },
  precomputeYieldOccupancy: {
    env: 'PRECOMPUTE_YIELD_OCCUPANCY',
    default: 0.25,
    parse: num(0.01, 1),
    doc: '… or when at least one gRPC call was in flight this share of the last second (a few heavy calls)',
  },
  precomputeMaxHoldMs: { env: 'PRECOMPUTE_MAX_HOLD_MS', default: 60_000, parse: int(0, 86_400_000), doc: 'longest a queued background run waits for the service to be less busy' },
  precomputeBusyShare: {
    env: 'PRECOMPUTE_BUSY_SHARE',
    default: 0.1,
    parse: num(0.01, 1),
    doc: 'while the service is busy, a running job works this share of the time and rests the rest (1 = never rest)',
  },
  precomputeEveryN: { env: 'PRECOMPUTE_EVERY_N_MEMORIES', default: 100, parse: int(1, 10_000_000), doc: 'new memories of a user that trigger profile, summaries and neighbour updates' },
  reclusterFraction: {
    env: 'PRECOMPUTE_RECLUSTER_FRACTION',
    default: 0.05,
    parse: num(0, 10),
    doc: "topics are recomputed after max(PRECOMPUTE_EVERY_N_MEMORIES, this share of the user's memories) new ones",
  },
  profileIntervalMs: { env: 'PROFILE_INTERVAL_MS', default: 3_600_000, parse: int(0, 86_400_000 * 30), doc: "recompile a changed user's profile this often; an older profile is served and refreshed" },
  clustersIntervalMs: { env: 'CLUSTERS_INTERVAL_MS', default: 86_400_000, parse: int(0, 86_400_000 * 30), doc: "recompute a changed user's topics this often" },
  summariesIntervalMs: { env: 'SUMMARIES_INTERVAL_MS', default: 86_400_000, parse: int(0, 86_400_000 * 30), doc: "recompute a changed user's temporal and entity summaries this often" },
  similarityIntervalMs: {
    env: 'SIMILARITY_INTERVAL_MS',
    default: 86_400_000,
    parse: int(0, 86_400_000 * 30),
    doc: "rebuild a changed user's neighbour lists this often (they are also kept current on insert)",
  },
  maintenanceIntervalMs: {
    env: 'MAINTENANCE_INTERVAL_MS',
    default: 86_400_000,
    parse: int(0, 86_400_000 * 30),
    doc: 'run maintenance (TTL, decay, compression, archival, GC) for every user this often (0 = only when asked)',
  },
  maintenanceYieldRps: {
    env: 'MAINTENANCE_YIELD_RPS',
    default: 1,
    parse: int(1, 10_000_000),
    doc: 'maintenance counts the service as busy (works PRECOMPUTE_BUSY_SHARE of the time) at this many gRPC calls over the last second: by default at any traffic',
  },
  ttlSweep: { env: 'TTL_SWEEP', default: true, parse: bool, doc: 'maintenance deletes expired memories for good (they are hidden from reads either way)' },
  decayHalfLifeDays: { env: 'DECAY_HALF_LIFE_DAYS', default: 30, parse: num(0, 36_500), doc: 'importance halves every this many days a memory goes unread (0 = no decay; pinned ones never decay)' },
  decayFloor: { env: 'DECAY_FLOOR', default: 0.05, parse: num(0, 1), doc: 'decay never takes importance below this' },
  decayReinforce: { env: 'DECAY_REINFORCE', default: 0.1, parse: num(0, 1), doc: 'a memory read since the last decay run gains this share of its distance to 1' },
  compressAfterDays: { env: 'COMPRESS_AFTER_DAYS', default: 30, parse: num(0, 36_500), doc: 'content unchanged this many days is stored compressed (0 = never)' },
  compressMinBytes: { env: 'COMPRESS_MIN_BYTES', default: 512, parse: int(1, 100_000_000), doc: 'only content at least this long is compressed' },
  archiveAfterDays: { env: 'ARCHIVE_AFTER_DAYS', default: 90, parse: num(0, 36_500), doc: 'memories unread this many days move to the archive (0 = never; pinned ones stay)' },
  gcFailedTaskDays: { env: 'GC_FAILED_TASK_DAYS', default: 7, parse: num(0, 36_500), doc: 'GC deletes memories of tasks that failed this many days ago (0 = off)' },
  gcSessionDays: { env: 'GC_SESSION_DAYS', default: 1, parse: num(0, 36_500), doc: 'GC deletes session-scoped memories this many days old (0 = off)' },
  gcLowConfidence: { env: 'GC_LOW_CONFIDENCE', default: 0.5, parse: num(0, 1), doc: 'GC deletes never-read memories with confidence below this … (0 = off)' },
  gcLowConfidenceDays: { env: 'GC_LOW_CONFIDENCE_DAYS', default: 30, parse: num(0, 36_500), doc: '… once they are this many days old' },
  gcDuplicates: { env: 'GC_DUPLICATES', default: true, parse: bool, doc: "GC keeps one copy of a user's memories with the same normalized content (the most confident; tags and entities merged)" },
  archiveS3Bucket: { env: 'ARCHIVE_S3_BUCKET', default: '', parse: str, doc: "archive to this S3 bucket (any S3-compatible store); empty = the metadata database's archive table" },
  archiveS3Endpoint: { env: 'ARCHIVE_S3_ENDPOINT', default: '', parse: optionalUrl, doc: "the object store's URL (SeaweedFS, MinIO, R2 …); empty = AWS S3" },
  archiveS3Region: { env: 'ARCHIVE_S3_REGION', default: 'us-east-1', parse: str, doc: 'region of the bucket' },
  archiveS3AccessKeyId: { env: 'ARCHIVE_S3_ACCESS_KEY_ID', default: '', parse: str, doc: "access key; empty = the AWS SDK's default credential chain" },
  archiveS3SecretAccessKey: { env: 'ARCHIVE_S3_SECRET_ACCESS_KEY', default: '', parse: str, doc: 'secret of ARCHIVE_S3_ACCESS_KEY_ID' },
  archiveS3Prefix: { env: 'ARCHIVE_S3_PREFIX', default: 'memory-engine/archive/', parse: str, doc: 'key prefix of every archived object' },
  archiveS3ForcePathStyle: { env: 'ARCHIVE_S3_FORCE_PATH_STYLE', default: true, parse: bool, doc: 'path-style URLs (most S3-compatible servers want them; AWS takes both)' },
  hdbscanMinClusterSize: { env: 'HDBSCAN_MIN_CLUSTER_SIZE', default: 10, parse: int(2, 1_000_000), doc: 'smallest group of memories reported as a topic' },
  hdbscanMinSamples: { env: 'HDBSCAN_MIN_SAMPLES', default: 5, parse: int(1, 1000), doc: "neighbours that set a memory's density (HDBSCAN min_samples, not counting itself)" },
  clusterKnnK: { env: 'CLUSTER_KNN_K', default: 15, parse: int(1, 1000), doc: 'neighbours per memory in the kNN graph HDBSCAN runs on (at least HDBSCAN_MIN_SAMPLES)' },
  profileTopMemories: { env: 'PROFILE_TOP_MEMORIES', default: 20, parse: int(1, 1000), doc: 'memories in each list of a profile (top, recent, preferences)' },
  profileTokenBudget: { env: 'PROFILE_TOKEN_BUDGET', default: 400, parse: int(16, 100_000), doc: "tokens of a profile's context summary" },
  summaryTokenBudget: { env: 'SUMMARY_TOKEN_BUDGET', default: 150, parse: int(16, 100_000), doc: 'tokens of a topic, temporal or entity summary' },
  summaryEntities: { env: 'SUMMARY_ENTITIES', default: 20, parse: int(0, 10_000), doc: 'most-mentioned entities that get a precomputed summary (others on request)' },
  similarityTopK: { env: 'SIMILARITY_TOP_K', default: 10, parse: int(1, 1000), doc: 'neighbours kept per high-importance memory' },
  similarityMinImportance: { env: 'SIMILARITY_MIN_IMPORTANCE', default: 0.7, parse: num(0, 1), doc: 'memories at least this important (or pinned) keep a neighbour list' },
  topicRoutingMinSimilarity: {
    env: 'TOPIC_ROUTING_MIN_SIMILARITY',
    default: 0,
    parse: num(0, 1),
    doc: "a query at least this close to a topic centroid searches that topic's members first (0 = off)",
  },
  topicRoutingMaxMembers: { env: 'TOPIC_ROUTING_MAX_MEMBERS', default: 2000, parse: int(1, 10_000_000), doc: 'largest topic a search is routed to' },
  topicRoutingClasses: { env: 'TOPIC_ROUTING_CLASSES', default: ['SUGGESTION', 'PREFETCH'] as string[], parse: queryClasses, doc: 'query classes that may be routed to a topic' },
  summaryLlmModel: { env: 'SUMMARY_LLM_MODEL', default: '', parse: str, doc: 'chat model that writes summaries (any OpenAI-compatible endpoint); empty = extractive summaries' },
  summaryLlmBaseUrl: { env: 'SUMMARY_LLM_BASE_URL', default: '', parse: optionalUrl, doc: 'base URL of the chat endpoint (empty = OPENAI_BASE_URL)' },
  summaryLlmApiKey: { env: 'SUMMARY_LLM_API_KEY', default: '', parse: str, doc: 'API key of the chat endpoint (empty = OPENAI_API_KEY)' },
  summaryLlmTimeoutMs: { env: 'SUMMARY_LLM_TIMEOUT_MS', default: 20_000, parse: int(100, 600_000), doc: 'timeout of one summary request' },
  summaryLlmMaxInputs: { env: 'SUMMARY_LLM_MAX_INPUTS', default: 40, parse: int(1, 1000), doc: 'most memories in one summary prompt' },
  summaryLlmMaxCalls: { env: 'SUMMARY_LLM_MAX_CALLS_PER_RUN', default: 20, parse: int(0, 100_000), doc: 'most LLM calls in one precompute run (the rest are extractive)' },
  cachePrecomputedL1TtlMs: {
    env: 'CACHE_PRECOMPUTED_L1_TTL_MS',
    default: 300_000,
    parse: int(0, 86_400_000),
    doc: 'L1 TTL of profiles, topics and summaries (how long another instance may serve an older one)',
  },

  contextTokenizer: {
    env: 'CONTEXT_TOKENIZER',
    default: 'o200k_base' as TokenizerName,
    parse: oneOf(...TOKENIZERS),
    doc: 'BPE encoding context budgets are counted in (o200k_base: GPT-4o and later; cl100k_base: GPT-4, GPT-3.5)',
  },
  contextDefaultTokens: { env: 'CONTEXT_DEFAULT_TOKENS', default: 2000, parse: int(16, 1_000_000), doc: 'token budget of AssembleContext / StreamContext when the request gives none' },
  contextMaxTokens: { env: 'CONTEXT_MAX_TOKENS', default: 32_000, parse: int(16, 1_000_000), doc: 'largest token budget a request may ask for' },
  contextMaxTurns: { env: 'CONTEXT_MAX_TURNS', default: 50, parse: int(0, 10_000), doc: 'most recent conversation turns in one context request' },
  contextMaxTurnBytes: { env: 'CONTEXT_MAX_TURN_BYTES', default: 256 * 1024, parse: int(0, 64 * 1024 * 1024), doc: 'most bytes of all recent turns of one context request together' },
  contextDeadlineMs: { env: 'CONTEXT_DEADLINE_MS', default: 1000, parse: int(1, 600_000), doc: 'time a context call may take when the caller sets no deadline (sections get shares of it)' },
  contextPoolMax: {
    env: 'CONTEXT_POOL_MAX',
    default: 200,
    parse: int(1, 100_000),
    doc: 'most memories of one topic, entity or time window a context section scores (a filtered search adds the best of the rest)',
  },
  contextTopicMinSimilarity: { env: 'CONTEXT_TOPIC_MIN_SIMILARITY', default: 0.2, parse: num(-1, 1), doc: 'a topic this similar to the query (centroid cosine) makes the topics section' },
  contextPrefetch: { env: 'CONTEXT_PREFETCH', default: true, parse: bool, doc: 'after each context call, load what the next turn will likely need while the service is not busy' },
  contextPrefetchDelayMs: { env: 'CONTEXT_PREFETCH_DELAY_MS', default: 10, parse: int(0, 60_000), doc: 'wait after a context call before its prefetch round' },

  maxContentBytes: { env: 'MAX_CONTENT_BYTES', default: 32 * 1024, parse: int(1, 16 * 1024 * 1024), doc: 'largest memory content (UTF-8 bytes)' },
  maxBatchItems: { env: 'MAX_BATCH_ITEMS', default: 1000, parse: int(1, 100_000), doc: 'most items in RememberBatch and SearchBatch' },
  maxTopK: { env: 'MAX_TOP_K', default: 1000, parse: int(1, 100_000), doc: 'largest top_k and page_size' },
  maxMetadataBytes: { env: 'MAX_METADATA_BYTES', default: 8 * 1024, parse: int(0, 1024 * 1024), doc: 'largest metadata map (keys + values, UTF-8 bytes)' },
  maxTags: { env: 'MAX_TAGS', default: 64, parse: int(0, 10_000), doc: 'most tags, and most entities, on one memory' },
  maxMessageBytes: { env: 'GRPC_MAX_MESSAGE_BYTES', default: 64 * 1024 * 1024, parse: int(1024, 1024 * 1024 * 1024), doc: 'largest gRPC message received or sent' },
} satisfies Record<string, Spec<unknown>>;

type SpecTable = typeof CONFIG_SPEC;
export type Config = { [K in keyof SpecTable]: ReturnType<SpecTable[K]['parse']> };

/**
 * Resolves the configuration: `overrides` (code) win over `env`, which wins over defaults.
 * Unknown MEMORY-like variables are not an error; a bad value of a known one is.
 */
export function loadConfig(env: Record<string, string | undefined> = {}, overrides: Partial<Config> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_SPEC) as [keyof Config, Spec<unknown>][]) {
    if (overrides[key] !== undefined) {
      out[key] = overrides[key];
      continue;
    }
    const raw = env[spec.env];
    out[key] = raw === undefined ? spec.default : spec.parse(raw, spec.env);
  }
  const config = out as Config;
  // auto: a real model when one is configured (main.ts fills in the cached default), else the offline lexical one.
  if (config.embedder === 'auto') config.embedder = config.localModelPath !== '' ? 'local' : 'lexical';
  if (config.embedder === 'openai' && config.openaiApiKey === '' && config.openaiBaseUrl === '') {
    throw new ConfigError('OPENAI_API_KEY', 'EMBEDDER=openai needs OPENAI_API_KEY or an OPENAI_BASE_URL of a server without keys');
  }
  if (config.embedder === 'local' && config.localModelPath === '') {
    throw new ConfigError('LOCAL_MODEL_PATH', 'EMBEDDER=local needs LOCAL_MODEL_PATH, a directory with model.onnx and tokenizer.json');
  }
  if (config.clusterKnnK < config.hdbscanMinSamples) {
    throw new ConfigError('CLUSTER_KNN_K', `must be at least HDBSCAN_MIN_SAMPLES (${config.hdbscanMinSamples}), got ${config.clusterKnnK}`);
  }
  if (config.auth === 'off' && !isLoopbackHost(config.grpcAddress) && !config.authAllowInsecureBind) {
    throw new ConfigError('AUTH', `AUTH=off on non-loopback ${config.grpcAddress} would let anyone read every user's memories; set AUTH_ALLOW_INSECURE_BIND=true to force it`);
  }
  return config;
}

function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':'));
  return /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host);
}

/** Whether the resolved configuration turns API-key authentication on. */
export function authEnabled(c: Config): boolean {
  return c.auth === 'on' || (c.auth === 'auto' && (c.databaseUrl !== '' || !isLoopbackHost(c.grpcAddress)));
}

/** Markdown rows for the README: variable, default, meaning. */
export function configTableMarkdown(): string {
  const rows = Object.values(CONFIG_SPEC as Record<string, Spec<unknown>>).map((s) => {
    const d = Array.isArray(s.default)
      ? s.default.join(',')
      : typeof s.default === 'object' && s.default !== null
        ? Object.keys(s.default).length === 0
          ? ''
          : JSON.stringify(s.default)
        : String(s.default);
    return `| \`${s.env}\` | \`${d === '' ? '(empty)' : d}\` | ${s.doc} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
