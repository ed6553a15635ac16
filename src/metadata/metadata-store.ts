/**
 * MetadataStore: tasks, the append-only audit log, precompute job runs and their artifacts,
 * API keys, the archive. Covers only metadata; memories themselves live in the VectorStore.
 */
export type TaskStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export const TASK_STATUSES: readonly TaskStatus[] = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface Task {
  id: string;
  userId: string;
  agentId: string;
  title: string;
  status: TaskStatus;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number;
  metadata: Record<string, string>;
}

export interface AuditInput {
  userId: string;
  actor: string;
  operation: string;
  memoryIds: readonly string[];
  requestId: string;
  details?: Record<string, string>;
}

export interface AuditEvent extends AuditInput {
  id: string;
  atMs: number;
  details: Record<string, string>;
}

/** Scopes: `admin` (every user), `user:<id>` (may act for that user), `read` (read-only). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: string[];
  createdAtMs: number;
  revokedAtMs: number;
}

/** A page and, when more follow, where the next one starts (the engine turns it into a token). */
export interface Page<T, C> {
  items: T[];
  next?: C;
}

/** After this audit event (ids grow with time; newest first). */
export interface AuditCursor {
  /** A bigint as a decimal string. */
  id: string;
}

/** After this task in (created_at, id) order, newest first. */
export interface TaskCursor {
  /** created_at as Postgres prints it: microseconds, which a JS Date would lose. */
  createdAt: string;
  id: string;
}

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'SKIPPED';

/** One run of a precompute job for one user. */
export interface JobRun {
  id: string;
  userId: string;
  kind: string;
  status: JobStatus;
  /** What asked for it: interval, memories, session, profile-change, request, … */
  trigger: string;
  queuedAtMs: number;
  startedAtMs: number;
  finishedAtMs: number;
  counts: Record<string, number>;
  error: string;
}

/** A precomputed artifact (profile, topic, summary, neighbour list) of one user. */
export interface PrecomputedRow {
  kind: string;
  key: string;
  body: unknown;
  /** Memory ids it was built from: deleting one of them edits or drops the artifact. */
  sources: string[];
  generatedAtMs: number;
}

/**
 * Edits an artifact so it no longer uses any of `removed` (memory ids); returns the edited
 * row, or undefined when the artifact must go. Supplied by the precompute layer, which knows
 * what the bodies hold.
 */
export type Prune = (row: PrecomputedRow, removed: ReadonlySet<string>) => PrecomputedRow | undefined;

export interface PutPrecomputedOptions {
  /**
   * When the job read its inputs (epoch ms): memories removed since then (by the audit log:
   * Forget, Correction, content Update) are pruned from the rows before they are written, and
   * nothing is written if the user was erased since.
   */
  readSinceMs: number;
  prune: Prune;
  /** Replace every row of these kinds: rows not in `rows` are deleted. */
  replaceKinds?: string[];
}

/** A memory in the archive table: its record as JSON and its vector's bytes, opaque here. */
export interface ArchivedRow {
  memoryId: string;
  archivedAtMs: number;
  record: Record<string, unknown>;
  embedding: Uint8Array | null;
}

/** The archive table of one metadata database. Writes are durable when they resolve. */
export interface ArchiveRows {
  /** Inserts or replaces rows (a memory archived again replaces its row). */
  put(userId: string, rows: readonly Omit<ArchivedRow, 'archivedAtMs'>[]): Promise<void>;
  get(userId: string, ids: readonly string[]): Promise<ArchivedRow[]>;
  /** A page in memory-id order, after `after`. */
  list(userId: string, o: { after?: string; limit: number }): Promise<ArchivedRow[]>;
  /** Resolves with the ids that were there. */
  delete(userId: string, ids: readonly string[]): Promise<string[]>;
  count(userId: string): Promise<number>;
  /** Removes every row of the user; resolves with how many there were. */
  deleteUser(userId: string): Promise<number>;
  /** Users with archived memories, in id order after `after`. */
  users(o: { after?: string; limit: number }): Promise<string[]>;
}

/** An audit event of another deployment (ImportUser), with its original time and id. */
export interface ImportedAudit extends AuditInput {
  originId: string;
  atMs: number;
}

export interface MetadataStore {
  readonly kind: string;
  readonly archive: ArchiveRows;
  open(): Promise<void>;
  close(): Promise<void>;
  ready(): Promise<void>;

  appendAudit(e: AuditInput): Promise<void>;
  /**
   * Appends events exported elsewhere, keeping their time; one already imported (same user and
   * origin id, kept in details.origin_id) is skipped. Resolves with how many were new.
   */
  importAudit(userId: string, events: readonly ImportedAudit[]): Promise<number>;
  listAudit(userId: string, o: { limit: number; after?: AuditCursor; operation?: string }): Promise<Page<AuditEvent, AuditCursor>>;

  createTask(t: { id: string; userId: string; agentId: string; title: string; metadata: Record<string, string> }): Promise<Task>;
  /** Throws NotFoundError, or FailedPrecondition when the task already finished. */
  updateTaskStatus(userId: string, id: string, status: TaskStatus): Promise<Task>;
  getTask(userId: string, id: string): Promise<Task | undefined>;
  /** Inserts a task as exported elsewhere (ImportUser); false when one with its id exists already. */
  importTask(t: Task): Promise<boolean>;
  listTasks(userId: string, o: { limit: number; after?: TaskCursor; status?: TaskStatus }): Promise<Page<Task, TaskCursor>>;
  /**
   * Erases the user's tasks, archive, job runs and precomputed data (ForgetUser); the audit
   * log keeps ids and the erasure event.
   */
  deleteUser(userId: string): Promise<{ tasks: number; archived: number; precomputed: number }>;

  /** Records a job run (QUEUED, or RUNNING with a lease when `leaseMs` is given). */
  createJobRun(r: { id: string; userId: string; kind: string; trigger: string }): Promise<void>;
  /**
   * Starts a run (inserting it when new): true when it now holds its (user, kind) until the
   * lease runs out; false when another run of that kind for that user holds a live lease (the
   * run is then SKIPPED). A run whose lease ran out is marked FAILED and taken over.
   */
  startJobRun(r: { id: string; userId: string; kind: string; trigger: string }, leaseMs: number): Promise<boolean>;
  renewJobLease(id: string, leaseMs: number): Promise<void>;
  finishJobRun(id: string, status: Exclude<JobStatus, 'QUEUED' | 'RUNNING'>, counts: Record<string, number>, error: string): Promise<void>;
  getJobRun(userId: string, id: string): Promise<JobRun | undefined>;
  /** The user's last successful run of `kind` (by start), if any. */
  lastSucceededRun(userId: string, kind: string): Promise<JobRun | undefined>;

  /** Writes artifacts as one transaction, after pruning what was removed since the job read. */
  putPrecomputed(userId: string, rows: Omit<PrecomputedRow, 'generatedAtMs'>[], o: PutPrecomputedOptions): Promise<{ written: number; pruned: number; erased: boolean }>;
  getPrecomputed(userId: string, kind: string, key: string): Promise<PrecomputedRow | undefined>;
  /** Every artifact of one kind, or those with these keys (sources left empty unless asked for). */
  listPrecomputed(userId: string, kind: string, withSources: boolean, keys?: readonly string[]): Promise<PrecomputedRow[]>;
  /** Strong removal: edits or drops every artifact built from any of `ids`; resolves with how many changed. */
  removeFromPrecomputed(userId: string, ids: readonly string[], prune: Prune): Promise<number>;

  /** Stores a new key (only the secret's hash) and returns its info. */
  createApiKey(k: { id: string; name: string; secretSha256: string; scopes: string[] }): Promise<ApiKeyInfo>;
  /** The key's info and secret hash, revoked or not; undefined when unknown. */
  findApiKey(id: string): Promise<(ApiKeyInfo & { secretSha256: string }) | undefined>;
  listApiKeys(): Promise<ApiKeyInfo[]>;
  /** Returns false when there is no such key. */
  revokeApiKey(id: string): Promise<boolean>;
}
