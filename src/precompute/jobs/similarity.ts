/**
 * similarity: top-K neighbours of high-importance (or pinned) memories, for related-memory
 * expansion — a full rebuild, or an incremental pass over the memories added since.
 */
import { throwIfAborted } from '../../errors.js';
import type { MemoryRecord } from '../../engine/types.js';
import { scrollAll } from '../../engine/vector/scroll-all.js';
import { KIND_SIMILAR, type SimilarBody } from '../artifacts.js';
import type { Counts, JobDeps, RunContext } from './context.js';
import { writeArtifacts, type ArtifactRow } from './shared.js';

type Neighbors = { id: string; similarity: number }[];

/** Searches per batch: small, so a single search waiting behind it waits little. */
const BATCH = 64;
/** Past this many new memories an incremental pass costs more than a rebuild. */
const MAX_INCREMENTAL = 1000;

/** Incremental over `added` when the run was triggered by new memories (and they are few), else full. */
export function similarityJob(d: JobDeps, ctx: RunContext, added: readonly string[] | undefined): Promise<Counts> {
  const incremental = ctx.trigger === 'memories' && added !== undefined && added.length <= MAX_INCREMENTAL;
  return incremental ? similarityIncremental(d, ctx, added) : similarityFull(d, ctx);
}

async function neighborsOf(d: JobDeps, ctx: RunContext, records: MemoryRecord[], k: number): Promise<Map<string, Neighbors>> {
  const out = new Map<string, Neighbors>();
  for (let i = 0; i < records.length; i += BATCH) {
    throwIfAborted(ctx.signal);
    await ctx.pace();
    const chunk = records.slice(i, i + BATCH);
    const hits = await d.nearest(
      ctx.userId,
      chunk.map((r) => Float32Array.from(r.embedding)),
      k + 1,
      { queryClass: 'PRIMARY', signal: ctx.signal },
    );
    chunk.forEach((r, x) =>
      out.set(
        r.id,
        hits[x]!.filter((h) => h.record.id !== r.id)
          .slice(0, k)
          .map((h) => ({ id: h.record.id, similarity: h.similarity })),
      ),
    );
  }
  return out;
}

function similarRow(id: string, neighbors: Neighbors): ArtifactRow {
  const body: SimilarBody = { neighbors };
  return { kind: KIND_SIMILAR, key: id, body, sources: [id, ...neighbors.map((n) => n.id)] };
}

/** All high-importance memories' neighbour lists, rebuilt. */
async function similarityFull(d: JobDeps, ctx: RunContext): Promise<Counts> {
  const { store, o } = d;
  const important = await scrollAll(store, ctx.userId, { withVectors: true, filter: { minImportance: o.similarityMinImportance }, signal: ctx.signal, pace: ctx.pace });
  const pinned = await scrollAll(store, ctx.userId, { withVectors: true, filter: { pinned: true }, signal: ctx.signal, pace: ctx.pace });
  const all = new Map([...important, ...pinned].map((r) => [r.id, r]));
  const lists = await neighborsOf(d, ctx, [...all.values()], o.similarityTopK);
  const rows = [...lists].map(([id, n]) => similarRow(id, n));
  const w = await writeArtifacts(d, ctx, rows, [KIND_SIMILAR]);
  return { memories: all.size, mode: 0, ...w };
}

/**
 * Brings neighbour lists up to date with memories added since: each new memory gets its own
 * list when it is important, and enters the list of every listed memory among its 2K nearest
 * that it is closer to than that list's last entry.
 */
async function similarityIncremental(d: JobDeps, ctx: RunContext, newIds: readonly string[]): Promise<Counts> {
  const { store, metadata, o } = d;
  const k = o.similarityTopK;
  const isKeyMemory = (r: MemoryRecord) => r.pinned || r.importance >= o.similarityMinImportance;
  const fresh = await store.get(ctx.userId, newIds, { signal: ctx.signal });
  if (fresh.length === 0) return { memories: 0, mode: 1, written: 0 };
  const near = await neighborsOf(d, ctx, fresh, 2 * k);
  const candidates = new Set<string>();
  for (const list of near.values()) for (const n of list) candidates.add(n.id);
  const existing = new Map((await metadata.listPrecomputed(ctx.userId, KIND_SIMILAR, false, [...candidates])).map((r) => [r.key, (r.body as SimilarBody).neighbors]));
  const changed = new Map<string, Neighbors>();
  for (const r of fresh) {
    const list = near.get(r.id) ?? [];
    if (isKeyMemory(r)) changed.set(r.id, list.slice(0, k));
    for (const n of list) {
      const theirs = changed.get(n.id) ?? existing.get(n.id);
      if (!theirs) continue;
      if (theirs.some((x) => x.id === r.id)) continue;
      if (theirs.length >= k && theirs[theirs.length - 1]!.similarity >= n.similarity) continue;
      changed.set(n.id, [...theirs, { id: r.id, similarity: n.similarity }].sort((a, b) => b.similarity - a.similarity).slice(0, k));
    }
  }
  const rows = [...changed].map(([id, n]) => similarRow(id, n));
  const w = await writeArtifacts(d, ctx, rows);
  return { memories: fresh.length, mode: 1, updated: rows.length, ...w };
}
