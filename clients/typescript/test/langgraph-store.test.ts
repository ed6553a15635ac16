/**
 * MemoryEngineStore held to LangGraph's own InMemoryStore: the same operations on both give the
 * same items, the same prefix searches (order, filters, offset and limit) and the same
 * namespaces; semantic search ranks by the service's retrieval; the items survive a restart.
 */
import { InMemoryStore, type BaseStore } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryClient } from '../src/index.js';
import { MemoryEngineStore, itemId } from '../src/langgraph-store.js';
import { serviceAvailable, startService, type Service } from './service.js';

const available = serviceAvailable();

const strip = (items: ({ key: string; namespace: string[]; value: Record<string, unknown> } | null)[]) => items.map((i) => (i ? { key: i.key, namespace: i.namespace, value: i.value } : null));

async function script(store: BaseStore, user: string): Promise<unknown[]> {
  const out: unknown[] = [];
  await store.put([user, 'prefs'], 'theme', { theme: 'dark', level: 3 });
  await store.put([user, 'prefs'], 'lang', { lang: 'en', level: 1 });
  await store.put([user, 'notes', 'travel'], 'n1', { text: 'Flight to Lisbon on May 3', level: 5, tags: ['trip'] });
  await store.put([user, 'notes', 'food'], 'n2', { text: 'Allergic to peanuts', level: 2 });
  await store.put([user, 'notes', 'food'], 'n3', { text: 'Loves green tea', level: 4 });
  // Overwrite and delete.
  await store.put([user, 'prefs'], 'theme', { theme: 'light', level: 3 });
  await store.delete([user, 'notes', 'food'], 'n3');
  out.push(strip([await store.get([user, 'prefs'], 'theme'), await store.get([user, 'notes', 'food'], 'n3'), await store.get([user, 'nowhere'], 'x')]));
  // Namespaces both refuse.
  for (const bad of [[], [user, ''], [user, 'a.b']])
    out.push(
      await store.get(bad, 'x').then(
        () => 'accepted',
        (e: Error) => e.name,
      ),
    );
  // Prefix searches without a query, with filters and paging.
  out.push(strip(await store.search([user])));
  out.push(strip(await store.search([user, 'notes'])));
  out.push(strip(await store.search([user], { filter: { level: { $gte: 3 } } })));
  out.push(strip(await store.search([user], { filter: { theme: 'light' } })));
  out.push(strip(await store.search([user], { filter: { level: { $ne: 3, $lt: 5 } } })));
  out.push(strip(await store.search([user], { limit: 2, offset: 1 })));
  // Namespaces.
  out.push(await store.listNamespaces({ prefix: [user] }));
  out.push(await store.listNamespaces({ prefix: [user, 'notes'] }));
  out.push(await store.listNamespaces({ prefix: [user], maxDepth: 2 }));
  out.push(await store.listNamespaces({ prefix: [user, '*', 'food'] }));
  out.push(await store.listNamespaces({ prefix: [user], suffix: ['food'] }));
  out.push(await store.listNamespaces({ prefix: [user], limit: 1, offset: 1 }));
  // A re-put of a deleted key comes back.
  await store.put([user, 'notes', 'food'], 'n3', { text: 'Loves oolong tea', level: 4 });
  out.push(strip([await store.get([user, 'notes', 'food'], 'n3')]));
  return out;
}

describe.skipIf(!available)('MemoryEngineStore (LangGraph.js BaseStore)', () => {
  let service: Service;
  let client: MemoryClient;
  beforeAll(async () => {
    service = await startService();
    client = new MemoryClient({ address: service.address });
  }, 90_000);
  afterAll(async () => {
    client?.close();
    await service?.destroy();
  });

  it('does what InMemoryStore does, operation for operation', async () => {
    const expected = await script(new InMemoryStore(), 'lg-user-1');
    const actual = await script(new MemoryEngineStore({ client }), 'lg-user-1');
    expect(actual).toEqual(expected);
  });

  it('keeps the created time and moves the updated time on a put of an existing key', async () => {
    const store = new MemoryEngineStore({ client });
    await store.put(['lg-user-2', 'prefs'], 'k', { v: 1 });
    const first = (await store.get(['lg-user-2', 'prefs'], 'k'))!;
    await new Promise((r) => setTimeout(r, 5));
    await store.put(['lg-user-2', 'prefs'], 'k', { v: 2 });
    const second = (await store.get(['lg-user-2', 'prefs'], 'k'))!;
    expect(second.value).toEqual({ v: 2 });
    expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
    expect(second.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
  });

  it('ranks a semantic search by relevance, within the prefix, with scores', async () => {
    const store = new MemoryEngineStore({ client, index: { fields: ['text'] } });
    await store.put(['lg-user-3', 'memories'], 'a', { text: 'Alice is allergic to peanuts and tree nuts' });
    await store.put(['lg-user-3', 'memories'], 'b', { text: 'Alice flies to Lisbon every May' });
    await store.put(['lg-user-3', 'memories'], 'c', { text: 'Alice plays the cello on weekends' });
    await store.put(['lg-user-3', 'elsewhere'], 'd', { text: 'peanuts peanuts peanuts allergy' });
    const hits = await store.search(['lg-user-3', 'memories'], { query: 'which foods cause an allergy? peanuts', limit: 2 });
    expect(hits.map((h) => h.key)).toHaveLength(2);
    expect(hits[0]!.key).toBe('a');
    expect(hits[0]!.value).toEqual({ text: 'Alice is allergic to peanuts and tree nuts' });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score!);
    expect(hits.map((h) => h.key)).not.toContain('d');
  });

  it('stores one user per store with userId, and keeps users apart', async () => {
    const alice = new MemoryEngineStore({ client, userId: 'lg-alice' });
    const bob = new MemoryEngineStore({ client, userId: 'lg-bob' });
    await alice.put(['memories'], 'm', { text: 'secret of alice' });
    expect(await bob.get(['memories'], 'm')).toBeNull();
    expect((await alice.get(['memories'], 'm'))!.value).toEqual({ text: 'secret of alice' });
    expect(await bob.listNamespaces({})).toEqual([]);
    expect(await alice.listNamespaces({})).toEqual([['memories']]);
  });

  it('names items by a stable UUID of namespace and key', () => {
    expect(itemId(['a', 'b'], 'k')).toBe(itemId(['a', 'b'], 'k'));
    expect(itemId(['a', 'b'], 'k')).not.toBe(itemId(['a'], 'b/k'));
    expect(itemId(['a'], 'k')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps items across a restart of the service (durable, unlike InMemoryStore)', async () => {
    const port = service.port;
    const store = new MemoryEngineStore({ client });
    await store.put(['lg-user-4', 'facts'], 'f', { fact: 'durable' });
    await service.stop();
    service = await startService({ port, dataDir: service.dataDir });
    expect((await store.get(['lg-user-4', 'facts'], 'f'))!.value).toEqual({ fact: 'durable' });
  });
});
