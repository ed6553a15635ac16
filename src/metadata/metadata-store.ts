/**
 * MetadataStore: tasks, the append-only audit log (and, later, job runs, API keys, archive).
 * Covers only metadata; memories themselves live in the VectorStore.
 */
export type TaskStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
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

export interface Page<T> {
  items: T[];
  next?: string;
}

export interface MetadataStore {
  readonly kind: string;
  open(): Promise<void>;
  close(): Promise<void>;
  ready(): Promise<void>;

  appendAudit(e: AuditInput): Promise<void>;
  listAudit(userId: string, o: { limit: number; cursor?: string; operation?: string }): Promise<Page<AuditEvent>>;

  createTask(t: { id: string; userId: string; agentId: string; title: string; metadata: Record<string, string> }): Promise<Task>;
  /** Throws NotFoundError, or FailedPrecondition when the task already finished. */
  updateTaskStatus(userId: string, id: string, status: TaskStatus): Promise<Task>;
  getTask(userId: string, id: string): Promise<Task | undefined>;
  listTasks(userId: string, o: { limit: number; cursor?: string; status?: TaskStatus }): Promise<Page<Task>>;
  /** Erases the user's tasks and archive (ForgetUser); the audit log keeps ids and the erasure event. */
  deleteUser(userId: string): Promise<{ tasks: number; archived: number }>;

  /** Stores a new key (only the secret's hash) and returns its info. */
  createApiKey(k: { id: string; name: string; secretSha256: string; scopes: string[] }): Promise<ApiKeyInfo>;
  /** The key's info and secret hash, revoked or not; undefined when unknown. */
  findApiKey(id: string): Promise<(ApiKeyInfo & { secretSha256: string }) | undefined>;
  listApiKeys(): Promise<ApiKeyInfo[]>;
  /** Returns false when there is no such key. */
  revokeApiKey(id: string): Promise<boolean>;
}
