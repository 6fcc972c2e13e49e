/**
 * The copies of listened profiles that events' outcomes are predicted from: bounded, only while
 * someone listens, and gone from every process when the profile is forgotten or its consent
 * withdrawn, and from a process whose pub/sub link dropped (it may have missed such a notice).
 */
import Redis from 'ioredis';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { assemblePersonalizer } from '../../engine/assemble';
import type { PersonalizerEngine } from '../../engine/personalizer';
import { RecentProfiles, type RecentProfilesOptions } from '../../engine/store/recent-profiles';
import { emptyRecord } from '../../engine/store/record';
import type { ProfileRecord } from '../../engine/store/types';
import { handRules } from '../store/hand-rules';
import { Harness, quietLogger, uid, view } from '../store/harness';
import { cutPubSubLinks, withConnectionName } from '../support/pubsub-links';

const stored = (id: string, entries = 1): ProfileRecord => ({
  ...emptyRecord(id),
  exists: true,
  version: 1,
  firstSeenAt: 0,
  streams: { views: { times: Array.from({ length: entries }, (_, i) => i) } },
});

/**
 * A RecentProfiles that keeps 10 profiles of up to 10 entries in 64 KiB for 1 s, all listened,
 * unless told otherwise.
 */
const recentProfiles = (options: Partial<RecentProfilesOptions> = {}) =>
  new RecentProfiles({
    maxProfiles: 10,
    maxBytes: 64 * 1024,
    maxAgeMs: 1000,
    maxEntries: 10,
    isListened: () => true,
    ...options,
  });

/** The bytes the copies are kept in (private: read here to prove what is and is not left there). */
const bufferOf = (recent: RecentProfiles) => (recent as unknown as { buffer: Buffer }).buffer;

describe('RecentProfiles', () => {
  it('keeps at most maxProfiles, dropping the one remembered longest ago', () => {
    const recent = recentProfiles({ maxProfiles: 2 });
    recent.remember(stored('a'), 0);
    recent.remember(stored('b'), 1);
    recent.remember(stored('a'), 2); // remembered again: now the most recent
    recent.remember(stored('c'), 3);
    expect([recent.get('a', 3), recent.get('b', 3), recent.get('c', 3)].map((r) => r?.id)).toEqual([
      'a',
      undefined,
      'c',
    ]);
    expect(recent.size).toBe(2);
  });

  it('gives back the record as it was remembered, whatever is done to either object since', () => {
    const recent = recentProfiles();
    const record: ProfileRecord = {
      ...stored('a', 3),
      rulesVersion: 'r1',
      memberships: { reader: { since: 5 } },
      dueAt: 60_005,
      traits: { plan: 'gold', tags: ['x'] },
      context: { tz: 'UTC' },
      contextAt: 2,
      streams: {
        views: { times: [0, 1, 2], values: ['news', '', 'tech'], firstSeen: 0, lastSeen: 2 },
        buys: { times: [1] },
      },
    };
    const expected = structuredClone(record);
    recent.remember(record, 0);
    record.memberships['buyer'] = { since: 6 };
    record.streams['views']!.times.push(3);
    record.streams['views']!.values!.push('late');
    const first = recent.get('a', 1)!;
    expect(first).toStrictEqual(expected);
    first.traits['plan'] = 'silver';
    expect(recent.get('a', 2)).toStrictEqual(expected);
  });

  it('makes room in maxBytes by dropping the copies remembered longest ago, round and round', () => {
    // A copy of `stored(id)` takes about 200 bytes: 2 KiB holds about 9 of them, and 100
    // remembered in turn go round the buffer about 10 times. Forgotten copies leave holes.
    const recent = recentProfiles({ maxProfiles: 100, maxBytes: 2048, maxEntries: 100 });
    const ids = Array.from({ length: 100 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    const forgotten = new Set<string>();
    ids.forEach((id, i) => {
      recent.remember(stored(id, 1 + (i % 3)), i);
      if (i % 5 === 4) {
        recent.forget(ids[i - 1]!);
        forgotten.add(ids[i - 1]!);
      }
    });
    const kept = ids.filter((id) => recent.get(id, 100) !== undefined);
    expect(kept.length).toBe(recent.size);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    // What is kept is the most recently remembered, with no gap but the forgotten, and intact.
    const first = ids.indexOf(kept[0]!);
    expect(kept).toEqual(ids.slice(first).filter((id) => !forgotten.has(id)));
    expect(kept.at(-1)).toBe('p99');
    kept.forEach((id) => {
      const i = ids.indexOf(id);
      expect(recent.get(id, 100)).toStrictEqual(stored(id, 1 + (i % 3)));
    });
  });

  it('does not keep a copy larger than an eighth of maxBytes', () => {
    const recent = recentProfiles({ maxBytes: 8 * 300, maxEntries: 1000 });
    recent.remember(stored('small', 1), 0);
    recent.remember(stored('large', 50), 0);
    expect([recent.get('small', 0)?.id, recent.get('large', 0)]).toEqual(['small', undefined]);
  });

  it('zeroes the bytes of a copy it forgets, sweeps or clears: no visitor data is left in memory', () => {
    const recent = recentProfiles();
    const visitor = (id: string): ProfileRecord => ({
      ...stored(id),
      traits: { email: `${id}@example.com` },
    });
    for (const id of ['erased', 'stale', 'other']) recent.remember(visitor(id), id === 'stale' ? 0 : 900);
    const text = () => bufferOf(recent).toString('latin1');
    expect(text()).toContain('erased@example.com');
    recent.forget('erased');
    recent.sweep(1500);
    expect(text()).not.toContain('erased@example.com');
    expect(text()).not.toContain('stale@example.com');
    expect(text()).toContain('other@example.com');
    const written = (recent as unknown as { head: number }).head;
    recent.clear();
    expect(recent.size).toBe(0);
    expect(
      bufferOf(recent)
        .subarray(0, written)
        .every((byte) => byte === 0),
    ).toBe(true);
  });

  it('does not use or keep a copy older than maxAgeMs, and sweeps them', () => {
    const recent = recentProfiles();
    recent.remember(stored('a'), 0);
    recent.remember(stored('b'), 500);
    expect(recent.get('a', 1000)?.id).toBe('a');
    expect(recent.get('a', 1001)).toBeUndefined();
    expect(recent.size).toBe(1);
    recent.sweep(1501);
    expect(recent.size).toBe(0);
  });

  it('keeps no large profile, no profile that does not exist, and nothing with maxProfiles 0', () => {
    const recent = recentProfiles({ maxEntries: 3 });
    recent.remember(stored('small', 3), 0);
    recent.remember(stored('large', 4), 0);
    recent.remember(emptyRecord('gone'), 0);
    expect(recent.size).toBe(1);
    recent.remember(stored('small', 4), 1); // grew past the bound: the old copy goes too
    expect(recent.get('small', 1)).toBeUndefined();
    const none = recentProfiles({ maxProfiles: 0, maxEntries: 3 });
    none.remember(stored('a'), 0);
    expect(none.size).toBe(0);
  });

  it('keeps only the profiles someone listens to, and drops a copy once nobody does', () => {
    const listened = new Set(['a', 'b']);
    const recent = recentProfiles({ isListened: (id) => listened.has(id) });
    for (const id of ['a', 'b', 'c']) recent.remember(stored(id), 0);
    expect(recent.size).toBe(2);
    listened.delete('a');
    expect(recent.get('a', 0)).toBeUndefined();
    listened.delete('b');
    recent.sweep(0);
    expect(recent.size).toBe(0);
  });
});

describe('copies across processes (real Redis)', () => {
  const rules = handRules({ windowMs: 60_000, threshold: 3, deadlineMs: 60_000 });
  const keyPrefix = new Harness({ kind: 'memory' }).keyPrefix;
  const start = () =>
    assemblePersonalizer(rules, () => rules, { redis: inject('redisUrl'), keyPrefix, logger: quietLogger });
  const copyOf = (engine: PersonalizerEngine, profileId: string) =>
    (engine as unknown as { fastPath: { recent: RecentProfiles } }).fastPath.recent.get(
      profileId,
      Date.now(),
    );
  const eventually = async (check: () => boolean) => {
    const deadline = Date.now() + 2000;
    while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return check();
  };

  it('drops every process’s copy of a forgotten profile, and of one whose consent is withdrawn', async () => {
    const [here, there] = await Promise.all([start(), start()]);
    try {
      const forgotten = uid('anon');
      const withdrawn = uid('anon');
      const listening = [here.subscribe(forgotten, () => {}), here.subscribe(withdrawn, () => {})];
      await Promise.all(listening.map((unsubscribe) => unsubscribe.ready));
      await here.track(forgotten, [view(Date.now())]);
      await here.track(withdrawn, [view(Date.now())]);
      expect(copyOf(here, forgotten)?.streams).not.toEqual({});
      expect(copyOf(here, withdrawn)?.streams).not.toEqual({});
      await there.forget(forgotten);
      await there.setConsent(withdrawn, { behavioral: false });
      expect(await eventually(() => copyOf(here, forgotten) === undefined)).toBe(true);
      expect(await eventually(() => copyOf(here, withdrawn) === undefined)).toBe(true);
      listening.forEach((unsubscribe) => unsubscribe());
    } finally {
      await Promise.all([here.close(), there.close()]);
    }
  });

  it('drops every copy once its pub/sub link is back: a forget may have been missed meanwhile', async () => {
    const name = uid('copies');
    const here = await assemblePersonalizer(rules, () => rules, {
      redis: withConnectionName(inject('redisUrl'), name),
      keyPrefix,
      logger: quietLogger,
    });
    const control = new Redis(inject('redisUrl'));
    try {
      const profile = uid('anon');
      const listening = here.subscribe(profile, () => {});
      await listening.ready;
      await here.track(profile, [view(Date.now())]);
      expect(copyOf(here, profile)?.streams).not.toEqual({});
      const resubscribed = new Promise<void>((resolve) => here.onResubscribed(resolve));
      expect(await cutPubSubLinks(control, name)).toBe(1);
      await resubscribed;
      expect(copyOf(here, profile)).toBeUndefined();
      listening();
    } finally {
      control.disconnect();
      await here.close();
    }
  });
});
