/**
 * How long a cached result may be served after the user wrote: new memories are eventual
 * (README "Consistency"), so a result computed before a write is served for at most `maxLagMs`
 * more. Without the last write time (no L2 read) nothing says it is stale.
 */
export function withinWriteLag(at: number, lastWrite: number | undefined, now: number, maxLagMs: number): boolean {
  return !(lastWrite !== undefined && lastWrite > at && now - at > maxLagMs);
}
