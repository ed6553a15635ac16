/**
 * HDBSCAN over a k-nearest-neighbour graph (Campello, Moulavi, Sander 2013; McInnes & Healy's
 * accelerated formulation), in time that grows like n·k·log(n·k) once the neighbours are known.
 *
 * The textbook algorithm builds the minimum spanning tree of the complete mutual-reachability
 * graph, which costs O(n²) distances (hdbscan-ts is cubic in practice). Here the edges are only
 * the kNN edges the vector index already gives:
 *   1. core distance of a point = distance to its `minSamples`-th nearest other point;
 *   2. every kNN edge (a, b) weighs max(core(a), core(b), d(a, b)) (mutual reachability);
 *   3. Kruskal's minimum spanning forest over those edges (a radix sort, then union-find);
 *      components the kNN graph leaves apart are joined at infinite distance (they separate at
 *      the root, as far apart as possible);
 *   4. single-linkage tree, condensed tree for `minClusterSize`, stability of each cluster,
 *      selection by excess of mass (the root is never selected), labels; unassigned = noise.
 * With k ≥ minSamples the core distances are exact; the forest is exact whenever the true
 * mutual-reachability MST uses only kNN edges, which holds for all but the weakest links between
 * far-apart groups (tests check agreement with a full-graph reference on small inputs).
 *
 * Pure computation, no I/O: it runs in a worker thread (hdbscan-worker.ts) off the request path.
 */

export interface HdbscanOptions {
  /** Smallest group reported as a cluster. */
  minClusterSize: number;
  /** Neighbours that define a point's core distance (density); must be ≤ the graph's k. */
  minSamples: number;
}

/** A kNN graph: row i holds point i's nearest other points, nearest first. */
export interface KnnDistances {
  n: number;
  k: number;
  /** n×k point indices; -1 where a point has fewer than k neighbours. */
  neighbors: Int32Array;
  /** n×k distances (any metric), ascending within a row. */
  distances: Float32Array;
}

export interface HdbscanResult {
  /** Cluster of each point (0-based), -1 for noise. */
  labels: Int32Array;
  /** Membership strength in [0, 1] (0 for noise). */
  probabilities: Float32Array;
  clusterCount: number;
  /** Excess-of-mass stability of each reported cluster. */
  stabilities: number[];
}

/** Smallest distance used, so duplicate points give a large finite density instead of ∞. */
const MIN_DISTANCE = 1e-9;

/**
 * `points` (n×dims, optional): the points themselves, used only to join parts of the kNN graph
 * that are not connected at a finite estimate of their distance instead of at infinity (see
 * `bridgeComponents`). Without them such parts are joined at infinity.
 */
export function hdbscan(g: KnnDistances, o: HdbscanOptions, points?: { vectors: Float32Array; dims: number }): HdbscanResult {
  const { n, k } = g;
  if (!Number.isInteger(o.minClusterSize) || o.minClusterSize < 2) throw new RangeError('minClusterSize must be an integer ≥ 2');
  if (!Number.isInteger(o.minSamples) || o.minSamples < 1) throw new RangeError('minSamples must be an integer ≥ 1');
  if (n > o.minSamples && o.minSamples > k) throw new RangeError(`minSamples (${o.minSamples}) exceeds the graph's k (${k})`);
  if (n < o.minClusterSize) return { labels: new Int32Array(n).fill(-1), probabilities: new Float32Array(n), clusterCount: 0, stabilities: [] };

  const core = coreDistances(g, o.minSamples);
  const mst = spanningForest(g, core, o.minClusterSize, points);
  const tree = singleLinkage(n, mst);
  const condensed = condense(n, tree, o.minClusterSize);
  return select(n, condensed);
}

function coreDistances(g: KnnDistances, minSamples: number): Float64Array {
  const core = new Float64Array(g.n);
  for (let i = 0; i < g.n; i++) {
    let d = Infinity;
    const j = g.neighbors[i * g.k + minSamples - 1]!;
    if (j >= 0) d = g.distances[i * g.k + minSamples - 1]!;
    core[i] = Math.max(d, MIN_DISTANCE);
  }
  return core;
}

interface Forest {
  a: Int32Array;
  b: Int32Array;
  w: Float64Array;
}

/** Kruskal over the mutual-reachability weights of the kNN edges; n − 1 edges, ascending. */
function spanningForest(g: KnnDistances, core: Float64Array, minClusterSize: number, points?: { vectors: Float32Array; dims: number }): Forest {
  const { n, k } = g;
  const m = n * k;
  const weight = new Float32Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const e = i * k + j;
      const t = g.neighbors[e]!;
      weight[e] = t < 0 || t === i ? Infinity : Math.max(core[i]!, core[t]!, g.distances[e]!, MIN_DISTANCE);
    }
  }
  const order = sortByWeight(weight);
  const uf = new UnionFind(n);
  const a = new Int32Array(n - 1);
  const b = new Int32Array(n - 1);
  const w = new Float64Array(n - 1);
  let edges = 0;
  for (let x = 0; x < m && edges < n - 1; x++) {
    const e = order[x]!;
    const wt = weight[e]!;
    if (wt === Infinity) break;
    const i = Math.floor(e / k);
    const t = g.neighbors[e]!;
    const ri = uf.find(i);
    const rt = uf.find(t);
    if (ri === rt) continue;
    uf.union(ri, rt);
    a[edges] = i;
    b[edges] = t;
    w[edges] = wt;
    edges++;
  }
  // Join what the kNN graph left apart: at an estimated distance when the points are known…
  if (edges < n - 1 && points) {
    for (const e of bridgeParts(partsOf(uf, n), core, points.vectors, points.dims)) {
      if (edges >= n - 1) break;
      const ri = uf.find(e.a);
      const rt = uf.find(e.b);
      if (ri === rt) continue;
      uf.union(ri, rt);
      a[edges] = e.a;
      b[edges] = e.b;
      w[edges] = e.w;
      edges++;
    }
  }
  // …and whatever is still apart at infinite distance.
  if (edges < n - 1) {
    let first = -1;
    for (let i = 0; i < n && edges < n - 1; i++) {
      const r = uf.find(i);
      if (first < 0) {
        first = r;
        continue;
      }
      if (uf.find(first) === r) continue;
      uf.union(first, r);
      a[edges] = first;
      b[edges] = r;
      w[edges] = Infinity;
      edges++;
    }
  }
  return points ? shortenLinks({ a, b, w }, n, core, minClusterSize, points.vectors, points.dims) : { a, b, w };
}

/** Groups of points by union-find root. */
function partsOf(uf: UnionFind, n: number): number[][] {
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    let list = members.get(r);
    if (!list) members.set(r, (list = []));
    list.push(i);
  }
  return [...members.values()];
}

/**
 * The kNN graph rarely holds the closest pair between two well-separated groups (each point's
 * k nearest are in its own group), so the forest links groups through longer detours. That
 * overstates how far apart they are, makes the merged group look more stable than its parts,
 * and can merge real clusters. Fix-up: cut the forest's heaviest links into parts, look for
 * shorter links between the parts of at least `minClusterSize` points (bridgeParts), and take
 * the minimum spanning forest of the old edges plus those (the MST of the kNN graph plus the
 * new edges, by the cycle property).
 */
function shortenLinks(f: Forest, n: number, core: Float64Array, minClusterSize: number, vectors: Float32Array, dims: number): Forest {
  const m = f.w.length;
  const cuts = Math.min(255, Math.floor(n / minClusterSize));
  if (m === 0 || cuts < 1) return f;
  const heaviest = Array.from({ length: m }, (_, i) => i).sort((x, y) => f.w[y]! - f.w[x]!);
  const cut = new Uint8Array(m);
  for (let i = 0; i < cuts && i < m; i++) cut[heaviest[i]!] = 1;
  const uf = new UnionFind(n);
  for (let i = 0; i < m; i++) if (!cut[i]) uf.union(uf.find(f.a[i]!), uf.find(f.b[i]!));
  const major = partsOf(uf, n).filter((p) => p.length >= minClusterSize);
  if (major.length < 2) return f;
  const extra = bridgeParts(major, core, vectors, dims);
  if (extra.length === 0) return f;
  const total = m + extra.length;
  const ea = new Int32Array(total);
  const eb = new Int32Array(total);
  const ew = new Float32Array(total);
  for (let i = 0; i < m; i++) [ea[i], eb[i], ew[i]] = [f.a[i]!, f.b[i]!, f.w[i]!];
  extra.forEach((e, i) => ([ea[m + i], eb[m + i], ew[m + i]] = [e.a, e.b, e.w]));
  const order = sortByWeight(ew);
  const ufx = new UnionFind(n);
  const out: Forest = { a: new Int32Array(n - 1), b: new Int32Array(n - 1), w: new Float64Array(n - 1) };
  let edges = 0;
  for (let x = 0; x < total && edges < n - 1; x++) {
    const e = order[x]!;
    const ri = ufx.find(ea[e]!);
    const rj = ufx.find(eb[e]!);
    if (ri === rj) continue;
    ufx.union(ri, rj);
    out.a[edges] = ea[e]!;
    out.b[edges] = eb[e]!;
    // Weights of the original edges stay exact doubles (the float32 copy only sorted them).
    out.w[edges] = e < m ? f.w[e]! : extra[e - m]!.w;
    edges++;
  }
  return out;
}

/**
 * Candidate edges between groups of points, ascending by weight: an estimate of each group's
 * closest pair to its 3 nearest groups (by centroid, among the 64 largest). For groups A, B:
 * a = the point of A nearest B's centroid, b = the point of B nearest a, a' = the point of A
 * nearest b (b and a' among ≤ 256 evenly spaced points of their group); the edge (a', b)
 * weighs its mutual reachability. A real pair, so never shorter than the true closest one.
 * Cost O((n + 512·groups)·dims).
 */
function bridgeParts(parts: number[][], core: Float64Array, vectors: Float32Array, dims: number): { a: number; b: number; w: number }[] {
  if (parts.length < 2) return [];
  parts = [...parts].sort((x, y) => y.length - x.length);
  const centroids = parts.map((list) => {
    const c = new Float64Array(dims);
    for (const i of list) for (let d = 0; d < dims; d++) c[d]! += vectors[i * dims + d]!;
    for (let d = 0; d < dims; d++) c[d]! /= list.length;
    return c;
  });
  const dist2 = (i: number, c: ArrayLike<number>, off = 0) => {
    let s = 0;
    for (let d = 0; d < dims; d++) {
      const x = vectors[i * dims + d]! - c[off + d]!;
      s += x * x;
    }
    return s;
  };
  /** The member of `list` nearest to point `j` (or to a centroid), over ≤ 256 evenly spaced members. */
  const nearest = (list: number[], to: (i: number) => number, all = false) => {
    const step = all ? 1 : Math.max(1, Math.floor(list.length / 256));
    let best = -1;
    let bestD = Infinity;
    for (let x = 0; x < list.length; x += step) {
      const d = to(list[x]!);
      if (d < bestD) [bestD, best] = [d, list[x]!];
    }
    return { point: best, d2: bestD };
  };
  const anchors = Math.min(parts.length, 64);
  const out: { a: number; b: number; w: number }[] = [];
  for (let p = 0; p < parts.length; p++) {
    const cp = centroids[p]!;
    const near: { q: number; d: number }[] = [];
    for (let q = 0; q < anchors; q++) {
      if (q === p) continue;
      let s = 0;
      const cq = centroids[q]!;
      for (let d = 0; d < dims; d++) s += (cp[d]! - cq[d]!) ** 2;
      near.push({ q, d: s });
    }
    near.sort((x, y) => x.d - y.d);
    for (const { q } of near.slice(0, 3)) {
      const a0 = nearest(parts[p]!, (i) => dist2(i, centroids[q]!), true).point;
      const b = nearest(parts[q]!, (j) => dist2(j, vectors, a0 * dims)).point;
      const a1 = nearest(parts[p]!, (i) => dist2(i, vectors, b * dims));
      out.push({ a: a1.point, b, w: Math.max(core[a1.point]!, core[b]!, Math.sqrt(a1.d2), MIN_DISTANCE) });
    }
  }
  return out.sort((x, y) => x.w - y.w);
}

/**
 * Edge indices ordered by weight: LSD radix sort on the float32 bit patterns, which order like
 * the numbers for non-negative values (∞ included). Much faster than a comparator sort at n·k.
 */
export function sortByWeight(weight: Float32Array): Uint32Array {
  const m = weight.length;
  const keys = new Uint32Array(weight.buffer, weight.byteOffset, m);
  let idx = new Uint32Array(m);
  for (let i = 0; i < m; i++) idx[i] = i;
  let tmp = new Uint32Array(m);
  const count = new Uint32Array(65536);
  for (let shift = 0; shift < 32; shift += 16) {
    count.fill(0);
    for (let i = 0; i < m; i++) count[(keys[idx[i]!]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let c = 0; c < 65536; c++) {
      const x = count[c]!;
      count[c] = sum;
      sum += x;
    }
    for (let i = 0; i < m; i++) {
      const e = idx[i]!;
      tmp[count[(keys[e]! >>> shift) & 0xffff]!++] = e;
    }
    [idx, tmp] = [tmp, idx];
  }
  return idx;
}

class UnionFind {
  private readonly parent: Int32Array;
  private readonly rank: Uint8Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.rank = new Uint8Array(n);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[x] !== r) {
      const next = this.parent[x]!;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  /** Joins two roots; returns the new root. */
  union(ra: number, rb: number): number {
    const ka = this.rank[ra]!;
    const kb = this.rank[rb]!;
    if (ka < kb) {
      this.parent[ra] = rb;
      return rb;
    }
    this.parent[rb] = ra;
    if (ka === kb) this.rank[ra] = ka + 1;
    return ra;
  }
}

/** Single-linkage dendrogram: node n+i merges left[i] and right[i] at dist[i]; sizes of all nodes. */
interface Dendrogram {
  left: Int32Array;
  right: Int32Array;
  dist: Float64Array;
  size: Int32Array;
}

function singleLinkage(n: number, f: Forest): Dendrogram {
  const merges = n - 1;
  const left = new Int32Array(merges);
  const right = new Int32Array(merges);
  const dist = new Float64Array(merges);
  const size = new Int32Array(2 * n - 1);
  for (let i = 0; i < n; i++) size[i] = 1;
  const uf = new UnionFind(n);
  const nodeOf = new Int32Array(n);
  for (let i = 0; i < n; i++) nodeOf[i] = i;
  for (let i = 0; i < merges; i++) {
    const ra = uf.find(f.a[i]!);
    const rb = uf.find(f.b[i]!);
    const node = n + i;
    left[i] = nodeOf[ra]!;
    right[i] = nodeOf[rb]!;
    dist[i] = f.w[i]!;
    size[node] = size[left[i]!]! + size[right[i]!]!;
    nodeOf[uf.union(ra, rb)] = node;
  }
  return { left, right, dist, size };
}

/**
 * Condensed tree rows: `child` (a point index < n, or a cluster label ≥ n) leaves `parent`
 * (a cluster label ≥ n; the root is n) at `lambda` = 1/distance, with `childSize` points.
 */
interface Condensed {
  parent: number[];
  child: number[];
  lambda: number[];
  childSize: number[];
  clusters: number;
}

function condense(n: number, t: Dendrogram, minClusterSize: number): Condensed {
  const parent: number[] = [];
  const child: number[] = [];
  const lambdaOf: number[] = [];
  const childSize: number[] = [];
  const root = 2 * n - 2;
  const relabel = new Int32Array(2 * n - 1);
  relabel[root] = n;
  let nextLabel = n + 1;
  const lambda = (d: number) => (d === Infinity ? 0 : 1 / Math.max(d, MIN_DISTANCE));
  const add = (p: number, c: number, l: number, s: number) => {
    parent.push(p);
    child.push(c);
    lambdaOf.push(l);
    childSize.push(s);
  };
  /** Every point under `node` leaves cluster `p` at `l`. */
  const fallOut = (node: number, p: number, l: number) => {
    const stack = [node];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x < n) add(p, x, l, 1);
      else {
        stack.push(t.left[x - n]!, t.right[x - n]!);
      }
    }
  };
  // Top-down over internal nodes that still carry a cluster.
  const queue = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi]!;
    const i = node - n;
    const l = lambda(t.dist[i]!);
    const left = t.left[i]!;
    const right = t.right[i]!;
    const ls = t.size[left]!;
    const rs = t.size[right]!;
    const me = relabel[node]!;
    if (ls >= minClusterSize && rs >= minClusterSize) {
      relabel[left] = nextLabel++;
      add(me, relabel[left]!, l, ls);
      relabel[right] = nextLabel++;
      add(me, relabel[right]!, l, rs);
      if (left >= n) queue.push(left);
      else add(relabel[left]!, left, l, 1);
      if (right >= n) queue.push(right);
      else add(relabel[right]!, right, l, 1);
    } else if (ls < minClusterSize && rs < minClusterSize) {
      fallOut(left, me, l);
      fallOut(right, me, l);
    } else if (ls < minClusterSize) {
      fallOut(left, me, l);
      relabel[right] = me;
      if (right >= n) queue.push(right);
      else add(me, right, l, 1);
    } else {
      fallOut(right, me, l);
      relabel[left] = me;
      if (left >= n) queue.push(left);
      else add(me, left, l, 1);
    }
  }
  return { parent, child, lambda: lambdaOf, childSize, clusters: nextLabel - n };
}

/** Stabilities, excess-of-mass selection (root excluded), labels and membership strengths. */
function select(n: number, c: Condensed): HdbscanResult {
  const C = c.clusters;
  const rows = c.parent.length;
  const birth = new Float64Array(C);
  const parentOf = new Int32Array(C).fill(-1);
  for (let r = 0; r < rows; r++) {
    const ch = c.child[r]!;
    if (ch >= n) {
      birth[ch - n] = c.lambda[r]!;
      parentOf[ch - n] = c.parent[r]! - n;
    }
  }
  const stability = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    const p = c.parent[r]! - n;
    stability[p]! += (c.lambda[r]! - birth[p]!) * c.childSize[r]!;
  }
  // Children have larger labels than their parents: walk labels downwards.
  const selected = new Uint8Array(C);
  const childStability = new Float64Array(C);
  const children: number[][] = Array.from({ length: C }, () => []);
  for (let x = 1; x < C; x++) children[parentOf[x]!]!.push(x);
  for (let x = C - 1; x >= 1; x--) {
    const sub = childStability[x]!;
    if (children[x]!.length > 0 && sub > stability[x]!) {
      selected[x] = 0;
      stability[x] = sub;
    } else {
      selected[x] = 1;
      // Everything below a selected cluster is part of it.
      const stack = [...children[x]!];
      while (stack.length > 0) {
        const y = stack.pop()!;
        selected[y] = 0;
        stack.push(...children[y]!);
      }
    }
    childStability[parentOf[x]!]! += stability[x]!;
  }
  // Each cluster's nearest selected ancestor-or-self (top-down), then each point by the cluster it left.
  const owner = new Int32Array(C).fill(-1);
  for (let x = 1; x < C; x++) owner[x] = selected[x] ? x : owner[parentOf[x]!]!;
  const labelOf = new Int32Array(C).fill(-1);
  let clusterCount = 0;
  const stabilities: number[] = [];
  for (let x = 1; x < C; x++) {
    if (selected[x]) {
      labelOf[x] = clusterCount++;
      stabilities.push(stability[x]!);
    }
  }
  const labels = new Int32Array(n).fill(-1);
  const pointLambda = new Float64Array(n);
  const maxLambda = new Float64Array(clusterCount);
  for (let r = 0; r < rows; r++) {
    const ch = c.child[r]!;
    if (ch >= n) continue;
    const o = owner[c.parent[r]! - n]!;
    if (o < 0) continue;
    const label = labelOf[o]!;
    labels[ch] = label;
    pointLambda[ch] = c.lambda[r]!;
    if (c.lambda[r]! > maxLambda[label]!) maxLambda[label] = c.lambda[r]!;
  }
  const probabilities = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label < 0) continue;
    const max = maxLambda[label]!;
    probabilities[i] = max > 0 && Number.isFinite(max) ? Math.min(pointLambda[i]!, max) / max : 1;
  }
  return { labels, probabilities, clusterCount, stabilities };
}
