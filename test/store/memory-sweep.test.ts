/** The embedded store forgets expired profiles even if nobody reads them again (like Redis TTLs). */
import { expect, it } from 'vitest';
import { MemoryProfileStore } from '../../engine/store/memory/memory-store';
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
