/** clusters: kNN graph from the index → HDBSCAN → topics (centroid, members, label, summary). */
import { randomUUID } from 'node:crypto';
import { toEuclidean } from '../../clusters/knn.js';
import { buildTopics } from '../../clusters/topics.js';
import { throwIfAborted } from '../../errors.js';
import { scrollAll } from '../../engine/vector/scroll-all.js';
import { KIND_TOPIC, type TopicBody } from '../artifacts.js';
import { words } from '../text.js';
import type { Counts, JobDeps, RunContext } from './context.js';
import { asInput, summarize, writeArtifacts, type ArtifactRow } from './shared.js';

export async function clustersJob(d: JobDeps, ctx: RunContext): Promise<Counts> {
  const { store, metadata, runner, o } = d;
  const t0 = performance.now();
  const records = await scrollAll(store, ctx.userId, { withVectors: true, signal: ctx.signal, pace: ctx.pace });
  const n = records.length;
  const readMs = performance.now() - t0;
  if (n < 2 * o.minClusterSize) {
    const w = await writeArtifacts(d, ctx, [], [KIND_TOPIC]);
    return { memories: n, topics: 0, ...w };
  }
  const dims = store.dimensions;
  const ids = records.map((r) => r.id);
  // Shared, not copied, with the clustering thread (which bridges components by these vectors):
  // at 100k memories a copy was another ~150 MB for the length of the run.
  const vectors = new Float32Array(new SharedArrayBuffer(n * dims * 4));
  for (let i = 0; i < n; i++) {
    vectors.set(records[i]!.embedding, i * dims);
    if (i % 1024 === 0) await ctx.pace();
  }
  const t1 = performance.now();
  const graph = await store.neighborGraph(ctx.userId, ids, vectors, o.knnK, { signal: ctx.signal, pace: ctx.pace });
  const knnMs = performance.now() - t1;
  const result = await runner.run(toEuclidean(graph, n), { minClusterSize: o.minClusterSize, minSamples: o.minSamples }, { vectors, dims }, ctx.signal);
  const t2 = performance.now();

  const terms: string[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    terms[i] = [...words(r.content), ...r.tags.map((t) => t.toLowerCase()), ...r.entities.map((e) => e.toLowerCase())];
    if (i % 256 === 0) await ctx.pace();
  }
  // Ids of topics that mostly survive (same members) are kept: clients can follow a topic.
  const previous = (await metadata.listPrecomputed(ctx.userId, KIND_TOPIC, true)).map((p) => ({ id: p.key, members: p.sources }));
  const topics = await buildTopics({ ids, vectors, dims, labels: result.labels, clusterCount: result.clusterCount, terms, previous, newId: randomUUID }, ctx.pace);

  const rows: ArtifactRow[] = [];
  let llmFailed = 0;
  for (const t of topics) {
    throwIfAborted(ctx.signal);
    await ctx.pace();
    const text = await summarize(
      d,
      t.members.map((i) => asInput(records[i]!)),
      o.summaryTokenBudget,
      `memories about "${t.label}"`,
      ctx.signal,
      ctx.llm,
    );
    if (text.llmFailed) llmFailed++;
    const body: TopicBody = { label: t.label, terms: t.terms, size: t.members.length, centroid: t.centroid, segments: text.segments, ...(text.llm ? { llm: text.llm } : {}) };
    rows.push({ kind: KIND_TOPIC, key: t.id, body, sources: t.members.map((i) => ids[i]!) });
  }
  const t3 = performance.now();
  const w = await writeArtifacts(d, ctx, rows, [KIND_TOPIC]);
  const noise = result.labels.reduce((s, l) => s + (l < 0 ? 1 : 0), 0);
  return {
    memories: n,
    topics: topics.length,
    noise,
    readMs: Math.round(readMs),
    knnMs: Math.round(knnMs),
    hdbscanMs: Math.round(result.ms),
    topicsMs: Math.round(t3 - t2),
    writeMs: Math.round(performance.now() - t3),
    llmCalls: ctx.llm.used,
    llmFailed,
    ...w,
  };
}
