/** The embedded store forgets expired profiles even if nobody reads them again (like Redis TTLs). */
import { expect, it } from 'vitest';
import { MAX_NONCES, MemoryProfileStore } from '../../engine/store/memory/memory-store';
import { storeBounds } from './harness';

it('sweeps expired profiles and aliases', async () => {
  let time = 1000;
  const store = new MemoryProfileStore({
    clock: { now: () => time },
    anonymousTtlMs: 500,
    userTtlMs: 0,
    publish() {},
  });
  const context = {
    now: time,
    rulesVersion: 'r',
    streams: [],
    dedupeWindowMs: 0,
    maxEntriesPerStream: 100,
    ...storeBounds(),
  };
  await store.setTraits('anon-1', { a: 1 }, context);
  const exported = await store.exportProfile('anon-1', context);
  await store.absorb('user:u', 'u', exported, {}, context);
  expect(await store.retire('anon-1', 'user:u', exported!.record.version)).toBe(true);
  await store.setTraits('anon-2', { a: 2 }, context);
  expect(store.heldIds().sort()).toEqual(['anon-1', 'anon-2', 'user:u']);
  time = 1499;
  store.sweep();
  expect(store.heldIds()).toHaveLength(3);
  time = 1500;
  store.sweep();
  expect(store.heldIds()).toEqual(['user:u']);
  await store.close();
});

it('remembers at most MAX_NONCES nonces, refusing new ones (never forgetting a live one) when full', async () => {
  let time = 1000;
  const store = new MemoryProfileStore({
    clock: { now: () => time },
    anonymousTtlMs: 500,
    userTtlMs: 0,
    publish() {},
  });
  for (let i = 0; i < MAX_NONCES; i += 1)
    expect(await store.useOnce(`n${i}`, 2000 + (i % 2) * 1000)).toBe(true);
  expect(await store.useOnce('one-more', 5000)).toBe(false);
  expect(await store.useOnce('n0', 5000)).toBe(false);
  // Half of them expire: room again, and the expired ones may be used again.
  time = 2000;
  expect(await store.useOnce('one-more', 5000)).toBe(true);
  expect(await store.useOnce('n0', 5000)).toBe(true);
  expect(await store.useOnce('n1', 5000)).toBe(false);
  time = 3000;
  store.sweep();
  expect(await store.useOnce('n1', 5000)).toBe(true);
  await store.close();
});
