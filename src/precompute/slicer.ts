/**
 * Cooperative time slicing for background work. A job's loops call `await slice()` between
 * units of work; once `sliceMs` has passed since the last turn, the event loop gets one
 * (setImmediate: pending I/O and timers run first), so a long job adds at most about `sliceMs`
 * to a request that arrives while it runs. `await` alone does not do this: a resolved promise
 * resumes in the same turn, before any I/O.
 *
 * With `busy`, the turn becomes a pause while the service is busy with requests, long enough
 * that the job works only `busyShare` of the time (a slice that took t ms is followed by
 * t·(1 − share)/share ms of rest; what it waited for, such as a batch in the index worker,
 * counts as its work). Under load a job takes a small, fixed share of the CPU instead of
 * competing as an equal, and runs at full speed again once the load is gone.
 *
 * With `gate`, a job waits at its next slice while an operator has paused background jobs.
 */
import { sleep } from '../sleep.js';
export type Slice = () => Promise<void>;

export interface SliceOptions {
  sliceMs?: number;
  busy?: () => boolean;
  /** Share of the time a job works while `busy` (0 < share ≤ 1; 1 = never pause). */
  busyShare?: number;
  /** Ends a pause early (the job is being cancelled). */
  signal?: AbortSignal;
  /** An operator's pause (see PauseGate): checked at every slice, not only once `sliceMs` has passed. */
  gate?: { readonly paused: boolean; wait(signal?: AbortSignal): Promise<void> };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function timeSlicer(o: SliceOptions = {}): Slice {
  const sliceMs = o.sliceMs ?? 5;
  const share = Math.min(1, Math.max(0.01, o.busyShare ?? 0.1));
  let since = performance.now();
  return async () => {
    if (o.gate?.paused) {
      await o.gate.wait(o.signal);
      since = performance.now();
      return;
    }
    const worked = performance.now() - since;
    if (worked < sliceMs) return;
    if (o.busy && share < 1 && o.busy()) await sleep(Math.min(1000, (worked * (1 - share)) / share), o.signal);
    else await turn();
    since = performance.now();
  };
}
