/**
 * Hostile `track` input over real HTTP, against real Redis: whatever arrives (wrong types, values
 * past every limit, prototype-pollution keys at any depth, lone surrogates, timestamps from other
 * centuries, numbers JSON cannot carry), a refusal names where and why with a documented code, and
 * the stored profile is byte-for-byte what it was. Valid events are stored exactly, and once.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JsonObject } from '../../engine/types';
import { assertionFor, TestServer } from '../graphql/support/harness';
import { freshId, hostility, loneSurrogate, own, prototypeFingerprint, validEvent } from './support/hostile';
import { ProfileInspector } from './support/profile-state';
import { expectTrackRefused } from './support/refusals';

const redis = inject('redisUrl');
const keyPrefix = `atk-ev-${process.pid}`;
const TRACK = 'mutation($e: [EventInput!]!) { track(events: $e) { accepted duplicates } }';
const ME = '{ me { id userId traits consent { behavioral } segments { key } } }';
const now = () => Date.now();

let t: TestServer;
let inspect: ProfileInspector;
const fingerprint = prototypeFingerprint();

beforeAll(async () => {
  t = await TestServer.start({
    redis,
    keyPrefix,
    // Rate limits have their own test (abuse.test.ts); here they would only cut the runs short.
    server: {
      limits: {
        trackPerProfile: { burst: 100_000, perSecond: 100_000 },
        trackPerIp: { burst: 100_000, perSecond: 100_000 },
      },
    },
  });
  inspect = new ProfileInspector(redis, keyPrefix);
});
afterAll(async () => {
  await inspect?.close();
  await t?.close();
});

/** A session whose profile already holds events and memberships, so there is something to corrupt. */
async function establishedProfile(): Promise<{ token: string; profileId: string }> {
  const session = await t.session();
  expect((await t.view(session.token, 3)).data).toMatchObject({ track: { accepted: 3 } });
  return session;
}

describe('hostile events', () => {
  it('refuses one bad event anywhere in a batch with its path and reason, storing nothing of the batch', async () => {
    const { token, profileId } = await establishedProfile();
    const meBefore = await t.gql(ME, {}, token);
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(validEvent(now), { maxLength: 4 }),
        validEvent(now),
        fc.nat(),
        hostility(now),
        async (valid, base, position, bad) => {
          const index = position % (valid.length + 1);
          const batch = [...valid];
          batch.splice(index, 0, bad.apply(base));
          const before = await inspect.state(profileId);
          expectTrackRefused(await t.gql(TRACK, { e: batch }, token), index, bad.label);
          expect(await inspect.state(profileId), bad.label).toEqual(before);
          expect(prototypeFingerprint()).toBe(fingerprint);
          refused++;
        },
      ),
      { numRuns: 200 },
    );
    expect(refused).toBeGreaterThanOrEqual(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await t.gql(ME, {}, token)).toMatchObject({ data: meBefore.data });
  });

  it('refuses an events variable of the wrong shape, as a whole', async () => {
    const { token, profileId } = await establishedProfile();
    const notEvents = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.boolean(),
      fc.constant([]),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer())), {
        minLength: 1,
        maxLength: 5,
      }),
      // A single object is coerced to a one-element list by GraphQL: make sure it is a bad one.
      fc.constant({ id: 'x y', type: 'page' }),
      fc.constant(own('__proto__', { id: 'p', type: 'page' })),
      fc.integer({ min: 2, max: 40 }).map((depth) => {
        let node: unknown = [];
        for (let level = 0; level < depth; level++) node = [node];
        return node;
      }),
    );
    await fc.assert(
      fc.asyncProperty(notEvents, async (events) => {
        const before = await inspect.state(profileId);
        const response = await t.gql(TRACK, { e: events }, token);
        // `{ id: "x y" }` reaches the validator at events[0]; everything else fails as a whole.
        expectTrackRefused(response, isBadSingle(events) ? 0 : null, JSON.stringify(events).slice(0, 80));
        expect(await inspect.state(profileId)).toEqual(before);
      }),
      { numRuns: 60 },
    );
    expect(prototypeFingerprint()).toBe(fingerprint);
  });

  it('refuses numbers JSON cannot carry (1e400, -1e400) and prototype keys written as GraphQL literals', async () => {
    const { token, profileId } = await establishedProfile();
    const literal = (event: string) => `mutation { track(events: [${event}]) { accepted } }`;
    const cases: Array<[string, string]> = [
      ['{ id: "lit-1", type: "page", timestamp: 1e400 }', 'events[0].timestamp'],
      ['{ id: "lit-2", type: "page", timestamp: -1e400 }', 'events[0].timestamp'],
      ['{ id: "lit-3", type: "page", timestamp: 1.5 }', 'events[0].timestamp'],
      ['{ id: "lit-4", type: "page", properties: { price: 1e400 } }', 'events[0].properties.price'],
      ['{ id: "lit-5", type: "page", properties: { a: [1, -1e400] } }', 'events[0].properties.a[1]'],
      [
        '{ id: "lit-6", type: "page", properties: { __proto__: { polluted: true } } }',
        'events[0].properties.__proto__',
      ],
      [
        '{ id: "lit-7", type: "page", context: { a: { constructor: { prototype: 1 } } } }',
        'events[0].context.a.constructor',
      ],
      ['{ id: "lit-8", type: "page", properties: { prototype: 1 } }', 'events[0].properties.prototype'],
    ];
    const before = await inspect.state(profileId);
    for (const [event, path] of cases) {
      const response = await t.gql(literal(event), {}, token);
      expect(response.errors?.[0], event).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', path } });
      expect(response.errors![0]!.message).toMatch(new RegExp(`^${escape(path)}: \\S`));
    }
    expect(await inspect.state(profileId)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeFingerprint()).toBe(fingerprint);
  });

  it('refuses a body that is not valid UTF-8 or not JSON, and keeps serving', async () => {
    const { token, profileId } = await establishedProfile();
    const before = await inspect.state(profileId);
    const text = JSON.stringify({ query: TRACK, variables: { e: [{ id: freshId(), type: 'PLACEHOLDER' }] } });
    const [head, tail] = text.split('PLACEHOLDER') as [string, string];
    const bodies = [
      // A lone continuation byte and a truncated sequence inside the event name.
      Buffer.concat([Buffer.from(head), Buffer.from([0x80, 0x41]), Buffer.from(tail)]),
      Buffer.concat([Buffer.from(head), Buffer.from([0xe2, 0x82]), Buffer.from(tail)]),
      // An overlong encoding of "/" and an encoded surrogate (both forbidden in UTF-8).
      Buffer.concat([Buffer.from(head), Buffer.from([0xc0, 0xaf]), Buffer.from(tail)]),
      Buffer.concat([Buffer.from(head), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(tail)]),
      Buffer.from(text.replace('"PLACEHOLDER"', 'NaN')),
      Buffer.from(text.replace('"PLACEHOLDER"', 'Infinity')),
      Buffer.from(text.slice(0, -3)),
    ];
    for (const body of bodies) {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      const json = (await response.json()) as {
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
      expect(response.status, body.toString('latin1')).toBe(400);
      expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(json.errors?.[0]?.message).toMatch(/UTF-8|JSON/);
    }
    expect(await inspect.state(profileId)).toEqual(before);
    expect((await t.view(token, 1)).data).toMatchObject({ track: { accepted: 1 } });
  });
});

describe('valid events', () => {
  it('stores exactly the accepted events, at their timestamps, and counts a replay as duplicates only', async () => {
    const { token, profileId } = await establishedProfile();
    await fc.assert(
      fc.asyncProperty(fc.array(validEvent(now), { minLength: 1, maxLength: 8 }), async (batch) => {
        // Fresh ids per run: fast-check replays values while shrinking.
        const events: Array<Record<string, unknown>> = batch.map((event) => ({ ...event, id: freshId() }));
        const seenBefore = await inspect.seen(profileId);
        const sentAt = Date.now();
        const first = await t.gql(TRACK, { e: events }, token);
        const receivedBy = Date.now();
        expect(first.data, JSON.stringify(first.errors)).toEqual({
          track: { accepted: events.length, duplicates: 0 },
        });
        const seenAfter = await inspect.seen(profileId);
        expect(seenAfter.size).toBe(seenBefore.size + events.length);
        for (const event of events) {
          const stored = seenAfter.get(event.id as string);
          if (event.timestamp === undefined) {
            expect(stored).toBeGreaterThanOrEqual(sentAt);
            expect(stored).toBeLessThanOrEqual(receivedBy);
          } else
            expect(stored).toBe(
              typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : event.timestamp,
            );
        }
        const state = await inspect.state(profileId);
        const replay = await t.gql(TRACK, { e: events }, token);
        expect(replay.data).toEqual({ track: { accepted: 0, duplicates: events.length } });
        expect(await inspect.state(profileId)).toEqual(state);
      }),
      { numRuns: 60 },
    );
  });

  it('counts an event replayed within one batch, and across profiles, once per profile', async () => {
    const one = await t.session();
    const other = await t.session();
    const id = freshId();
    const event = { id, type: 'Article Viewed', properties: { category: 'news' } };
    const inOneBatch = await t.gql(TRACK, { e: [event, event, event] }, one.token);
    expect(inOneBatch.data).toEqual({ track: { accepted: 1, duplicates: 2 } });
    // Ids are per profile: another visitor's identical id is its own event, and changes nothing of the first.
    const before = await inspect.state(one.profileId);
    expect((await t.gql(TRACK, { e: [event] }, other.token)).data).toEqual({
      track: { accepted: 1, duplicates: 0 },
    });
    expect(await inspect.state(one.profileId)).toEqual(before);
  });
});

describe('identify input', () => {
  const IDENTIFY =
    'mutation($a: String!) { identify(assertion: $a) { session { token } profile { id traits segments { key } } } }';

  it('refuses hostile traits with their path, leaving the user profile as it was', async () => {
    const userId = `atk-user-${process.pid}-${Date.now()}`;
    const first = await t.session();
    const established = await t.gql(
      IDENTIFY,
      { a: await assertionFor(userId, { traits: { plan: 'gold' } }) },
      first.token,
    );
    expect(established.data).toMatchObject({
      identify: { profile: { id: `user:${userId}`, segments: [{ key: 'vip' }] } },
    });
    const userToken = (established.data as { identify: { session: { token: string } } }).identify.session
      .token;
    const hostileTraits = fc.oneof(
      fc
        .constantFrom(...(['__proto__', 'constructor', 'prototype'] as const))
        .map((key) => own(key, { plan: 'gold' })),
      fc.constant({ nested: own('__proto__', { polluted: true }) }),
      loneSurrogate.map((key) => ({ [key]: 1 })),
      loneSurrogate.map((text) => ({ plan: text })),
      fc
        .integer({ min: 65, max: 500 })
        .map((count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]))),
      fc.integer({ min: 6, max: 30 }).map((depth) => {
        let node: unknown = 1;
        for (let level = 0; level < depth; level++) node = { d: node };
        return node;
      }),
      fc.integer({ min: 1_025, max: 10_000 }).map((length) => ({ bio: 'b'.repeat(length) })),
      fc.constantFrom('gold', 42, true, ['gold'] as unknown),
    );
    await fc.assert(
      fc.asyncProperty(hostileTraits, async (traits) => {
        const { token } = await t.session();
        const before = await inspect.state(`user:${userId}`);
        const a = await assertionFor(userId, { traits: traits as JsonObject });
        const response = await t.gql(IDENTIFY, { a }, token);
        expect(response.data?.identify ?? null).toBeNull();
        expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(response.errors?.[0]?.message).toMatch(/traits claim is invalid: traits/);
        expect(await inspect.state(`user:${userId}`)).toEqual(before);
      }),
      { numRuns: 40 },
    );
    expect(prototypeFingerprint()).toBe(fingerprint);
    expect((await t.gql(ME, {}, userToken)).data).toMatchObject({
      me: { id: `user:${userId}`, traits: { plan: 'gold' }, segments: [{ key: 'vip' }] },
    });
  });

  it('refuses user ids that cannot round-trip through UTF-8, even in a signed assertion', async () => {
    const { token, profileId } = await establishedProfile();
    const before = await inspect.state(profileId);
    for (const userId of ['a\ud800', '\udfffb', 'x\ud83d']) {
      const response = await t.gql(IDENTIFY, { a: await assertionFor(userId) }, token);
      expect(response.errors?.[0]?.extensions?.code, userId).toBe('BAD_USER_INPUT');
    }
    expect(await inspect.state(profileId)).toEqual(before);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isBadSingle(events: unknown): boolean {
  return (
    typeof events === 'object' && events !== null && !Array.isArray(events) && Object.hasOwn(events, 'id')
  );
}
