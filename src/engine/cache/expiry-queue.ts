/**
 * ExpiryQueue: the keys set with one TTL, in the order they expire. Every entry of a queue has
 * the same TTL, so insertion order is expiry order and `due` only looks at the head: the work of
 * a sweep is the number of entries that expired, never the size of the cache.
 *
 * A key may be in the queue more than once (set again later) or no longer in the cache
 * (evicted, invalidated); the caller checks each due key against the cache itself.
 */
export class ExpiryQueue {
  private keys: string[] = [];
  private expiresAt: number[] = [];
  private head = 0;

  constructor(readonly ttlMs: number) {}

  get length(): number {
    return this.keys.length - this.head;
  }

  push(key: string, nowMs: number): void {
    this.keys.push(key);
    this.expiresAt.push(nowMs + this.ttlMs);
  }

  /** Takes out and returns the keys whose time came at or before `nowMs`, at most `limit` of them (the first). */
  due(nowMs: number, limit = Infinity): string[] {
    const out: string[] = [];
    while (out.length < limit && this.head < this.keys.length && this.expiresAt[this.head]! <= nowMs) out.push(this.keys[this.head++]!);
    // Drop the consumed prefix once it is most of the arrays (amortized O(1) per key).
    if (this.head > 1024 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.expiresAt = this.expiresAt.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}
