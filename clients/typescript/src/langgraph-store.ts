/**
 * MemoryEngineStore: LangGraph.js's BaseStore over memory-engine, so a LangGraph app swaps
 * InMemoryStore or PostgresStore for a durable, searchable, per-user store.
 *
 * Mapping. A namespace belongs to a user: the store's `userId`, or else the namespace's first
 * label. An item is one memory in the memory namespace "langgraph": its id is a UUIDv5 of
 * (namespace, key), so a put of the same key updates it; its content is the text that is
 * searched (the whole value as JSON, or the `index.fields` texts); the key, the namespace and
 * (when the content is not the JSON itself) the value ride in metadata; each prefix of the
 * namespace is a tag, which makes a prefix search one filtered query.
 *
 * Filters on value fields ($eq, $ne, $gt, $gte, $lt, $lte, or a plain value) are applied here,
 * after the service's own filtering by namespace prefix; a semantic search with a filter reads
 * up to `searchScanLimit` hits to find `limit` matching ones.
 */
import { createHash } from 'node:crypto';
import { BaseStore, getTextAtPath, validateNamespace, type Item, type Operation, type OperationResults, type SearchItem } from '@langchain/langgraph-checkpoint';
import type { MemoryClient } from './client.js';
import { MemoryEngineError } from './errors.js';
import type { Memory } from './generated/memory/v1/Memory.js';

/** The memory namespace of every item this store writes. */
export const LANGGRAPH_NAMESPACE = 'langgraph';
const KIND = 'langgraph-item';
const TAG_PREFIX = 'lg:';
/** A fixed UUID namespace for the item ids (UUIDv5). */
const ID_NAMESPACE = Buffer.from('5b0c6f2e9d3a4c1b8e7f60a1b2c3d4e5', 'hex');
const PAGE = 200;

export interface MemoryEngineStoreOptions {
  client: MemoryClient;
  /** Every namespace belongs to this user (e.g. with an API key scoped to it); default: the namespace's first label. */
  userId?: string;
  /** What is embedded and searched: paths into the value ("text", "meta.title", "chunks[*].body"); default the whole value as JSON. */
  index?: { fields?: string[] };
  /** Hits read at most to satisfy a filtered semantic search. Default 1,000 (the service's MAX_TOP_K). */
  searchScanLimit?: number;
}

type PutOp = { namespace: string[]; key: string; value: Record<string, unknown> | null; index?: false | string[] };
type GetOp = { namespace: string[]; key: string };
type SearchOp = { namespacePrefix: string[]; filter?: Record<string, unknown>; limit?: number; offset?: number; query?: string };
type ListOp = { matchConditions?: { matchType: 'prefix' | 'suffix'; path: string[] }[]; maxDepth?: number; limit: number; offset: number };

export class MemoryEngineStore extends BaseStore {
  private readonly client: MemoryClient;
  private readonly userId: string | undefined;
  private readonly fields: string[] | undefined;
  private readonly scanLimit: number;

  constructor(o: MemoryEngineStoreOptions) {
    super();
    this.client = o.client;
    this.userId = o.userId;
    this.fields = o.index?.fields;
    this.scanLimit = o.searchScanLimit ?? 1000;
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    // In order: a get after a put in the same batch sees the put, as with InMemoryStore.
    for (const op of operations as unknown[]) {
      // As InMemoryStore does: every namespace checked, an empty one refused (InvalidNamespaceError).
      if (typeof op === 'object' && op !== null && 'namespace' in op) validateNamespace(op.namespace as string[], { allowReservedRoot: true });
      if (isPut(op)) results.push(await this.putItem(op));
      else if (isGet(op)) results.push(await this.getItem(op));
      else if (isSearch(op)) results.push(await this.searchItems(op));
      else results.push(await this.listNamespacesOp(op as ListOp));
    }
    return results as OperationResults<Op>;
  }

  private userOf(namespace: string[]): string {
    const user = this.userId ?? namespace[0];
    if (!user) throw new MemoryEngineError({ code: 3, details: 'namespace: needs a first label (the user) when the store has no userId', method: 'LangGraphStore' });
    return user;
  }

  private async putItem(op: PutOp): Promise<void> {
    const userId = this.userOf(op.namespace);
    const id = itemId(op.namespace, op.key);
    if (op.value === null) {
      await this.client.forget({ userId, ids: [id] });
      return;
    }
    const json = JSON.stringify(op.value);
    const fields = op.index === false ? undefined : (op.index ?? this.fields);
    const text = fields ? fields.flatMap((f) => (f === '$' ? [json] : getTextAtPath(op.value, f))).join('\n') : json;
    const content = text.trim() ? text : json;
    const metadata: Record<string, string> = { lg_key: op.key, lg_namespace: JSON.stringify(op.namespace) };
    if (content !== json) metadata.lg_value = json;
    const memory = { id, content, kind: KIND, namespace: LANGGRAPH_NAMESPACE, tags: prefixTags(op.namespace), metadata };
    try {
      await this.client.remember({ userId, memory });
    } catch (e) {
      // The key exists with another value: a put replaces it (its created time stays).
      if (!(e instanceof MemoryEngineError) || e.status !== 'ALREADY_EXISTS') throw e;
      await this.client.update({ userId, id, content, tags: prefixTags(op.namespace), metadata, replaceMetadata: true, replaceTags: true });
    }
  }

  private async getItem(op: GetOp): Promise<Item | null> {
    try {
      return toItem(await this.client.get({ userId: this.userOf(op.namespace), id: itemId(op.namespace, op.key) }));
    } catch (e) {
      if (e instanceof MemoryEngineError && e.status === 'NOT_FOUND') return null;
      throw e;
    }
  }

  private async searchItems(op: SearchOp): Promise<SearchItem[]> {
    const offset = op.offset ?? 0;
    const limit = op.limit ?? 10;
    const filter = { namespaces: [LANGGRAPH_NAMESPACE], kinds: [KIND], ...(op.namespacePrefix.length ? { tagsAll: [prefixTag(op.namespacePrefix)] } : {}) };
    const users = this.userId || op.namespacePrefix.length ? [this.userOf(op.namespacePrefix)] : await this.allUsers();
    const matches = (item: Item) => !op.filter || Object.entries(op.filter).every(([k, want]) => compareValue(item.value[k], want));
    if (op.query) {
      const topK = Math.min(this.scanLimit, op.filter ? this.scanLimit : offset + limit);
      const hits: SearchItem[] = [];
      for (const userId of users) {
        const res = await this.client.search({ userId, query: op.query, topK, filter });
        for (const h of res.hits) {
          const item = toItem(h.memory!);
          if (matches(item)) hits.push({ ...item, score: h.score });
        }
      }
      hits.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
      return hits.slice(offset, offset + limit);
    }
    // No query: in the order the items were first put, as InMemoryStore returns them.
    const out: SearchItem[] = [];
    let skipped = 0;
    for (const userId of users) {
      for await (const memory of this.listAll(userId, filter)) {
        const item = toItem(memory);
        if (!matches(item)) continue;
        if (skipped < offset) skipped++;
        else out.push(item);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  private async listNamespacesOp(op: ListOp): Promise<string[][]> {
    const seen = new Map<string, string[]>();
    const users = this.userId ? [this.userId] : await this.allUsers();
    for (const userId of users) {
      for await (const memory of this.listAll(userId, { namespaces: [LANGGRAPH_NAMESPACE], kinds: [KIND] })) {
        const ns = JSON.parse(memory.metadata?.lg_namespace ?? '[]') as string[];
        seen.set(JSON.stringify(ns), ns);
      }
    }
    let namespaces = [...seen.values()].filter((ns) => (op.matchConditions ?? []).every((c) => matchesCondition(ns, c)));
    if (op.maxDepth !== undefined) {
      const cut = new Map(namespaces.map((ns) => ns.slice(0, op.maxDepth)).map((ns) => [JSON.stringify(ns), ns]));
      namespaces = [...cut.values()];
    }
    namespaces.sort((a, b) => a.join(':').localeCompare(b.join(':')));
    return namespaces.slice(op.offset ?? 0, (op.offset ?? 0) + (op.limit ?? namespaces.length));
  }

  private async *listAll(userId: string, filter: object): AsyncGenerator<Memory> {
    let pageToken = '';
    do {
      const page = await this.client.list({ userId, filter, pageSize: PAGE, pageToken, oldestFirst: true });
      yield* page.memories;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  private async allUsers(): Promise<string[]> {
    const users: string[] = [];
    let pageToken = '';
    do {
      const page = await this.client.call('ListUsers', { pageSize: PAGE, pageToken });
      users.push(...page.userIds);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return users;
  }
}

function isPut(op: unknown): op is PutOp {
  return typeof op === 'object' && op !== null && 'value' in op && 'key' in op;
}
function isGet(op: unknown): op is GetOp {
  return typeof op === 'object' && op !== null && 'key' in op && 'namespace' in op && !('value' in op);
}
function isSearch(op: unknown): op is SearchOp {
  return typeof op === 'object' && op !== null && 'namespacePrefix' in op;
}

/** UUIDv5 (RFC 9562) of the namespace and key: the same item always has the same memory id. */
export function itemId(namespace: string[], key: string): string {
  const hash = createHash('sha1')
    .update(ID_NAMESPACE)
    .update(JSON.stringify([...namespace, key]))
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function prefixTag(namespace: string[]): string {
  return TAG_PREFIX + namespace.map(encodeURIComponent).join('/');
}

function prefixTags(namespace: string[]): string[] {
  return namespace.map((_, i) => prefixTag(namespace.slice(0, i + 1)));
}

function toItem(m: Memory): Item {
  const md = m.metadata ?? {};
  return {
    value: JSON.parse(md.lg_value ?? m.content) as Record<string, unknown>,
    key: md.lg_key ?? m.id,
    namespace: JSON.parse(md.lg_namespace ?? '[]') as string[],
    createdAt: new Date(Number(m.createdAtMs)),
    updatedAt: new Date(Number(m.updatedAtMs)),
  };
}

function matchesCondition(ns: string[], c: { matchType: 'prefix' | 'suffix'; path: string[] }): boolean {
  if (c.path.length > ns.length) return false;
  const start = c.matchType === 'prefix' ? 0 : ns.length - c.path.length;
  return c.path.every((p, i) => p === '*' || ns[start + i] === p);
}

/** A value filter as LangGraph's stores read it: a plain value is equality; an object of $-operators compares. */
function compareValue(actual: unknown, want: unknown): boolean {
  if (want !== null && typeof want === 'object' && !Array.isArray(want) && Object.keys(want).some((k) => k.startsWith('$'))) {
    return Object.entries(want).every(([op, v]) => {
      switch (op) {
        case '$eq':
          return deepEqual(actual, v);
        case '$ne':
          return !deepEqual(actual, v);
        case '$gt':
          return (actual as number) > (v as number);
        case '$gte':
          return (actual as number) >= (v as number);
        case '$lt':
          return (actual as number) < (v as number);
        case '$lte':
          return (actual as number) <= (v as number);
        default:
          throw new MemoryEngineError({ code: 3, details: `filter: unsupported operator ${op}`, method: 'LangGraphStore' });
      }
    });
  }
  return deepEqual(actual, want);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
