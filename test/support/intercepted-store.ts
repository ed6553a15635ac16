/**
 * A real VectorStore behind a proxy that logs every backend call (method, time, arguments) and
 * lets a test slow a call down or make it fail: how the tests make one backend slow or down on
 * purpose, and check that no call starts after a cancellation.
 */
import type { VectorStore } from '../../src/engine/vector/vector-store.js';

const ASYNC_METHODS = new Set(['get', 'search', 'searchBatch', 'searchHybrid', 'withoutKeywords', 'setFields', 'scroll', 'count', 'upsert', 'delete', 'deleteByFilter', 'dropTenant', 'neighborGraph']);

export interface StoreCall {
  method: string;
  at: number;
  args: unknown[];
}

/** Runs before each call: resolve to let it through (after a delay, say), throw to fail it. */
export type StoreHook = (method: string, args: unknown[]) => Promise<void> | void;

export function interceptStore(store: VectorStore): { store: VectorStore; calls: StoreCall[]; setHook(h: StoreHook | undefined): void } {
  const calls: StoreCall[] = [];
  let hook: StoreHook | undefined;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || !ASYNC_METHODS.has(prop)) return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      return async (...args: unknown[]) => {
        calls.push({ method: prop, at: performance.now(), args });
        await hook?.(prop, args);
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store: proxy, calls, setHook: (h) => (hook = h) };
}
