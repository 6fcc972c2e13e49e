/**
 * The contract every profile store keeps, run through the Personalizer facade against each
 * backend (test/store/{memory,redis,cluster}.test.ts). Real stores, real clock.
 */
import Redis from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { PersonalizerEngine } from '../../engine/personalizer';
import { predictIngest } from '../../engine/store/predict';
import { emptyRecord } from '../../engine/store/record';
import { memberPartition } from '../../engine/store/redis/member-index';
import type { RedisProfileStore } from '../../engine/store/redis/redis-store';
import { ProfileLimitError } from '../../engine/store/limits';
import { ReplacedProfileError } from '../../engine/store/profile-id';
import type { CommitRequest } from '../../engine/store/types';
import { RedisDueSet } from '../../engine/time/redis-due-set';
import type { JsonObject, SegmentChange } from '../../engine/types';
import { cutPubSubLinks } from '../support/pubsub-links';
import { event, handSource, Harness, storeBounds, uid, view, type Backend } from './harness';

const WIDE = { windowMs: 60_000, threshold: 3, deadlineMs: 60_000 };
const DAY_MS = 24 * 60 * 60 * 1000;

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** Four `Article Viewed` events just before `now`: enough for the `reader` segment. */
const fourViews = (engine: PersonalizerEngine, profile: string, now = Date.now()) =>
  engine.track(profile, [view(now - 3), view(now - 2), view(now - 1), view(now)]);

/** Resolves with the first change of `profileId` that `accept`s, or fails after `timeoutMs`. */
function nextChange(
  engine: PersonalizerEngine,
  profileId: string,
  accept: (change: SegmentChange) => boolean,
  timeoutMs = 5_000,
): { change: Promise<SegmentChange>; ready: Promise<void> } {
  let unsubscribe: (() => void) | undefined;
  let ready: Promise<void> = Promise.resolve();
  const change = new Promise<SegmentChange>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`no matching change for ${profileId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = engine.subscribe(profileId, (candidate) => {
      if (!accept(candidate)) return;
      clearTimeout(timer);
      subscription();
      resolve(candidate);
    });
    unsubscribe = subscription;
    ready = subscription.ready;
  });
  return { change, ready };
}

function readerCount(text: string | undefined): number {
  return Number(/^(\d+) ×/.exec(text ?? '')?.[1] ?? NaN);
}

export function storeContract(name: string, backend: () => Backend): void {
  describe(`profile store contract: ${name}`, () => {
    const harnesses: Harness[] = [];
    const harness = () => {
      const created = new Harness(backend());
      harnesses.push(created);
      return created;
    };
    afterAll(async () => {
      await Promise.all(harnesses.map((h) => h.close()));
    });

    describe('the store itself (explicit times)', () => {
      const streams = [
        { id: 'views', retentionMs: 1000, carriesValue: true },
        { id: 'buy', retentionMs: 1000, carriesValue: false },
      ];
      const context = (now: number) => ({
        now,
        rulesVersion: 'r1',
        streams,
        dedupeWindowMs: 2000,
        maxEntriesPerStream: 5,
        ...storeBounds(['tz', 'device.type']),
      });
      const routed = (id: string, at: number, stream: string, value?: string, ctx: JsonObject = {}) => ({
        event: { id, type: 'x', timestamp: at, properties: {}, context: ctx },
        entries: [value === undefined ? { stream } : { stream, value }],
      });

      it('keeps values and first/last, trims streams by retention and ids by the dedupe window', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const first = await store.ingest(
          profile,
          [
            routed('a', 1000, 'views', 'news', { tz: 'UTC' }),
            routed('b', 1700, 'views', 'sport', { tz: 'CET' }),
            routed('c', 1200, 'buy'),
          ],
          context(1800),
        );
        expect(first).toMatchObject({ accepted: 3, duplicates: 0, withheld: 0 });
        expect(first.profile).toMatchObject({
          exists: true,
          rulesVersion: 'r1',
          firstSeenAt: 1800,
          context: { tz: 'CET' },
        });
        expect(first.profile.streams.views).toEqual({
          times: [1000, 1700],
          values: ['news', 'sport'],
          firstSeen: 1000,
          lastSeen: 1700,
        });
        // Later: `a` left the 1 s window and the 2 s dedupe window (it counts again); `b` is still remembered.
        const later = await store.ingest(
          profile,
          [routed('a', 3500, 'views', 'news'), routed('b', 3500, 'views', 'x')],
          context(3600),
        );
        expect(later).toMatchObject({ accepted: 1, duplicates: 1 });
        expect(later.profile.streams.views).toEqual({
          times: [3500],
          values: ['news'],
          firstSeen: 1000,
          lastSeen: 3500,
        });
        expect(later.profile.streams.buy).toEqual({ times: [], firstSeen: 1200, lastSeen: 1200 });
        expect(later.profile.context).toEqual({ tz: 'CET' });
        const loaded = await store.load(profile, context(6300));
        expect(loaded.streams.buy).toEqual({ times: [], firstSeen: 1200, lastSeen: 1200 });
        expect(loaded.streams.views?.times).toEqual([]);
      });

      it('keeps at most maxEntriesPerStream entries per stream, the newest', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const batch = Array.from({ length: 8 }, (_, i) => routed(`e${i}`, 1000 + i, 'buy'));
        const result = await store.ingest(profile, batch, context(1010));
        expect(result.accepted).toBe(8);
        expect(result.profile.streams.buy).toEqual({
          times: [1003, 1004, 1005, 1006, 1007],
          firstSeen: 1000,
          lastSeen: 1007,
        });
        // The dropped entries' ids are still known: a replay counts nothing.
        expect((await store.ingest(profile, batch.slice(0, 2), context(1011))).duplicates).toBe(2);
      });

      it('keeps of event contexts only the kept paths, projected; drops values over the byte bound', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const ctx = (now: number, bytes = 2048) => ({
          ...context(now),
          ...storeBounds(['tz', 'device.type', 'page'], { maxContextValueBytes: bytes }),
        });
        const first = await store.ingest(
          profile,
          [
            routed('a', 1000, 'buy', undefined, {
              tz: 'CET',
              junk1: 1,
              junk2: { deep: true },
              device: { type: 'mobile', model: 'x', extra: { a: 1 } },
              page: { path: '/a', title: 't' },
            }),
          ],
          ctx(1000),
        );
        expect(first.profile.context).toEqual({
          tz: 'CET',
          device: { type: 'mobile' },
          page: { path: '/a', title: 't' },
        });
        // The newest event's value of a kept key replaces the stored one, even when it holds none
        // of the kept paths (then nothing is stored for it) or is over the byte bound (dropped).
        const second = await store.ingest(
          profile,
          [routed('b', 1100, 'buy', undefined, { device: { model: 'y' }, page: { path: 'p'.repeat(200) } })],
          ctx(1100, 100),
        );
        expect(second.profile.context).toEqual({ tz: 'CET' });
        const loaded = await store.load(profile, ctx(1200));
        expect(loaded.context).toEqual({ tz: 'CET' });
      });

      it('drops the context keys of the previous rules once an event is stored under new ones', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const under = (paths: string[], now: number) => ({ ...context(now), ...storeBounds(paths) });
        await store.ingest(
          profile,
          [routed('a', 1000, 'buy', undefined, { tz: 'CET', device: { type: 'mobile' } })],
          under(['tz', 'device.type'], 1000),
        );
        const after = await store.ingest(
          profile,
          [routed('b', 1100, 'buy', undefined, { locale: 'fr' })],
          under(['device.type', 'locale'], 1100),
        );
        expect(after.profile.context).toEqual({ device: { type: 'mobile' }, locale: 'fr' });
      });

      it('remembers at most maxSeenIds event ids, the newest; a merge keeps the bound', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const bounded = (now: number) => ({ ...context(now), ...storeBounds(['tz'], { maxSeenIds: 5 }) });
        const batch = Array.from({ length: 8 }, (_, i) => routed(`s${i}`, 1000 + i, 'buy'));
        expect((await store.ingest(profile, batch, bounded(1010))).accepted).toBe(8);
        const exported = await store.exportProfile(profile, bounded(1010));
        expect(exported?.seen.map(([id]) => id).sort()).toEqual(['s3', 's4', 's5', 's6', 's7']);
        // The newest ids are still known; the oldest went first.
        expect((await store.ingest(profile, [batch[7]!], bounded(1011))).duplicates).toBe(1);
        const user = `user:${uid('u')}`;
        await store.ingest(
          user,
          Array.from({ length: 4 }, (_, i) => routed(`u${i}`, 1005 + i, 'buy')),
          bounded(1010),
        );
        await store.absorb(user, 'u', exported, {}, bounded(1012));
        const merged = await store.exportProfile(user, bounded(1012));
        expect(merged?.seen).toHaveLength(5);
        expect(merged?.seen.map(([, at]) => at).sort()).toEqual([1006, 1006, 1007, 1007, 1008]);
      });

      it('refuses a trait write past maxTraits or maxTraitBytes whole, with the limit named', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const bounded = (now: number) => ({
          ...context(now),
          ...storeBounds(['tz'], { maxTraits: 3, maxTraitBytes: 40 }),
        });
        await store.setTraits(profile, { a: 1, b: 2 }, bounded(1000));
        const tooMany = store.setTraits(profile, { c: 3, d: 4 }, bounded(1001));
        await expect(tooMany).rejects.toBeInstanceOf(ProfileLimitError);
        await expect(store.setTraits(profile, { c: 3, d: 4 }, bounded(1001))).rejects.toMatchObject({
          limit: 'maxTraits',
          max: 3,
          actual: 4,
        });
        // Bytes: key plus JSON value, UTF-8 ("a" + "1", "b" + "2", "c" + 38 bytes of JSON string).
        await expect(store.setTraits(profile, { c: 'é'.repeat(18) }, bounded(1002))).rejects.toMatchObject({
          limit: 'maxTraitBytes',
          max: 40,
          actual: 4 + 1 + 38,
        });
        const unchanged = await store.load(profile, bounded(1003));
        expect(unchanged.traits).toEqual({ a: 1, b: 2 });
        // Replacing and removing within the bounds is fine.
        const replaced = await store.setTraits(profile, { a: null, c: 3, d: 'x' }, bounded(1004));
        expect(replaced.traits).toEqual({ b: 2, c: 3, d: 'x' });
        // A merge: the call's traits are checked first; the anonymous traits come only if all fit.
        const user = `user:${uid('u')}`;
        const exported = await store.exportProfile(profile, bounded(1005));
        await expect(
          store.absorb(user, 'u', exported, { p: 1, q: 2, r: 3, s: 4 }, bounded(1005)),
        ).rejects.toMatchObject({ limit: 'maxTraits' });
        expect((await store.load(user, bounded(1005))).exists).toBe(false);
        const merged = await store.absorb(user, 'u', exported, { p: 1, q: 2 }, bounded(1006));
        expect(merged.traits).toEqual({ p: 1, q: 2 });
        const roomy = `user:${uid('u')}`;
        expect((await store.absorb(roomy, 'u2', exported, { b: 9 }, bounded(1006))).traits).toEqual({
          b: 9,
          c: 3,
          d: 'x',
        });
      });

      it('commits only on the version it read', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const { profile: read } = await store.ingest(profile, [routed('a', 1000, 'buy')], context(1000));
        await store.ingest(profile, [routed('b', 1001, 'buy')], context(1001));
        const write = {
          expectedVersion: read.version,
          rulesVersion: 'r1',
          memberships: { s: { since: 1 } },
          dueAt: 5,
          change: null,
        };
        expect(await store.commit(profile, write)).toBe(false);
        const fresh = await store.load(profile, context(1002));
        expect(fresh.memberships).toEqual({});
        expect(await store.commit(profile, { ...write, expectedVersion: fresh.version })).toBe(true);
        expect(await store.commit(profile, { ...write, expectedVersion: fresh.version })).toBe(false);
        expect(await store.load(profile, context(1003))).toMatchObject({
          memberships: { s: { since: 1 } },
          dueAt: 5,
        });
        expect(await store.commit(uid('never'), { ...write, expectedVersion: 0 })).toBe(false);
      });

      it('writes a proposal with the events only on the exact profile expected, every event stored', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        const outcome = (since: number) => ({
          rulesVersion: 'r2',
          memberships: { buyer: { since } },
          dueAt: since + 1000,
          change: null,
        });
        // A new profile: written with its first event, in the same step.
        const first = await store.ingest(profile, [routed('a', 1000, 'buy')], context(1000), {
          expected: 'new',
          outcome: outcome(1000),
        });
        expect(first).toMatchObject({ accepted: 1, proposalCommitted: true });
        expect(first.profile).toMatchObject({
          version: 2,
          rulesVersion: 'r2',
          memberships: { buyer: { since: 1000 } },
          dueAt: 2000,
        });
        const stored = { firstSeenAt: first.profile.firstSeenAt!, version: first.profile.version };
        // Not new any more; a stale version; the right profile but a duplicate event: none is written.
        const refused = [
          ['new', [routed('b', 1001, 'buy')]],
          [{ ...stored, version: stored.version - 1 }, [routed('c', 1002, 'buy')]],
          [{ ...stored, firstSeenAt: stored.firstSeenAt + 1 }, [routed('d', 1003, 'buy')]],
        ] as const;
        let version = stored.version;
        for (const [expected, events] of refused) {
          const result = await store.ingest(profile, [...events], context(1010), {
            expected,
            outcome: outcome(1010),
          });
          expect(result).toMatchObject({ accepted: 1, proposalCommitted: false });
          expect(result.profile.memberships).toEqual({ buyer: { since: 1000 } });
          version = result.profile.version;
        }
        const current = { firstSeenAt: stored.firstSeenAt, version };
        const duplicate = await store.ingest(
          profile,
          [routed('a', 1000, 'buy'), routed('e', 1004, 'buy')],
          context(1010),
          {
            expected: current,
            outcome: outcome(1010),
          },
        );
        expect(duplicate).toMatchObject({ accepted: 1, duplicates: 1, proposalCommitted: false });
        // The exact profile: written.
        const expected = { firstSeenAt: stored.firstSeenAt, version: duplicate.profile.version };
        const written = await store.ingest(profile, [routed('f', 1005, 'buy')], context(1010), {
          expected,
          outcome: { ...outcome(1010), memberships: {} },
        });
        expect(written).toMatchObject({ accepted: 1, proposalCommitted: true });
        expect(written.profile).toMatchObject({ memberships: {}, version: expected.version + 2 });
      });

      it('predicts the profile an ingest stores (the mirror the proposals are made with)', async () => {
        const { store } = harness().store();
        const profile = uid('anon');
        // A fixed pseudo-random walk: batches with values, contexts, late and out-of-window
        // events, ties, and replayed ids, checked after every stored batch.
        let seed = 7;
        const random = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return Math.floor(seed / 65536) % n;
        };
        let base = emptyRecord(profile);
        let now = 1000;
        let predicted = 0;
        for (let step = 0; step < 200; step += 1) {
          // Times on a 100 ms grid: ties (same time in a stream, same time as the stored context) are common.
          now += 100 * random(3);
          const batch = Array.from({ length: 1 + random(3) }, (_, i) => {
            const id = random(8) === 0 ? `e${random(step + 1)}-0` : `e${step}-${i}`;
            const at = now - 100 * random(12);
            const ctx: JsonObject =
              random(4) === 0
                ? {}
                : {
                    tz: `z${random(4)}`,
                    [`junk${random(50)}`]: random(3),
                    ...(random(2) === 0 ? { device: { type: `d${random(2)}`, model: random(9) } } : {}),
                    ...(random(3) === 0 ? { device: { model: 1 } } : {}),
                  };
            return random(2) === 0
              ? routed(id, at, 'views', ['news', 'sport', 'tech'][random(3)], ctx)
              : routed(id, at, 'buy', undefined, ctx);
          });
          // Half way, the rules change what they read of the context.
          const at = { ...context(now), ...(step >= 100 ? storeBounds(['device', 'junk7']) : {}) };
          const prediction = predictIngest(base, batch, at);
          const result = await store.ingest(profile, batch, at);
          if (prediction && result.accepted === batch.length) {
            predicted += 1;
            expect(prediction).toEqual(result.profile);
          }
          base = result.profile;
        }
        // The walk must exercise the mirror, not only its refusals.
        expect(predicted).toBeGreaterThan(25);
      });

      it('merges idempotently: a retried merge counts nothing twice', async () => {
        const { store } = harness().store();
        const anon = uid('anon');
        const user = `user:${uid('u')}`;
        await store.ingest(anon, [routed('a', 1000, 'buy'), routed('b', 1100, 'buy')], context(1100));
        await store.ingest(user, [routed('b', 1100, 'buy'), routed('c', 1200, 'buy')], context(1200));
        const exported = await store.exportProfile(anon, context(1300));
        expect(exported?.seen.map(([id]) => id).sort()).toEqual(['a', 'b']);
        await store.absorb(user, 'u', exported, { plan: 'gold' }, context(1300));
        const twice = await store.absorb(user, 'u', exported, {}, context(1300));
        expect(twice.streams.buy?.times).toEqual([1000, 1100, 1200]);
        expect(twice).toMatchObject({ userId: 'u', traits: { plan: 'gold' } });
        // An event that arrived after the export: retiring now would lose it, so it is refused.
        await store.ingest(anon, [routed('d', 1250, 'buy')], context(1300));
        expect(await store.retire(anon, user, exported!.record.version)).toBe(false);
        const again = await store.exportProfile(anon, context(1300));
        expect(again?.seen.map(([id]) => id).sort()).toEqual(['a', 'b', 'd']);
        const merged = await store.absorb(user, 'u', again, {}, context(1300));
        expect(merged.streams.buy?.times).toEqual([1000, 1100, 1200, 1250]);
        expect(await store.retire(anon, user, again!.record.version)).toBe(true);
        expect((await store.load(anon, context(1400))).id).toBe(user);
        expect(await store.exportProfile(anon, context(1400))).toMatchObject({ id: user });
      });

      it('counts members at any time: a live member stays counted past its index entry’s re-check time', async () => {
        const { store } = harness().store(); // no TTL: the profile never expires
        const profile = uid('anon');
        const now = Date.now();
        const { profile: read } = await store.ingest(profile, [routed('a', now, 'buy')], context(now));
        const committed = await store.commit(profile, {
          expectedVersion: read.version,
          rulesVersion: 'r1',
          memberships: { s: { since: now } },
          dueAt: null,
          change: null,
        });
        expect(committed).toBe(true);
        expect(await store.countMembers(['s', 'other'], now)).toEqual({ s: 1, other: 0 });
        // Past any entry's re-check time (at most a week ahead): re-checked against the profile, kept.
        expect(await store.countMembers(['s'], now + 30 * DAY_MS)).toEqual({ s: 1 });
        expect(await store.countMembers(['s'], now + 30 * DAY_MS)).toEqual({ s: 1 });
        await store.erase(profile);
        expect(await store.countMembers(['s'], now)).toEqual({ s: 0 });
        expect(await store.countMembers([], now)).toEqual({});
      });

      if (backend().kind !== 'memory') {
        it('drops index entries left by a crash (profile gone) once their re-check time has come', async () => {
          const h = harness();
          const store = h.store().store as RedisProfileStore;
          const admin = h.adminClient();
          const now = Date.now();
          // More than one count pass re-checks per key, all in one key: the count loops until done.
          const ghosts = Array.from({ length: 700 }, () => uid('ghost'));
          const key = store.keys.members(memberPartition(ghosts[0]!), 's');
          await admin.zadd(key, ...ghosts.flatMap((ghost, i) => [now - 1000 + i, ghost]));
          // Not yet due (scored after `now`): counted, as the index cannot know without a re-check.
          const pending = uid('ghost');
          await admin.zadd(store.keys.members(memberPartition(pending), 's'), now + 60_000, pending);
          expect(await store.countMembers(['s'], now)).toEqual({ s: 1 });
          expect(await h.indexedIds()).toEqual([pending]);
          expect(await store.countMembers(['s'], now + 60_000)).toEqual({ s: 0 });
          expect(await h.indexedIds()).toEqual([]);
        });
      }
    });

    it('stores events once by id and announces the entry on the 4th view', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const now = Date.now();
      const entered = nextChange(engine, profile, (c) => c.entered.includes('reader'));
      await entered.ready;
      const first = await engine.track(profile, [
        view(now - 30, {}, 'e1'),
        view(now - 20, {}, 'e2'),
        view(now - 20, {}, 'e2'),
      ]);
      expect(first).toMatchObject({ profileId: profile, accepted: 2, duplicates: 1, change: null });
      const again = await engine.track(profile, [view(now - 10, {}, 'e1'), view(now - 10, {}, 'e3')]);
      expect(again).toMatchObject({ accepted: 1, duplicates: 1, change: null });
      const fourth = await engine.track(profile, [view(now, { articleId: 7 }, 'e4')]);
      expect(fourth.change).toMatchObject({
        profileId: profile,
        entered: ['reader'],
        exited: [],
        cause: 'event',
      });
      const announced = await entered.change;
      expect(announced.segments.map((s) => s.key)).toEqual(['reader']);
      expect(announced.reasons.reader?.text).toBe('4 × Article Viewed in 60000ms (> 3)');
      const seen = await engine.getProfile(profile);
      expect(seen.segments).toHaveLength(1);
      expect(seen.segments[0]).toMatchObject({ key: 'reader', name: 'Reader', expiresAt: now - 30 + 60_000 });
      expect(seen.rulesVersion).toBe('hand-1');
    });

    it('a read whose commit loses to a concurrent write returns what is stored, not what it decided', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const now = Date.now();
      const store = engine.store;
      const commit = store.commit.bind(store);
      const ingest = store.ingest.bind(store);
      // The 4th view is stored, its evaluation never committed (as if the process died in between).
      store.ingest = (id, events, context) => ingest(id, events, context);
      store.commit = async () => false;
      await engine.track(
        profile,
        [1, 2, 3, 4].map((i) => view(now - 50 + i, {}, `r${i}`)),
      );
      store.ingest = ingest;
      // The read decides "entered reader"; a concurrent writer commits that entry first, at another time.
      const winnerSince = now - 5000;
      let raced = false;
      store.commit = async (id: string, request: CommitRequest) => {
        if (!raced) {
          raced = true;
          const winner = { ...request, memberships: { reader: { since: winnerSince } }, change: null };
          expect(await commit(id, winner)).toBe(true);
        }
        return commit(id, request);
      };
      try {
        const seen = await engine.getProfile(profile);
        expect(raced).toBe(true);
        // A subscription's catch-up holds this view: the winner's announced change must match it.
        expect(seen.segments.map((s) => [s.key, s.since])).toEqual([['reader', winnerSince]]);
      } finally {
        store.commit = commit;
      }
    });

    it('refuses bad input with a clear error and stores nothing', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      await expect(engine.track('bad{id}', [view(Date.now())])).rejects.toThrow(/braces/);
      await expect(engine.track(profile, [{ ...view(Date.now()), timestamp: Number.NaN }])).rejects.toThrow(
        /timestamp/,
      );
      await expect(engine.track(profile, [view(Date.now(), {}, 'a\x1fb')])).rejects.toThrow(/x1f/);
      await expect(engine.setTraits(profile, [] as never)).rejects.toThrow(/traits must be an object/);
      expect((await engine.getProfile(profile)).segments).toEqual([]);
      expect(await h.keysContaining(profile)).toEqual([]);
    });

    it('counts 1,000 concurrent events on one profile exactly', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const now = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => engine.track(profile, [view(now - 1000 + i, {}, `c${i}`)])),
      );
      expect(outcomes.reduce((sum, o) => sum + o.accepted, 0)).toBe(1000);
      expect(outcomes.filter((o) => o.change?.entered.includes('reader'))).toHaveLength(1);
      const seen = await engine.getProfile(profile);
      expect(readerCount(seen.segments.find((s) => s.key === 'reader')?.reason.text)).toBe(1000);
    });

    it('merges an anonymous profile into the user profile with no double counting', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const anon = uid('anon');
      const userId = uid('user');
      const now = Date.now();
      await engine.track(anon, [view(now - 50, {}, 'm1'), view(now - 40, {}, 'm2')]);
      await engine.setTraits(anon, { plan: 'gold', city: 'Lyon' });
      const merged = nextChange(engine, anon, (c) => c.mergedInto !== undefined);
      await merged.ready;
      const { profile: user } = await engine.identify(anon, userId, { city: 'Paris' });
      expect(user).toMatchObject({ id: `user:${userId}`, userId, traits: { plan: 'gold', city: 'Paris' } });
      expect((await merged.change).mergedInto).toBe(`user:${userId}`);
      // The old anonymous id takes no more events: only the user's profile does.
      await expect(engine.track(anon, [view(now - 30, {}, 'm3')])).rejects.toBeInstanceOf(
        ReplacedProfileError,
      );
      // The same events again (a retried upload), on the user's profile: counted once.
      const retry = await engine.track(`user:${userId}`, [
        view(now - 40, {}, 'm2'),
        view(now - 30, {}, 'm3'),
        view(now - 20, {}, 'm4'),
      ]);
      expect(retry).toMatchObject({ profileId: `user:${userId}`, accepted: 2, duplicates: 1 });
      expect(retry.change?.entered).toEqual(['reader']);
      // A second identify is a no-op for events.
      // A merge that crashed after folding the events in, before retiring the anonymous
      // profile, is simply run again: nothing counts twice.
      const other = uid('anon');
      await engine.track(other, [view(now - 10, {}, 'm4'), view(now - 5, {}, 'm5')]);
      const context = {
        now,
        rulesVersion: 'hand-1',
        streams: engine.rules.streams,
        dedupeWindowMs: 60_000,
        maxEntriesPerStream: 100,
        ...storeBounds(),
      };
      await engine.store.absorb(
        `user:${userId}`,
        userId,
        await engine.store.exportProfile(other, context),
        {},
        context,
      );
      await engine.identify(other, userId);
      const { profile: again } = await engine.identify(anon, userId);
      expect(again.segments.map((s) => s.key)).toEqual(['reader', 'vip']);
      expect(readerCount(again.segments[0]?.reason.text)).toBe(5);
      // Only the alias is left of the anonymous profile.
      const left = await h.keysContaining(anon);
      expect(left).toEqual(h.backend.kind === 'memory' ? [anon] : [`${h.keyPrefix}:{${anon}}:alias`]);
    });

    it('useOnce accepts a nonce once until its time, then again', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const nonce = uid('jti');
      const until = Date.now() + 300;
      const first = await Promise.all([engine.useOnce(nonce, until), engine.useOnce(nonce, until)]);
      expect(first.sort()).toEqual([false, true]);
      expect(await engine.useOnce(nonce, until)).toBe(false);
      expect(await engine.useOnce(uid('jti'), until)).toBe(true);
      await sleepUntil(until + 50);
      expect(await engine.useOnce(nonce, Date.now() + 300)).toBe(true);
      await expect(engine.useOnce('', until)).rejects.toThrow(TypeError);
    });

    it('identify never merges one user into another (a shared device)', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const phone = uid('anon');
      const pc = uid('anon');
      const a = uid('a');
      const b = uid('b');
      const now = Date.now();
      await engine.track(phone, [view(now - 4, {}, 'a1'), view(now - 3, {}, 'a2')]);
      await engine.identify(phone, a, { name: 'A' });
      await engine.track(pc, [view(now - 2, {}, 'a3'), view(now - 1, {}, 'a4')]);
      expect(await engine.identify(pc, a)).toMatchObject({ profile: { id: `user:${a}` }, merged: true });
      expect(readerCount((await engine.getProfile(phone)).segments[0]?.reason.text)).toBe(4);
      // B signs in on the PC with the token A left there (its id is an alias of user:a), and
      // with the token identify gave A (user:a itself).
      const asB = await engine.identify(pc, b, { name: 'B' });
      expect(asB).toMatchObject({ merged: false, resolvedFrom: `user:${a}` });
      expect(asB.profile).toMatchObject({ id: `user:${b}`, userId: b, traits: { name: 'B' }, segments: [] });
      expect(await engine.identify(`user:${a}`, b)).toMatchObject({
        profile: { id: `user:${b}` },
        merged: false,
        resolvedFrom: `user:${a}`,
      });
      await engine.track(`user:${b}`, [view(now, {}, 'b1')]);
      // A's phone still reads A, with A's traits and events only; user:a is still itself.
      for (const id of [phone, pc, `user:${a}`]) {
        const seen = await engine.getProfile(id);
        expect(seen).toMatchObject({ id: `user:${a}`, userId: a, traits: { name: 'A' } });
        expect(readerCount(seen.segments[0]?.reason.text)).toBe(4);
      }
      const seenB = await engine.getProfile(`user:${b}`);
      expect(seenB).toMatchObject({ id: `user:${b}`, traits: { name: 'B' }, segments: [] });
      // A erases their data from the phone: B's profile stays.
      await engine.forget(phone);
      expect(await h.keysContaining(a)).toEqual([]);
      expect(await engine.getProfile(`user:${b}`)).toMatchObject({ userId: b, traits: { name: 'B' } });
      await engine.track(`user:${b}`, [
        view(now + 1, {}, 'b2'),
        view(now + 2, {}, 'b3'),
        view(now + 3, {}, 'b4'),
      ]);
      const afterB = await engine.getProfile(`user:${b}`);
      expect(readerCount(afterB.segments.find((s) => s.key === 'reader')?.reason.text)).toBe(4);
      // Identifying as the same user again only sets traits.
      expect((await engine.identify(`user:${b}`, b, { name: 'Bee' })).profile).toMatchObject({
        id: `user:${b}`,
        traits: { name: 'Bee' },
      });
    });

    it('identify makes even a never-seen anonymous id an alias of the user', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const anon = uid('anon');
      const userId = uid('user');
      const { profile: user, merged } = await engine.identify(anon, userId);
      expect(user).toMatchObject({ id: `user:${userId}`, userId, segments: [] });
      expect(merged).toBe(true);
      // It resolves to the user's profile, but stores nothing there.
      await expect(engine.track(anon, [view(Date.now())])).rejects.toBeInstanceOf(ReplacedProfileError);
      expect((await engine.getProfile(anon)).id).toBe(`user:${userId}`);
      expect((await h.keysContaining(userId)).sort()).toEqual(
        h.backend.kind === 'memory'
          ? [`user:${userId}`]
          : [`${h.keyPrefix}:{user:${userId}}:h`, `${h.keyPrefix}:{user:${userId}}:aliases`].sort(),
      );
    });

    it('forget leaves no key behind, aliases included', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const anon = uid('anon');
      const userId = uid('user');
      const now = Date.now();
      await engine.track(anon, [view(now - 3), view(now - 2), view(now - 1), view(now)]);
      await engine.identify(anon, userId, { plan: 'gold' });
      await engine.track(`user:${userId}`, [event('Product Viewed', now, { value: 500 })]);
      expect(await h.keysContaining(userId)).not.toEqual([]);
      expect(await h.keysContaining(anon)).not.toEqual([]);
      const exited = nextChange(engine, `user:${userId}`, (c) => c.cause === 'forget');
      await exited.ready;
      await engine.forget(anon);
      expect((await exited.change).exited.sort()).toEqual(['reader', 'vip']);
      expect(await h.keysContaining(userId)).toEqual([]);
      expect(await h.keysContaining(anon)).toEqual([]);
      const after = await engine.getProfile(`user:${userId}`);
      expect(after).toMatchObject({ userId: null, traits: {}, segments: [] });
    });

    it('consent off drops behavioural data, keeps traits and stores no new event', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const now = Date.now();
      await engine.setTraits(profile, { plan: 'gold' });
      await engine.track(profile, [view(now - 3), view(now - 2), view(now - 1), view(now)]);
      const exit = nextChange(engine, profile, (c) => c.cause === 'consent');
      await exit.ready;
      const off = await engine.setConsent(profile, { behavioral: false });
      expect(off.consent).toEqual({ behavioral: false });
      expect(off.segments.map((s) => s.key)).toEqual(['vip']);
      expect((await exit.change).exited).toEqual(['reader']);
      const refused = await engine.track(profile, [
        view(now + 1),
        view(now + 2),
        view(now + 3),
        view(now + 4),
      ]);
      expect(refused).toMatchObject({ accepted: 0, duplicates: 0, withheld: 4, change: null });
      const kept = await h.keysContaining(profile);
      expect(kept).toEqual(h.backend.kind === 'memory' ? [profile] : [`${h.keyPrefix}:{${profile}}:h`]);
      expect((await engine.getProfile(profile)).traits).toEqual({ plan: 'gold' });
      const on = await engine.setConsent(profile, { behavioral: true });
      expect(on.traits).toEqual({ plan: 'gold' });
      expect((await engine.track(profile, [view(now + 5)])).accepted).toBe(1);
    });

    it('a flood of distinct context keys leaves the profile bounded, and reading it stays fast', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const now = Date.now();
      // 50 calls of 100 events, each event with 60 new top-level keys and 60 new nested ones
      // under a kept key: 600,000 distinct keys sent.
      for (let call = 0; call < 50; call += 1) {
        const events = Array.from({ length: 100 }, (_, i) => {
          const n = call * 100 + i;
          const flood = Object.fromEntries(Array.from({ length: 60 }, (_, k) => [`k${n}_${k}`, k]));
          return {
            ...event('Flood', now - 5000 + n, {}, `f${n}`),
            context: { ...flood, device: { type: 'mobile', ...flood }, timezone: 'Europe/Paris' },
          };
        });
        expect((await engine.track(profile, events)).accepted).toBe(100);
      }
      const record = await engine.store.load(profile, {
        now: Date.now(),
        rulesVersion: 'hand-1',
        streams: engine.rules.streams,
        dedupeWindowMs: 60_000,
        maxEntriesPerStream: 100,
        ...storeBounds(),
      });
      expect(record.context).toEqual({ device: { type: 'mobile' }, timezone: 'Europe/Paris' });
      expect((await engine.getProfile(profile)).segments.map((s) => s.key)).toEqual(['mobile']);
      if (h.backend.kind !== 'memory') {
        const admin = h.adminClient();
        const key = `${h.keyPrefix}:{${profile}}:h`;
        // v, rv, fs, ca, ck, due, m:mobile, c:device, c:timezone: no field per context key sent.
        expect(await admin.hlen(key)).toBeLessThanOrEqual(12);
        const seen = `${h.keyPrefix}:{${profile}}:seen`;
        expect(await admin.zcard(seen)).toBe(5000);
        const reads: number[] = [];
        for (let i = 0; i < 7; i += 1) {
          const started = performance.now();
          await engine.getProfile(profile);
          reads.push(performance.now() - started);
        }
        expect(Math.min(...reads)).toBeLessThan(5);
      }
    });

    it('consent off deletes the stored context too: a membership built on it exits, announced', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const entered = await engine.track(profile, [
        { ...event('Page', Date.now()), context: { device: { type: 'mobile' }, locale: 'fr' } },
      ]);
      expect(entered.change?.entered).toEqual(['mobile']);
      const exit = nextChange(engine, profile, (c) => c.cause === 'consent');
      await exit.ready;
      const off = await engine.setConsent(profile, { behavioral: false });
      expect(off.segments).toEqual([]);
      expect(await exit.change).toMatchObject({ exited: ['mobile'], entered: [] });
      const stored = await engine.store.load(profile, {
        now: Date.now(),
        rulesVersion: 'hand-1',
        streams: engine.rules.streams,
        dedupeWindowMs: 60_000,
        maxEntriesPerStream: 100,
        ...storeBounds(),
      });
      expect(stored.context).toEqual({});
      expect(stored.contextAt).toBeUndefined();
      if (h.backend.kind !== 'memory') {
        const fields = await h.adminClient().hkeys(`${h.keyPrefix}:{${profile}}:h`);
        expect(fields.filter((field) => field.startsWith('c') && field !== 'cs')).toEqual([]);
      }
    });

    it('expires anonymous profiles after their TTL', async () => {
      const h = harness();
      const engine = await h.engine(WIDE, { anonymousTtlMs: 300 });
      const profile = uid('anon');
      await engine.track(profile, [view(Date.now())]);
      if (h.backend.kind !== 'memory') {
        const keys = await h.keysContaining(profile);
        expect(keys.length).toBeGreaterThanOrEqual(3);
        const admin = h.adminClient();
        for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
      }
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await h.keysContaining(profile)).toEqual([]);
      const gone = await engine.getProfile(profile);
      expect(gone.segments).toEqual([]);
      expect((await engine.track(profile, [view(Date.now())])).accepted).toBe(1);
    });

    describe('member counts', () => {
      it('counts entries and exits by event, consent off, a merge once, and nothing of an erased profile', async () => {
        const h = harness();
        const engine = await h.engine(WIDE);
        const count = () => engine.countMembers();
        expect(await count()).toEqual({ reader: 0, abandoner: 0, vip: 0, mobile: 0 });
        const [a, b, c, d] = [uid('anon'), uid('anon'), uid('anon'), uid('anon')];
        for (const profile of [a, b, c]) await fourViews(engine, profile);
        await engine.setTraits(a, { plan: 'gold' });
        await engine.setTraits(b, { plan: 'gold' });
        expect(await count()).toEqual({ reader: 3, abandoner: 0, vip: 2, mobile: 0 });
        await engine.setTraits(b, { plan: null });
        expect(await count()).toEqual({ reader: 3, abandoner: 0, vip: 1, mobile: 0 });
        // Consent off drops c's events: it leaves `reader`.
        await engine.setConsent(c, { behavioral: false });
        expect(await count()).toEqual({ reader: 2, abandoner: 0, vip: 1, mobile: 0 });
        // a becomes a known user: the same person, counted once.
        const userId = uid('user');
        await engine.identify(a, userId);
        expect(await count()).toEqual({ reader: 2, abandoner: 0, vip: 1, mobile: 0 });
        // The user's second device reads too: one more member until it is merged into the same user.
        await fourViews(engine, d);
        expect((await count()).reader).toBe(3);
        await engine.identify(d, userId);
        expect(await count()).toEqual({ reader: 2, abandoner: 0, vip: 1, mobile: 0 });
        // Erasure (through an old anonymous id) leaves no count and no index entry behind.
        await engine.forget(a);
        expect(await count()).toEqual({ reader: 1, abandoner: 0, vip: 0, mobile: 0 });
        expect(await h.indexedIds()).toEqual(h.backend.kind === 'memory' ? [] : [b]);
      });

      it('counts the exit by time when the due-set fires it', async () => {
        const h = harness();
        const engine = await h.engine({ windowMs: 1000, threshold: 3, deadlineMs: 60_000 });
        await engine.start();
        await fourViews(engine, uid('anon'));
        expect((await engine.countMembers()).reader).toBe(1);
        await expect.poll(async () => (await engine.countMembers()).reader, { timeout: 5000 }).toBe(0);
        expect(await h.indexedIds()).toEqual([]);
      });

      it('follows anonymous TTLs: counted while activity keeps a profile alive, not once it expires', async () => {
        const h = harness();
        const engine = await h.engine(WIDE, { anonymousTtlMs: 1500 });
        const [active, idle] = [uid('anon'), uid('anon')];
        const t0 = Date.now();
        await fourViews(engine, active, t0);
        await fourViews(engine, idle, t0);
        expect((await engine.countMembers()).reader).toBe(2);
        // An event that changes no membership (so writes no index entry) moves the active one's expiry.
        await sleepUntil(t0 + 1000);
        expect((await engine.track(active, [view(Date.now())])).change).toBeNull();
        // The idle profile expired at t0 + 1.5 s; the active one lives until about t0 + 2.5 s.
        await sleepUntil(t0 + 1800);
        expect((await engine.countMembers()).reader).toBe(1);
        await expect.poll(async () => (await engine.countMembers()).reader, { timeout: 5000 }).toBe(0);
        expect(await h.indexedIds()).toEqual([]);
      });
    });

    it('re-evaluates listened profiles at once when the rules change', async () => {
      const h = harness();
      const engine = await h.engine(WIDE);
      const profile = uid('anon');
      const now = Date.now();
      await engine.track(profile, [view(now - 2), view(now - 1), view(now)]);
      const seen: string[] = [];
      engine.onRulesChanged((rules) => seen.push(rules.version));
      const entered = nextChange(engine, profile, (c) => c.cause === 'rules');
      await entered.ready;
      engine.setRules(handSource({ ...WIDE, threshold: 2, version: 'hand-2' }));
      expect(seen).toEqual(['hand-2']);
      expect((await entered.change).entered).toEqual(['reader']);
      expect((await engine.getProfile(profile)).rulesVersion).toBe('hand-2');
    });

    it('fires "no purchase within 1 s" at the deadline; a purchase before it cancels', async () => {
      const h = harness();
      const engine = await h.engine({ windowMs: 60_000, threshold: 3, deadlineMs: 1000 });
      await engine.start();
      const abandoner = uid('anon');
      const buyer = uid('anon');
      const fired = nextChange(engine, abandoner, (c) => c.entered.includes('abandoner'));
      const bought: SegmentChange[] = [];
      const unsubscribe = engine.subscribe(buyer, (c) => bought.push(c));
      await Promise.all([fired.ready, unsubscribe.ready]);
      const start = Date.now();
      await engine.track(abandoner, [event('Product Viewed', start, { value: 250 })]);
      await engine.track(buyer, [event('Product Viewed', start, { value: 250 })]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await engine.track(buyer, [event('Order Completed', Date.now())]);
      const change = await fired.change;
      expect(change).toMatchObject({ entered: ['abandoner'], cause: 'time' });
      expect(change.at - (start + 1000)).toBeGreaterThanOrEqual(0);
      expect(change.at - (start + 1000)).toBeLessThan(250);
      await new Promise((resolve) => setTimeout(resolve, start + 1300 - Date.now()));
      unsubscribe();
      expect(bought).toEqual([]);
      expect((await engine.getProfile(buyer)).segments).toEqual([]);
    });

    it('announces the exit of "more than 3 views within 2 s" within 250 ms of the boundary', async () => {
      const h = harness();
      const rules = { windowMs: 2000, threshold: 3, deadlineMs: 60_000 };
      const engine = await h.engine(rules);
      await engine.start();
      const profile = uid('anon');
      const exit = nextChange(engine, profile, (c) => c.exited.includes('reader'));
      await exit.ready;
      const t0 = Date.now();
      const timestamps = [t0, t0 + 100, t0 + 200, t0 + 300];
      for (const at of timestamps) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
        const outcome = await engine.track(profile, [view(at)]);
        if (at === t0 + 300) expect(outcome.change?.entered).toEqual(['reader']);
      }
      const change = await exit.change;
      const boundary = t0 + 2000;
      expect(change.cause).toBe('time');
      expect(Date.now() - boundary).toBeLessThan(250);
      expect(change.at).toBeGreaterThanOrEqual(boundary);
    });

    if (backend().kind !== 'memory') {
      it('a poller that dies holding a claim loses nothing: the exit comes when its lease ends', async () => {
        const h = harness();
        const rules = { windowMs: 1000, threshold: 3, deadlineMs: 60_000 };
        const engine = await h.engine(rules, { leaseMs: 600 });
        const profile = uid('anon');
        const t0 = Date.now();
        await engine.track(profile, [view(t0 - 3), view(t0 - 2), view(t0 - 1), view(t0)]);
        const boundary = t0 - 3 + 1000;
        // A "process" claims the due entry at the boundary and dies without finishing it.
        const dead = new RedisDueSet(h.adminClient(), h.keyPrefix);
        // (Timers may fire a millisecond early: wait until the clock has really reached the boundary.)
        while (Date.now() < boundary)
          await new Promise((resolve) => setTimeout(resolve, boundary - Date.now() + 1));
        const claimed = await dead.claim(Date.now(), 600, 100);
        expect(claimed.claims.map((c) => c.profileId)).toEqual([profile]);
        const exit = nextChange(engine, profile, (c) => c.exited.includes('reader'));
        await exit.ready;
        await engine.start();
        const change = await exit.change;
        const late = Date.now() - (claimed.claims[0]!.token - 0.5);
        expect(change.cause).toBe('time');
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(250);
      });

      it('two processes polling: the exit is announced once, within 250 ms of the boundary', async () => {
        const h = harness();
        const rules = { windowMs: 2000, threshold: 3, deadlineMs: 60_000 };
        const a = await h.engine(rules);
        const b = await h.engine(rules);
        await Promise.all([a.start(), b.start()]);
        const profile = uid('anon');
        const exits: Array<{ change: SegmentChange; receivedAt: number }> = [];
        const unsubscribe = b.subscribe(profile, (change) => {
          if (change.exited.includes('reader')) exits.push({ change, receivedAt: Date.now() });
        });
        await unsubscribe.ready;
        const t0 = Date.now();
        await a.track(profile, [view(t0 - 300), view(t0 - 200), view(t0 - 100), view(t0)]);
        const boundary = t0 - 300 + 2000;
        await new Promise((resolve) => setTimeout(resolve, boundary + 600 - Date.now()));
        unsubscribe();
        expect(exits).toHaveLength(1);
        expect(exits[0]!.receivedAt - boundary).toBeLessThan(250);
        expect(exits[0]!.change.at).toBeGreaterThanOrEqual(boundary);
      });

      it('holds one channel subscription per profile, however many listeners', async () => {
        const h = harness();
        const engine = await h.engine(WIDE);
        const profile = uid('anon');
        const channel = `${h.keyPrefix}:{${profile}}:ch`;
        const subscribers = () => h.channelSubscribers(channel);
        const received: string[] = [];
        const first = engine.subscribe(profile, (c) => received.push(`1:${c.entered.join()}`));
        const second = engine.subscribe(profile, (c) => received.push(`2:${c.entered.join()}`));
        await Promise.all([first.ready, second.ready]);
        expect(await subscribers()).toBe(1);
        const now = Date.now();
        await engine.track(profile, [view(now - 3), view(now - 2), view(now - 1), view(now)]);
        await expect.poll(() => received.length).toBe(2);
        // The first listener leaves: the second still hears the next change on the same subscription.
        first();
        await engine.setTraits(profile, { plan: 'gold' });
        await expect.poll(() => received.length).toBe(3);
        expect(await subscribers()).toBe(1);
        second();
        await expect.poll(subscribers).toBe(0);
        expect(received.sort()).toEqual(['1:reader', '2:reader', '2:vip']);
      });

      it('after its pub/sub link drops, subscribes every channel again, once, then has listeners re-read', async () => {
        const h = harness();
        const name = uid('link');
        const engine = await h.engine(WIDE, { redis: h.namedClient(name) });
        // More live profiles than one step of a cluster's resubscription (250 channels).
        const profiles = Array.from({ length: 600 }, () => uid('live'));
        const entered = new Map<string, string[]>();
        const unsubscribes = profiles.map((profile) =>
          engine.subscribe(profile, (change) => entered.set(profile, change.entered)),
        );
        await Promise.all(unsubscribes.map((u) => u.ready));
        const channelOf = (profile: string) => `${h.keyPrefix}:{${profile}}:ch`;
        // Observed, not replaced: the (S)SUBSCRIBE commands sent (ioredis's own resubscription and the bus's).
        const spy = vi.spyOn(Redis.prototype, 'sendCommand');
        const subscribeCommands = () =>
          spy.mock.calls
            .map(([command]) => command)
            .filter((command) => command.name === 'ssubscribe' || command.name === 'subscribe');
        try {
          for (let drop = 1; drop <= 2; drop += 1) {
            spy.mockClear();
            const resubscribed = new Promise<void>((resolve) => {
              const off = engine.onResubscribed(() => {
                off();
                resolve();
              });
            });
            expect(await cutPubSubLinks(h.adminClient(), name)).toBeGreaterThan(0);
            await resubscribed;
            for (const profile of [profiles[0]!, profiles[299]!, profiles[599]!]) {
              expect(await h.channelSubscribers(channelOf(profile))).toBe(1);
            }
            // No command names a channel twice: ioredis's cluster client keeps a list of the
            // channels it resubscribes, which a naive confirmation would grow at every drop.
            const commands = subscribeCommands();
            expect(commands.length).toBeGreaterThan(0);
            for (const command of commands) expect(new Set(command.args).size).toBe(command.args.length);
          }
        } finally {
          spy.mockRestore();
        }
        const now = Date.now();
        await engine.track(profiles[599]!, [view(now - 3), view(now - 2), view(now - 1), view(now)]);
        await expect.poll(() => entered.get(profiles[599]!)).toEqual(['reader']);
        unsubscribes.forEach((unsubscribe) => unsubscribe());
      });

      it('concurrent duplicate events from two clients count once', async () => {
        const h = harness();
        const a = await h.engine(WIDE);
        const b = await h.engine(WIDE);
        const profile = uid('anon');
        const now = Date.now();
        const batch = Array.from({ length: 50 }, (_, i) => view(now - 100 + i, {}, `d${i}`));
        const outcomes = await Promise.all(
          batch.flatMap((e) => [a.track(profile, [e]), b.track(profile, [e])]),
        );
        expect(outcomes.reduce((sum, o) => sum + o.accepted, 0)).toBe(50);
        expect(outcomes.reduce((sum, o) => sum + o.duplicates, 0)).toBe(50);
        const seen = await a.getProfile(profile);
        expect(readerCount(seen.segments[0]?.reason.text)).toBe(50);
      });

      it('broadcasts reach every instance, the sender included', async () => {
        const h = harness();
        const a = await h.engine(WIDE);
        const b = await h.engine(WIDE);
        const received = (engine: PersonalizerEngine) =>
          new Promise((resolve) => {
            const off = engine.onBroadcast('content', (payload) => {
              off();
              resolve(payload);
            });
          });
        const both = Promise.all([received(a), received(b)]);
        await a.broadcast('content', { uid: 'api::banner.banner', ids: [1, 2] });
        expect(await both).toEqual([
          { uid: 'api::banner.banner', ids: [1, 2] },
          { uid: 'api::banner.banner', ids: [1, 2] },
        ]);
      });
    } else {
      it('broadcasts reach this instance', async () => {
        const h = harness();
        const engine = await h.engine(WIDE);
        const received = new Promise((resolve) => engine.onBroadcast('rules', resolve));
        await engine.broadcast('rules', { reload: true });
        expect(await received).toEqual({ reload: true });
      });
    }
  });
}
