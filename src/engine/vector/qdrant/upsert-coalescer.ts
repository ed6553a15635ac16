/**
 * Concurrent upserts into one collection share one `wait=true` request: the first goes at once,
 * and those that arrive while it runs go together in the next (group commit, as the embedded
 * WAL does), up to MAX_POINTS per request. Single Remembers from many callers then cost Qdrant
 * one durable update each round instead of one each.
 *
 * A waiter whose points share an id with one already in the group starts the next group, so two
 * writes of the same point keep their order without relying on how Qdrant treats duplicates
 * inside one request. A caller that is cancelled stops waiting at once (its points may still be
 * written, as with a cancelled request already sent); a request carries the caller's signal only
 * when it serves that caller alone.
 */
import { throwIfAborted } from '../../../errors.js';

type PointId = string | number;

export interface CoalescerOptions<P extends { id: PointId }> {
  /** Sends one upsert (wait=true) of `points` to `collection`. */
  send: (collection: string, points: P[], signal: AbortSignal | undefined) => Promise<void>;
  /** Most points in one request. */
  maxPoints?: number;
}

interface Waiter<P> {
  points: P[];
  signal: AbortSignal | undefined;
  settled: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
  onAbort: () => void;
}

const DEFAULT_MAX_POINTS = 1000;

export class UpsertCoalescer<P extends { id: PointId }> {
  /** Per collection: the waiters queued behind the request in flight. */
  private readonly queues = new Map<string, Waiter<P>[]>();

  constructor(private readonly o: CoalescerOptions<P>) {}

  upsert(collection: string, points: P[], signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      throwIfAborted(signal); // a rejection of this promise
      const w: Waiter<P> = {
        points,
        signal,
        settled: false,
        resolve: () => settle(w, () => resolve()),
        reject: (err) => settle(w, () => reject(err)),
        onAbort: () => {
          try {
            throwIfAborted(signal);
          } catch (err) {
            w.reject(err);
          }
        },
      };
      signal?.addEventListener('abort', w.onAbort, { once: true });
      const queue = this.queues.get(collection);
      if (queue) {
        queue.push(w);
        return;
      }
      this.queues.set(collection, [w]);
      void this.run(collection);
    });
  }

  /** Sends groups for `collection` until nobody waits (the queue exists while this runs). */
  private async run(collection: string): Promise<void> {
    const queue = this.queues.get(collection)!;
    const max = this.o.maxPoints ?? DEFAULT_MAX_POINTS;
    while (queue.length > 0) {
      const group: Waiter<P>[] = [];
      const ids = new Set<PointId>();
      let size = 0;
      while (queue.length > 0) {
        const w = queue[0]!;
        if (w.settled) {
          queue.shift(); // cancelled while waiting
          continue;
        }
        if (group.length > 0 && (size + w.points.length > max || w.points.some((p) => ids.has(p.id)))) break;
        queue.shift();
        group.push(w);
        size += w.points.length;
        for (const p of w.points) ids.add(p.id);
      }
      if (group.length === 0) continue;
      const points = group.length === 1 ? group[0]!.points : group.flatMap((w) => w.points);
      try {
        await this.o.send(collection, points, group.length === 1 ? group[0]!.signal : undefined);
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.queues.delete(collection);
  }
}

function settle<P>(w: Waiter<P>, done: () => void): void {
  if (w.settled) return;
  w.settled = true;
  w.signal?.removeEventListener('abort', w.onAbort);
  done();
}
