/** Several MemoryObservers as one (the engine tells one; precompute and context both listen). The list is read on every call: observers may join later. */
import type { MemoryObserver } from './memory-engine.js';
import type { MemoryRecord } from './types.js';

export function allObservers(observers: readonly MemoryObserver[]): MemoryObserver {
  return {
    written: (userId: string, records: readonly MemoryRecord[], previous?: readonly MemoryRecord[]) => {
      for (const o of observers) o.written(userId, records, previous);
    },
    removed: async (userId: string, ids: readonly string[]) => {
      for (const o of observers) await o.removed(userId, ids);
    },
    userErased: async (userId: string) => {
      for (const o of observers) await o.userErased(userId);
    },
    sessionStarted: (userId: string, sessionId: string) => {
      for (const o of observers) o.sessionStarted(userId, sessionId);
    },
  };
}
