/**
 * Topic routing: a search whose query falls clearly in one topic can be scored exactly against
 * that topic's members instead of the whole index (the engine decides when to ask).
 */
import { cacheKeys, type UserGenerations } from '../engine/cache/keys.js';
import type { L1Cache } from '../engine/cache/l1-cache.js';
import type { TopicRouter } from '../engine/memory-engine.js';
import type { Logger } from 'pino';
import type { PrecomputeReads, TopicIndex, TopicView } from './reads.js';

export interface RoutingOptions {
  /** A query this similar to a topic's centroid is routed to it; 0 turns routing off. */
  minSimilarity: number;
  /** Topics with more members than this are never routed to. */
  maxMembers: number;
}

export class TopicRouting implements TopicRouter {
  private readonly loads = new Set<string>();

  constructor(
    private readonly d: { l1: L1Cache; reads: PrecomputeReads; log: Logger },
    private readonly o: RoutingOptions,
  ) {}

  /**
   * The members of the topic whose centroid is closest to `vector`, when that is at least
   * `minSimilarity` and the topic has at most `maxMembers` members; undefined otherwise. Only
   * answers from L1 (never waits): a miss loads the topics in the background.
   */
  route(userId: string, generations: UserGenerations, vector: Float32Array): string[] | undefined {
    if (this.o.minSimilarity <= 0) return undefined;
    const key = cacheKeys.topics(userId, generations);
    const index = this.d.l1.get<TopicIndex>(key, 'precomputed');
    if (!index) {
      if (!this.loads.has(key)) {
        this.loads.add(key);
        void this.d.reads
          .topicIndex(undefined, userId, generations)
          .catch((err: unknown) => this.d.log.debug({ err, userId }, 'topic index load failed'))
          .finally(() => this.loads.delete(key));
      }
      return undefined;
    }
    let best: TopicView | undefined;
    let bestSim = -Infinity;
    for (const t of index.topics) {
      const c = t.centroid;
      let s = 0;
      for (let d = 0; d < c.length; d++) s += c[d]! * vector[d]!;
      if (s > bestSim) [bestSim, best] = [s, t];
    }
    if (!best || bestSim < this.o.minSimilarity || best.size > this.o.maxMembers) return undefined;
    return best.memberIds;
  }
}
