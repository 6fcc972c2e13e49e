/**
 * The embedded store holds at most `maxProfiles` profiles: one more evicts the least recently
 * written anonymous profile, users only when no anonymous one is left; aliases are bounded too.
 */
import { describe, expect, it } from 'vitest';
import { assemblePersonalizer } from '../../engine/assemble';
import { MemoryProfileStore } from '../../engine/store/memory/memory-store';
import type { StoreContext } from '../../engine/store/types';
import { handRules } from '../store/hand-rules';
import { event, quietLogger, storeBounds } from './harness';

const context = (now: number): StoreContext => ({
  now,
  rulesVersion: 'r',
  streams: [{ id: 'buy', retentionMs: 60_000, carriesValue: false }],
  dedupeWindowMs: 60_000,
  maxEntriesPerStream: 100,
  ...storeBounds(),
});

const routed = (id: string, at: number) => [
  { event: { ...event('Order Completed', at, {}, id) }, entries: [{ stream: 'buy' }] },
];

describe('the embedded store cap', () => {
  it('evicts the least recently written anonymous profile first, then users', async () => {
    let time = 1000;
    const evicted: string[] = [];
    const store = new MemoryProfileStore({
      clock: { now: () => time },
      anonymousTtlMs: 0,
      userTtlMs: 0,
      publish() {},
      maxProfiles: 3,
      onEvict: (id) => evicted.push(id),
    });
    await store.ingest('anon-1', routed('a', time), context(time));
    await store.absorb('user:u1', 'u1', null, { plan: 'gold' }, context(time));
    await store.ingest('anon-2', routed('b', time), context(time));
    // anon-1 was written again since: anon-2 is now the least recently written anonymous one.
    time += 1;
    await store.ingest('anon-1', routed('c', time), context(time));
    await store.ingest('anon-3', routed('d', time), context(time));
    expect(evicted).toEqual(['anon-2']);
    expect(store.size).toBe(3);
    expect((await store.load('anon-2', context(time))).exists).toBe(false);
    expect((await store.load('anon-1', context(time))).exists).toBe(true);
    // Only users left: the least recently written user goes.
    await store.absorb('user:u2', 'u2', null, {}, context(time));
    await store.absorb('user:u3', 'u3', null, {}, context(time));
    expect(evicted).toEqual(['anon-2', 'anon-1', 'anon-3']);
    await store.absorb('user:u4', 'u4', null, {}, context(time));
    expect(evicted).toEqual(['anon-2', 'anon-1', 'anon-3', 'user:u1']);
    expect(store.size).toBe(3);
    expect((await store.load('user:u2', context(time))).exists).toBe(true);
    await store.close();
  });

  it('bounds aliases like profiles, the oldest first', async () => {
    const store = new MemoryProfileStore({
      clock: { now: () => 1000 },
      anonymousTtlMs: 60_000,
      userTtlMs: 0,
      publish() {},
      maxProfiles: 2,
    });
    for (const id of ['a1', 'a2', 'a3']) expect(await store.retire(id, 'user:u', 0)).toBe(true);
    expect(store.heldIds().sort()).toEqual(['a2', 'a3']);
    expect((await store.load('a1', context(1000))).id).toBe('a1');
    expect((await store.load('a3', context(1000))).id).toBe('user:u');
    await store.close();
  });

  it('through the Personalizer: maxEmbeddedProfiles holds, validated, and evicted profiles leave the due-set', async () => {
    await expect(
      assemblePersonalizer(
        handRules({ windowMs: 1000, threshold: 3, deadlineMs: 1000 }),
        () => {
          throw new Error('unused');
        },
        { logger: quietLogger, maxEmbeddedProfiles: 0 },
      ),
    ).rejects.toThrow(/maxEmbeddedProfiles must be a positive integer/);
    const engine = await assemblePersonalizer(
      handRules({ windowMs: 60_000, threshold: 3, deadlineMs: 60_000 }),
      () => {
        throw new Error('unused');
      },
      { logger: quietLogger, maxEmbeddedProfiles: 50 },
    );
    const now = Date.now();
    for (let i = 0; i < 200; i += 1)
      await engine.track(`anon-${i}`, [event('Product Viewed', now, { value: 500 }, `e${i}`)]);
    const store = engine.store as MemoryProfileStore;
    expect(store.size).toBe(50);
    expect(store.heldIds().sort()).toEqual(Array.from({ length: 50 }, (_, i) => `anon-${150 + i}`).sort());
    // Each profile scheduled its abandonment deadline; the evicted ones no longer wait for it.
    const dueSet = (
      engine as unknown as { parts: { dueSet: { scheduledAt(id: string): number | undefined } } }
    ).parts.dueSet;
    expect(dueSet.scheduledAt('anon-0')).toBeUndefined();
    expect(dueSet.scheduledAt('anon-199')).toBeGreaterThan(now);
    await engine.close();
  });
});
