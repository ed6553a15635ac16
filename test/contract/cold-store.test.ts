/**
 * The ColdStore contract, on the metadata database's archive table (embedded PGlite) and on a
 * real S3-compatible server (SeaweedFS): records come back exactly as archived (fields, vector,
 * keyword vector), pages in id order without gaps, tenants apart, deletes report what was there.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColdStore } from '../../src/engine/archive/cold-store.js';
import { S3ColdStore } from '../../src/engine/archive/s3-cold-store.js';
import { TableColdStore } from '../../src/engine/archive/table-cold-store.js';
import { sparseFrom } from '../../src/engine/sparse-vector.js';
import { openPGlite } from '../../src/metadata/pglite/index.js';
import { SqlMetadataStore } from '../../src/metadata/sql-metadata-store.js';
import { randomUnitVector, rng } from '../helpers.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { makeRecord } from './vector-store-contract.js';

function coldStoreContract(name: string, open: () => Promise<{ cold: ColdStore; close: () => Promise<void> } | undefined>): void {
  describe(`ColdStore contract: ${name}`, () => {
    let h: Awaited<ReturnType<typeof open>>;
    const r = rng(7);
    beforeAll(async () => {
      h = await open();
    });
    afterAll(async () => h?.close());
    const test = (title: string, fn: (cold: ColdStore) => Promise<void>) => it(title, async (c) => (h ? fn(h.cold) : c.skip()));

    test('gives back exactly what was archived, and replaces by id', async (cold) => {
      const u = `u-${randomUUID()}`;
      const a = makeRecord(u, randomUnitVector(8, r), {
        content: 'naïve café ☕ facts',
        tags: ['t'],
        metadata: { k: 'v' },
        supersededBy: randomUUID(),
        validUntilMs: 5,
        keywords: sparseFrom(
          new Map([
            [3, 0.5],
            [9, 1.25],
          ]),
        ),
      });
      const b = makeRecord(u, randomUnitVector(8, r));
      await cold.put(u, [a, b]);
      const [got] = await cold.get(u, [a.id]);
      expect({ ...got, embedding: Array.from(got!.embedding), keywords: undefined }).toEqual({ ...a, embedding: Array.from(a.embedding), keywords: undefined });
      expect(Array.from(got!.keywords!.indices)).toEqual([3, 9]);
      await cold.put(u, [{ ...a, content: 'changed', version: 2 }]);
      expect((await cold.get(u, [a.id, 'missing', b.id])).map((x) => x.content)).toEqual(['changed', b.content]);
      expect(await cold.count(u)).toBe(2);
    });

    test('pages in id order without gaps or repeats, keeps tenants apart, and reports what a delete found', async (cold) => {
      const u = `ü/${randomUUID()}`; // any user id makes one safe key segment
      const other = `${u}x`;
      const recs = Array.from({ length: 23 }, () => makeRecord(u, randomUnitVector(8, r)));
      await cold.put(u, recs);
      await cold.put(other, [makeRecord(other, randomUnitVector(8, r))]);
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await cold.list(u, { limit: 5, ...(after ? { after } : {}) });
        seen.push(...page.records.map((x) => x.id));
        expect(page.records.every((x) => x.userId === u)).toBe(true);
        after = page.next;
      } while (after);
      expect(seen).toEqual(recs.map((x) => x.id).sort());
      expect(await cold.get(other, [recs[0]!.id])).toEqual([]);
      expect(await cold.delete(u, [recs[0]!.id, randomUUID()])).toEqual([recs[0]!.id]);
      expect(await cold.count(u)).toBe(22);
      expect(await cold.deleteUser(u)).toBe(22);
      expect(await cold.count(u)).toBe(0);
      expect(await cold.count(other)).toBe(1);
    });
  });
}

coldStoreContract('archive table (PGlite)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'me-cold-'));
  const metadata = new SqlMetadataStore({ kind: 'pglite', db: await openPGlite(join(dir, 'md')) });
  await metadata.open();
  return {
    cold: new TableColdStore(metadata.archive),
    close: async () => {
      await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

let s3: TestS3 | undefined;
coldStoreContract('S3 (SeaweedFS)', async () => {
  s3 = await startTestS3();
  if (!s3) return undefined;
  const cold = new S3ColdStore({
    bucket: 'contract',
    endpoint: s3.endpoint,
    region: 'us-east-1',
    accessKeyId: 'test',
    secretAccessKey: 'test',
    prefix: 'p/',
    forcePathStyle: true,
    concurrency: 8,
    timeoutMs: 30_000,
  });
  await cold.open();
  return {
    cold,
    close: async () => {
      cold.close();
      await s3?.stop();
    },
  };
});
