import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { EmbeddedVectorStore } from '../../src/engine/vector/embedded/index.js';
import { CorruptLogError } from '../../src/durable/write-ahead-log.js';
import type { VectorStore } from '../../src/engine/vector/vector-store.js';
import { createLogger } from '../../src/observability/logger.js';
import { randomUnitVector, rng, tempDir } from '../helpers.js';
import { makeRecord, vectorStoreContract } from './vector-store-contract.js';
import { KeywordAnalyzer } from '../../src/engine/keywords/analyzer.js';
import { KeywordEncoder } from '../../src/engine/keywords/encoder.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function openStore(dir: string, dims: number, over: Partial<ConstructorParameters<typeof EmbeddedVectorStore>[0]> = {}): EmbeddedVectorStore {
  return new EmbeddedVectorStore({
    dir,
    dimensions: dims,
    modelId: `test-${dims}`,
    walSync: true,
    hnsw: { m: 16, efConstruction: 100 },
    indexMinMemories: 100,
    checkpointWalBytes: 1 << 30,
    checkpointIntervalMs: 3_600_000,
    compactDeadRatio: 0.3,
    log: createLogger('silent'),
    blockRows: 256, // small blocks: searches cross block edges in every test
    ...over,
  });
}

let contractDir = '';
vectorStoreContract('embedded (usearch + WAL)', {
  async open(dims) {
    contractDir = await tempDir();
    dirs.push(contractDir);
    const s = openStore(contractDir, dims);
    await s.open();
    return s;
  },
  async reopen(store: VectorStore) {
    await store.close();
    const s = openStore(contractDir, store.dimensions);
    await s.open();
    return s;
  },
  async cleanup() {},
});

/** Closes like a crash would leave it: no final checkpoint, so restart replays the WAL. */
async function closeWithoutCheckpoint(s: EmbeddedVectorStore): Promise<void> {
  (s as unknown as { checkpoint: () => Promise<void> }).checkpoint = async () => undefined;
  await s.close();
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('embedded store specifics', () => {
  const D = 24;
  const r = rng(99);
  const vec = () => randomUnitVector(D, r);

  it('builds the graph in the background and keeps recall once it has caught up; graph hits report the exact cosine', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = openStore(dir, D);
    await s.open();
    const u = 'graph-user';
    const recs = Array.from({ length: 1500 }, () => makeRecord(u, vec()));
    await s.upsert(u, recs);
    await until(() => s.partitionStats(u)!.indexedUpTo === 1500);
    let hit = 0;
    let worst = 0;
    for (let i = 0; i < 30; i++) {
      const q = Float32Array.from(vec());
      const exactHits = await s.search(u, { vector: q, k: 10, ef: 128, exact: true });
      const exact = new Map(exactHits.map((h) => [h.record.id, h.similarity]));
      for (const h of await s.search(u, { vector: q, k: 10, ef: 128, exact: false })) {
        const want = exact.get(h.record.id);
        if (want === undefined) continue;
        hit++;
        // The graph holds half-precision vectors; what a hit reports is rescored in float32.
        worst = Math.max(worst, Math.abs(h.similarity - want));
      }
    }
    expect(hit / 300).toBeGreaterThanOrEqual(0.97);
    expect(worst).toBeLessThan(1e-5);
    await s.close();
  });

  it('replays keyword vectors and keyword backfills from the WAL after a crash, and keeps them through compaction', async () => {
    const enc = new KeywordEncoder({ analyzer: new KeywordAnalyzer({ language: 'eng' }), k1: 1.2, b: 0.75, avgTerms: 16 });
    const dir = await tempDir();
    dirs.push(dir);
    const u = 'kw-crash';
    let s = openStore(dir, D);
    await s.open();
    const a = makeRecord(u, vec(), { content: 'lighthouse keeper', keywords: enc.document(u, 'lighthouse keeper') });
    const old = makeRecord(u, vec(), { content: 'an older note on glaciers' });
    await s.upsert(u, [a, old]);
    await s.setFields(u, [{ id: old.id, version: 1, keywords: enc.document(u, old.content) }]);
    await closeWithoutCheckpoint(s);
    s = openStore(dir, D);
    await s.open();
    const kw = async (text: string) => (await s.searchHybrid(u, { keyword: { vector: enc.query(u, text), k: 5 } })).keyword.map((h) => h.record.id);
    expect(await kw('lighthouse')).toEqual([a.id]);
    expect(await kw('glaciers')).toEqual([old.id]);
    // Many dead slots force a compaction (slots renumbered): the keyword index follows.
    const churn = Array.from({ length: 60 }, (_, i) => makeRecord(u, vec(), { content: `churn ${i}`, keywords: enc.document(u, `churn ${i}`) }));
    await s.upsert(u, churn);
    await s.delete(
      u,
      churn.map((c) => c.id),
    );
    await s.close(); // the final checkpoint compacts
    s = openStore(dir, D);
    await s.open();
    expect(await kw('lighthouse keeper')).toEqual([a.id]);
    expect(await kw('glaciers')).toEqual([old.id]);
    expect(await kw('churn')).toEqual([]);
    await s.close();
  });

  it('restarts from a checkpoint with its graph loaded and an empty WAL', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let s = openStore(dir, D);
    await s.open();
    const u = 'ckpt-user';
    const recs = Array.from({ length: 600 }, () => makeRecord(u, vec()));
    await s.upsert(u, recs);
    await until(() => s.partitionStats(u)!.indexedUpTo === 600);
    await s.checkpoint();
    await s.upsert(u, [makeRecord(u, vec(), { content: 'after checkpoint' })]);
    await s.close();
    s = openStore(dir, D);
    await s.open();
    const st = s.partitionStats(u)!;
    expect(st.live).toBe(601);
    expect(st.indexed).toBe(true);
    expect(st.indexedUpTo).toBeGreaterThanOrEqual(600);
    const hits = await s.search(u, { vector: recs[123]!.embedding, k: 1, ef: 64, exact: false });
    expect(hits[0]!.record.id).toBe(recs[123]!.id);
    await s.close();
  });

  it('cuts a torn WAL tail (never acknowledged) and keeps everything before it', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let s = openStore(dir, D);
    await s.open();
    const u = 'torn';
    const recs = Array.from({ length: 20 }, () => makeRecord(u, vec()));
    await s.upsert(u, recs);
    // Simulate a crash mid-write: no checkpoint, a half frame at the end of the log.
    await closeWithoutCheckpoint(s);
    const walDir = join(dir, 'wal');
    const [seg] = (await readdir(walDir))
      .filter((f) => f.endsWith('.log'))
      .sort()
      .reverse();
    await appendFile(join(walDir, seg!), Buffer.from([200, 1, 0, 0, 1, 2, 3, 4, 9, 9]));
    s = openStore(dir, D);
    await s.open();
    expect(await s.count(u)).toBe(20);
    await s.upsert(u, [makeRecord(u, vec())]);
    expect(await s.count(u)).toBe(21);
    await closeWithoutCheckpoint(s);
    s = openStore(dir, D);
    await s.open();
    expect(await s.count(u)).toBe(21);
    await s.close();
  });

  it('refuses to start on a WAL corrupted before its end', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = openStore(dir, D);
    await s.open();
    await s.upsert('c', [makeRecord('c', vec())]);
    await s.upsert('c', [makeRecord('c', vec())]);
    await closeWithoutCheckpoint(s);
    const walDir = join(dir, 'wal');
    const [seg] = (await readdir(walDir)).filter((f) => f.endsWith('.log'));
    const data = await readFile(join(walDir, seg!));
    data[20] = data[20]! ^ 0xff;
    await writeFile(join(walDir, seg!), data);
    await expect(openStore(dir, D).open()).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('compacts a partition with many deletes at checkpoint and still answers right', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = openStore(dir, D);
    await s.open();
    const u = 'compact';
    const recs = Array.from({ length: 400 }, () => makeRecord(u, vec()));
    await s.upsert(u, recs);
    await s.delete(
      u,
      recs.slice(0, 200).map((x) => x.id),
    );
    expect(s.partitionStats(u)!.size).toBe(400);
    await s.checkpoint();
    expect(s.partitionStats(u)).toMatchObject({ size: 200, live: 200 });
    const q = recs[300]!.embedding;
    expect((await s.search(u, { vector: q, k: 1, ef: 64, exact: false }))[0]!.record.id).toBe(recs[300]!.id);
    await until(() => s.partitionStats(u)!.indexedUpTo === 200);
    expect((await s.search(u, { vector: q, k: 1, ef: 64, exact: false }))[0]!.record.id).toBe(recs[300]!.id);
    await s.close();
  });

  it('refuses data of another dimension or model, naming the setting', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = openStore(dir, D);
    await s.open();
    await s.close();
    const dimErr = await openStore(dir, D + 1)
      .open()
      .catch((e: unknown) => e);
    expect(dimErr).toBeInstanceOf(ConfigError);
    expect((dimErr as ConfigError).variable).toBe('EMBEDDING_DIMENSIONS');
    const modelErr = await openStore(dir, D, { modelId: 'other' })
      .open()
      .catch((e: unknown) => e);
    expect((modelErr as ConfigError).variable).toBe('EMBEDDER');
  });

  it('survives concurrent writers and deletes of one user', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = openStore(dir, D);
    await s.open();
    const u = `conc-${randomUUID()}`;
    const recs = Array.from({ length: 300 }, () => makeRecord(u, vec()));
    await Promise.all(recs.map((x) => s.upsert(u, [x])));
    await Promise.all(recs.slice(0, 100).map((x) => s.delete(u, [x.id])));
    expect(await s.count(u)).toBe(200);
    await s.close();
  });

  it('closes without waiting for the graph to catch up after a bulk load, and loses nothing', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const dims = 384;
    const s = openStore(dir, dims, { walSync: false, blockRows: undefined });
    await s.open();
    const u = 'bulk';
    const r = rng(7);
    const recs = Array.from({ length: 12_000 }, () => makeRecord(u, randomUnitVector(dims, r)));
    for (let i = 0; i < recs.length; i += 1000) await s.upsert(u, recs.slice(i, i + 1000));
    const behind = s.partitionStats(u)!;
    expect(behind.indexedUpTo).toBeLessThan(recs.length); // seconds of inserts still queued
    const t0 = performance.now();
    await s.close();
    const closeMs = performance.now() - t0;
    // The saved graph stops where the worker was: the close did not wait for the rest.
    const manifest = JSON.parse(await readFile(join(dir, 'MANIFEST.json'), 'utf8')) as { partitions: Record<string, { indexUpTo: number }> };
    const [saved] = Object.values(manifest.partitions);
    expect(saved!.indexUpTo).toBeLessThan(recs.length);
    console.log(`close after a bulk load: ${Math.round(closeMs)} ms, graph saved up to slot ${saved!.indexUpTo} of ${recs.length}`);
    const again = openStore(dir, dims, { blockRows: undefined });
    await again.open();
    expect(await again.count(u)).toBe(recs.length);
    const probe = recs[recs.length - 1]!;
    expect((await again.search(u, { vector: probe.embedding, k: 1, ef: 64, exact: false }))[0]!.record.id).toBe(probe.id);
    await again.close();
  }, 120_000);
});
