// @ts-check
/**
 * HNSW worker thread of the embedded vector store. It owns one usearch graph per partition.
 *
 * Vectors are unit length, so the graph uses inner product (distance = 1 − cosine) and skips
 * recomputing norms: ~10% more searches per second than the cosine metric, same ranking.
 *
 * usearch's calls are synchronous and inserting costs ~0.35 ms a vector (M=16, efC=100, 384-d),
 * so building graphs on the main thread would stall every request. Here inserts run in small
 * chunks and searches are answered between chunks, so a search waits at most one chunk.
 *
 * Mutations (create, add, remove, save, load, drop) are applied strictly in the order they
 * arrive; searches are answered at once against whatever the graph holds. The main thread
 * covers slots not yet confirmed by `added` with an exact scan, so nothing is ever missed.
 *
 * Messages in:  {t:'create'|'load', key, dims, m, efc, path?, id?} {t:'add', key, keys:Float64Array, vectors:Float32Array, upTo}
 *               {t:'remove', key, keys:Float64Array} {t:'save', id, key, path} {t:'drop', key}
 *               {t:'search', id, key, vector:Float32Array, count}
 *               {t:'settle'} (at shutdown, out of order: stop inserting; see settle())
 * Messages out: {t:'added', key, upTo} {t:'reply', id, ...} {t:'error', id?, key?, message}
 */
import { parentPort } from 'node:worker_threads';
import { Index, MetricKind, ScalarKind } from 'usearch';

const CHUNK = 16;
/** Threads of a batch search, and the search contexts every graph reserves when it grows. */
const SEARCH_THREADS = 2;
/** @type {Map<string, {index: Index, addedUpTo: number, epoch: number}>} */
const graphs = new Map();
/** @type {any[]} */
const queue = [];
let draining = false;

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

port.on('message', (msg) => {
  if (msg.t === 'search') {
    answerSearch(msg);
    return;
  }
  if (msg.t === 'knn') {
    answerKnn(msg);
    return;
  }
  if (msg.t === 'settle') {
    settle();
    return;
  }
  queue.push(msg);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
});

/** @param {any} msg */
function answerSearch(msg) {
  const g = graphs.get(msg.key);
  if (!g || g.index.size() === 0) {
    port.postMessage({ t: 'reply', id: msg.id, keys: new Float64Array(0) });
    return;
  }
  try {
    const count = Math.min(msg.count, g.index.size());
    const r = g.index.search(msg.vector, count, 1);
    const keys = new Float64Array(r.keys.length);
    for (let i = 0; i < r.keys.length; i++) keys[i] = Number(r.keys[i]);
    // Keys only: the main thread rescores candidates from its float32 rows (the graph is float16).
    port.postMessage({ t: 'reply', id: msg.id, keys, epoch: g.epoch }, [keys.buffer]);
  } catch (err) {
    port.postMessage({ t: 'error', id: msg.id, message: String(err) });
  }
}

/**
 * A batch of queries in one call (the clustering job's kNN graph), on two threads. usearch
 * keeps one search context per thread it reserved capacity for; `add` reserves two (see
 * applyStep), and a graph that has only one (loaded from an older save) is searched on one.
 * Callers send small batches so single searches wait little.
 * @param {any} msg
 */
function answerKnn(msg) {
  const g = graphs.get(msg.key);
  const dims = msg.dims;
  const queries = msg.vectors.length / dims;
  if (!g || g.index.size() === 0 || queries === 0) {
    port.postMessage({ t: 'reply', id: msg.id, keys: new Float64Array(0), counts: new Float64Array(0), count: 0, epoch: g?.epoch });
    return;
  }
  try {
    const count = Math.min(msg.count, g.index.size());
    /** @type {any} */
    let r;
    try {
      r = g.index.search(msg.vectors, count, SEARCH_THREADS);
    } catch {
      r = g.index.search(msg.vectors, count, 1);
    }
    const keys = new Float64Array(queries * count).fill(-1);
    const counts = new Float64Array(queries);
    if (queries === 1) {
      for (let i = 0; i < r.keys.length; i++) keys[i] = Number(r.keys[i]);
      counts[0] = r.keys.length;
    } else {
      for (let q = 0; q < queries; q++) {
        const c = Number(r.counts[q]);
        counts[q] = c;
        for (let j = 0; j < c; j++) keys[q * count + j] = Number(r.keys[q * count + j]);
      }
    }
    port.postMessage({ t: 'reply', id: msg.id, keys, counts, count, epoch: g.epoch }, [keys.buffer, counts.buffer]);
  } catch (err) {
    port.postMessage({ t: 'error', id: msg.id, message: String(err) });
  }
}

/** @param {number} dims @param {number} m @param {number} efc */
function newIndex(dims, m, efc) {
  // expansion_search stays small: callers ask for max(k, ef) results, which is the beam width.
  // Half-precision vectors: the graph only picks candidates, and the main thread rescores them
  // exactly from its own float32 rows, so this copy of every vector costs half as much.
  return new Index({ metric: MetricKind.IP, dimensions: dims, connectivity: m, expansion_add: efc, expansion_search: 16, quantization: ScalarKind.F16, multi: false });
}

/**
 * Shutdown: the graphs stop where they are instead of catching up (after a bulk load that takes
 * minutes), so the final checkpoint's saves run at once. Queued inserts are dropped and the one
 * in progress ends at what it has added; its watermark is then the slot after its last insert
 * (slots are sent in order, and the ones skipped are dead). Queued removals are dropped too:
 * loading a saved graph removes every dead slot below its watermark. The next start sends the
 * graphs the rest.
 */
function settle() {
  for (let i = queue.length - 1; i >= 0; i--) {
    const m = queue[i];
    if (m.t === 'remove') queue.splice(i, 1);
    if (m.t !== 'add') continue;
    const done = m.done ?? 0;
    if (done === 0) {
      queue.splice(i, 1);
      continue;
    }
    const dims = m.vectors.length / m.keys.length;
    m.vectors = m.vectors.subarray(0, done * dims);
    m.upTo = m.keys[done - 1] + 1;
    m.keys = m.keys.subarray(0, done);
  }
}

function drain() {
  const msg = queue[0];
  if (!msg) {
    draining = false;
    return;
  }
  try {
    if (applyStep(msg)) queue.shift();
  } catch (err) {
    queue.shift();
    port.postMessage({ t: 'error', id: msg.id, key: msg.key, message: String(err) });
  }
  setImmediate(drain);
}

/**
 * Applies (part of) one queued mutation. Returns true when the message is finished; an add is
 * done CHUNK vectors at a time so that searches interleave.
 * @param {any} msg
 */
function applyStep(msg) {
  switch (msg.t) {
    case 'create':
      graphs.set(msg.key, { index: newIndex(msg.dims, msg.m, msg.efc), addedUpTo: 0, epoch: msg.epoch });
      return true;
    case 'load': {
      const index = newIndex(msg.dims, msg.m, msg.efc);
      index.load(msg.path);
      graphs.set(msg.key, { index, addedUpTo: msg.upTo, epoch: msg.epoch });
      port.postMessage({ t: 'reply', id: msg.id, size: index.size() });
      return true;
    }
    case 'add': {
      const g = graphs.get(msg.key);
      if (!g || g.epoch !== msg.epoch) return true; // dropped or rebuilt meanwhile
      const done = msg.done ?? 0;
      const n = Math.min(CHUNK, msg.keys.length - done);
      if (n > 0) {
        const keys = new BigUint64Array(n);
        for (let i = 0; i < n; i++) keys[i] = BigInt(msg.keys[done + i]);
        const dims = msg.vectors.length / msg.keys.length;
        // Adds run on one thread, except the one that makes usearch grow the graph: its thread
        // count is how many search contexts the graph reserves (batch searches need two).
        const growing = g.index.size() + n >= g.index.capacity();
        g.index.add(keys, msg.vectors.subarray(done * dims, (done + n) * dims), growing ? SEARCH_THREADS : 1);
        msg.done = done + n;
      }
      if (msg.done < msg.keys.length) return false;
      g.addedUpTo = msg.upTo;
      port.postMessage({ t: 'added', key: msg.key, upTo: msg.upTo, epoch: msg.epoch });
      return true;
    }
    case 'remove': {
      const g = graphs.get(msg.key);
      if (g && msg.keys.length > 0) {
        const keys = new BigUint64Array(msg.keys.length);
        for (let i = 0; i < msg.keys.length; i++) keys[i] = BigInt(msg.keys[i]);
        g.index.remove(keys);
      }
      return true;
    }
    case 'save': {
      const g = graphs.get(msg.key);
      if (!g) {
        port.postMessage({ t: 'reply', id: msg.id, saved: false, upTo: 0 });
        return true;
      }
      g.index.save(msg.path);
      port.postMessage({ t: 'reply', id: msg.id, saved: true, upTo: g.addedUpTo, epoch: g.epoch });
      return true;
    }
    case 'drop':
      graphs.delete(msg.key);
      return true;
    default:
      throw new Error(`unknown message ${String(msg.t)}`);
  }
}
