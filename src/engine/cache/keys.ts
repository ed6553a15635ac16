/**
 * The one owner of cache keys: every key of L1 and L2 is built here, and USER_KEYSPACES lists
 * every keyspace that holds a user's data, so that invalidation and erasure (ForgetUser) reach
 * all of them by construction — a new keyspace added here is erased with the rest.
 *
 * A user's keys start with `<keyspace>:<userId>\0`: the NUL (refused in user ids) ends the id,
 * so one user's prefix never matches another's. Keys that depend on the user's cache generation
 * (searches, precomputed artifacts) carry it, so bumping it makes them unreachable everywhere.
 */

/** Keyspaces of cached user data, in L1 and L2. */
export const USER_KEYSPACES = {
  memory: 'm',
  search: 's',
  profile: 'pf',
  topics: 'tp',
  summary: 'sm',
  related: 'rl',
  /** Context assembly's candidate pools (a topic's, an entity's, a time window's memories). */
  contextPool: 'cx',
  /** The semantic query cache's index: recent query vectors per search options (L1 only). */
  similarQueries: 'sq',
} as const;

/** Redis-only bookkeeping per user (never in L1). */
export const USER_RECORDS = {
  /** Generation of the user's cached data (strong invalidation). */
  generation: 'gen',
  /** Generation of the user's precomputed artifacts (bumped after a run writes new ones). */
  artifacts: 'pgen',
  /** Time of the user's last write (search results older than it are stale sooner). */
  lastWrite: 'w',
  /** Sorted set of the user's recently accessed memories. */
  hot: 'hot',
} as const;

export type UserKeyspace = keyof typeof USER_KEYSPACES;

/** The prefix every key of `keyspace` for this user starts with. */
export function userPrefix(keyspace: UserKeyspace, userId: string): string {
  return `${USER_KEYSPACES[keyspace]}:${userId}\u0000`;
}

/** The generations a user's derived keys carry: cached data, and precomputed artifacts. */
export interface UserGenerations {
  gen: number;
  artifacts: number;
}

const versioned = (g: UserGenerations) => `${g.gen}.${g.artifacts}`;

export const cacheKeys = {
  memory: (userId: string, id: string) => `${userPrefix('memory', userId)}${id}`,
  search: (userId: string, gen: number, fingerprint: string) => `${userPrefix('search', userId)}${gen}:${fingerprint}`,
  profile: (userId: string, g: UserGenerations) => `${userPrefix('profile', userId)}${versioned(g)}`,
  topics: (userId: string, g: UserGenerations) => `${userPrefix('topics', userId)}${versioned(g)}`,
  summary: (userId: string, g: UserGenerations, kind: string, key: string) => `${userPrefix('summary', userId)}${versioned(g)}:${kind}:${key}`,
  related: (userId: string, g: UserGenerations, id: string) => `${userPrefix('related', userId)}${versioned(g)}:${id}`,
  /** Carries both generations: a pool of a topic changes with the run that made the topic. */
  contextPool: (userId: string, g: UserGenerations, source: string, key: string) => `${userPrefix('contextPool', userId)}${versioned(g)}:${source}:${key}`,
  /** A session's memories: only deletes move it (a precompute run changes nothing in it). */
  sessionPool: (userId: string, gen: number, sessionId: string) => `${userPrefix('contextPool', userId)}${gen}:session:${sessionId}`,
  /** Recent queries of one set of search options (everything but the query), by their vectors. */
  similarQueries: (userId: string, gen: number, optionsHash: string) => `${userPrefix('similarQueries', userId)}${gen}:${optionsHash}`,
  /** Not per user: the same text embeds the same for everyone. */
  embedding: (modelId: string, textHash: string) => `e:${modelId}:${textHash}`,
  record: (record: keyof typeof USER_RECORDS, userId: string) => `${USER_RECORDS[record]}:${userId}`,
};
