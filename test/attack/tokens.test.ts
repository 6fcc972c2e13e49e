/**
 * Profile tokens under attack, over HTTP and WebSocket against real Redis: every change of a valid
 * token (a character, a cut, a suffix, another part's payload), garbage and other profiles' ids
 * are refused with INVALID_TOKEN / close 4403, and never read or change any profile. The profile
 * comes from the token alone; an erased profile's token stands for an empty profile, nothing more.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signIdentityAssertion } from '../../server';
import { TokenSigner } from '../../server/tokens';
import { assertionFor, closeOf, IDENTIFY, Pushes, SECRET, TestServer } from '../graphql/support/harness';
import { startInspected, type ProfileInspector } from './support/profile-state';

const redis = inject('redisUrl');
const keyPrefix = `atk-tok-${process.pid}`;
const TRACK = 'mutation($e: [EventInput!]!) { track(events: $e) { accepted duplicates } }';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

let t: TestServer;
let inspect: ProfileInspector;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, inspect, close } = await startInspected(redis, keyPrefix));
});
afterAll(() => close?.());

/** A victim with events and memberships. */
async function victim(): Promise<{ token: string; profileId: string }> {
  const session = await t.session();
  expect((await t.view(session.token, 3)).data).toMatchObject({ track: { accepted: 3 } });
  return session;
}

/** Changes of a valid token an attacker would try. */
function tamperings(token: string): fc.Arbitrary<{ label: string; token: string }> {
  const parts = token.split('.');
  return fc.oneof(
    // One character replaced by another base64url character (or a dot, or a non-base64 one).
    fc
      .tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...BASE64URL, '.', '=', '+', '/', '!', ' '))
      .filter(([at, replacement]) => token[at] !== replacement)
      .map(([at, replacement]) => ({
        label: `char ${at} -> ${replacement}`,
        token: token.slice(0, at) + replacement + token.slice(at + 1),
      })),
    // Cut anywhere, or padded, or extended.
    fc
      .nat({ max: token.length - 1 })
      .map((length) => ({ label: `cut at ${length}`, token: token.slice(0, length) })),
    fc
      .constantFrom('=', '==', 'A', 'AA', '.', '.x', '%00')
      .map((suffix) => ({ label: `+${suffix}`, token: token + suffix })),
    // Another payload (another profile, a later expiry) under the original signature.
    fc
      .record({ sub: fc.oneof(fc.constant(`anon:${randomUUID()}`), fc.string()), exp: fc.integer() })
      .map(({ sub, exp }) => ({
        label: `payload ${sub}/${exp}`,
        token: [
          parts[0],
          parts[1],
          Buffer.from(JSON.stringify({ sub, iat: Date.now(), exp })).toString('base64url'),
          parts[3],
        ].join('.'),
      })),
    // Garbage.
    fc
      .oneof(fc.string({ minLength: 1, maxLength: 200 }), fc.base64String({ minLength: 1, maxLength: 200 }))
      .filter((garbage) => garbage.trim() !== '')
      .map((garbage) => ({ label: `garbage ${garbage.slice(0, 20)}`, token: garbage })),
  );
}

describe('tampered, forged and garbage tokens', () => {
  it('refuses every change of a valid token over HTTP, for reads and writes, changing nothing', async () => {
    const { token, profileId } = await victim();
    const before = await inspect.state(profileId);
    await fc.assert(
      fc.asyncProperty(
        // Without any token a read is served as the fallback and a write is UNAUTHENTICATED (http.test.ts).
        tamperings(token).filter((tampered) => tampered.token !== token && tampered.token.trim() !== ''),
        fc.boolean(),
        async ({ label, token: tampered }, write) => {
          const response = write
            ? await t.gql(
                TRACK,
                { e: [{ id: randomUUID(), type: 'Article Viewed', properties: { category: 'news' } }] },
                tampered,
              )
            : await t.gql('{ me { id segments { key } } }', {}, tampered);
          expect(response.data?.me ?? response.data?.track ?? null, label).toBeNull();
          expect(response.errors?.[0]?.extensions?.code, label).toBe('INVALID_TOKEN');
          expect(response.errors?.[0]?.message, label).toMatch(/token/);
        },
      ),
      { numRuns: 150 },
    );
    expect(await inspect.state(profileId)).toEqual(before);
    expect((await t.gql('{ me { id } }', {}, token)).data).toEqual({ me: { id: profileId } });
  });

  it('refuses tokens of another secret, expired ones, and ones whose signature was recomputed without the secret', async () => {
    const { token, profileId } = await victim();
    const before = await inspect.state(profileId);
    const forged = [
      new TokenSigner({ secrets: ['x'.repeat(32)], clock: { now: Date.now } }).issue(profileId).token,
      new TokenSigner({ secrets: [SECRET], ttlMs: 1, clock: { now: () => Date.now() - 10 } }).issue(profileId)
        .token,
      // Same key id, payload for the victim, signed with a guessed secret: the kid does not help.
      (() => {
        const [, kid] = token.split('.');
        const guess = new TokenSigner({ secrets: ['guess'.repeat(8)], clock: { now: Date.now } })
          .issue(profileId)
          .token.split('.');
        return ['pz1', kid, guess[2], guess[3]].join('.');
      })(),
      // A version we do not speak, and the "none" algorithm trick of JWTs.
      token.replace(/^pz1/, 'pz2'),
      `${token.split('.').slice(0, 3).join('.')}.`,
    ];
    for (const candidate of forged) {
      const response = await t.gql(TRACK, { e: [{ id: randomUUID(), type: 'page' }] }, candidate);
      expect(response.errors?.[0]?.extensions?.code, candidate).toBe('INVALID_TOKEN');
    }
    expect(await inspect.state(profileId)).toEqual(before);
  });

  it('closes the WebSocket with 4403 for tampered tokens, and 4401 without one, serving a valid socket meanwhile', async () => {
    const { token } = await victim();
    const good = t.client(token);
    const live = new Pushes<{ live: { me: { id: string } } }>(good, 'subscription { live { me { id } } }');
    expect((await live.nextData()).live.me.id).toMatch(/^anon:/);
    await fc.assert(
      fc.asyncProperty(
        tamperings(token).filter((tampered) => tampered.token !== token),
        async ({ label, token: tampered }) => {
          const socket = t.raw();
          socket.once('open', () =>
            socket.send(JSON.stringify({ type: 'connection_init', payload: { token: tampered } })),
          );
          const closed = await closeOf(socket);
          // An empty token is no token (4401); any other is refused (4403).
          expect(closed.code, label).toBe(tampered === '' ? 4401 : 4403);
          expect(closed.reason, label).toMatch(/token/);
        },
      ),
      { numRuns: 40 },
    );
    for (const payload of [{}, { token: '' }, { token: null }, null]) {
      const socket = t.raw();
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
      expect((await closeOf(socket)).code).toBe(4401);
    }
    const other = t.raw();
    other.once('open', () =>
      other.send(JSON.stringify({ type: 'connection_init', payload: { token: [token] } })),
    );
    expect((await closeOf(other)).code).toBe(4403);
    // The valid socket kept working throughout.
    await t.view(token, 1);
    expect((await t.gql('{ me { id } }', {}, token)).data).toMatchObject({ me: { id: expect.any(String) } });
  });
});

describe('one profile per token', () => {
  it('lands events on the token holder whatever the payload names, and never shows another profile', async () => {
    const target = await victim();
    const attacker = await t.session();
    const before = await inspect.state(target.profileId);
    // Segment fields that name a visitor are accepted and ignored: the token decides.
    const events = [
      {
        id: randomUUID(),
        type: 'Article Viewed',
        properties: { category: 'news', profileId: target.profileId },
        context: { userId: target.profileId },
      },
    ];
    const tracked = await t.gql(TRACK, { e: events }, attacker.token, { cookie: `pz_token=${target.token}` });
    expect(tracked.data).toEqual({ track: { accepted: 1, duplicates: 0 } });
    expect(await inspect.state(target.profileId)).toEqual(before);
    expect((await inspect.seen(attacker.profileId)).has(events[0]!.id)).toBe(true);
    // Header tricks do not switch profiles: the bearer token wins, two tokens are no token.
    const me = await t.gql('{ me { id } }', {}, attacker.token, {
      'x-profile-id': target.profileId,
      cookie: `pz_token=${target.token}`,
    });
    expect(me.data).toEqual({ me: { id: attacker.profileId } });
    const both = await t.gql('{ me { id } }', {}, null, {
      authorization: `Bearer ${attacker.token}, Bearer ${target.token}`,
    });
    expect(both.errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
  });

  it("pushes a socket only its own profile's changes", async () => {
    const watcher = await t.session();
    const other = await t.session();
    const changes = new Pushes<{ segmentsChanged: { entered: string[]; cause: string } }>(
      t.client(watcher.token),
      'subscription { segmentsChanged { entered cause } }',
    );
    expect((await changes.nextData()).segmentsChanged).toEqual({ entered: [], cause: 'CURRENT' });
    await t.view(other.token, 3);
    await t.view(watcher.token, 2, 'sport');
    // Had the other profile's change leaked, it would have come first.
    expect((await changes.nextData()).segmentsChanged).toEqual({ entered: ['reader'], cause: 'EVENT' });
  });

  it("cannot take over a user's profile without that user's identity assertion", async () => {
    const userId = `atk-owner-${randomUUID()}`;
    const owner = await t.session();
    const used = await assertionFor(userId, { traits: { plan: 'gold' } });
    expect((await t.gql(IDENTIFY, { a: used }, owner.token)).data).toMatchObject({
      identify: { profile: { id: `user:${userId}` } },
    });
    const before = await inspect.state(`user:${userId}`);
    const attacker = await t.session();
    const now = Date.now();
    const assertions = [
      '',
      used, // replayed
      await signIdentityAssertion({ userId, secret: 'y'.repeat(32) }),
      await signIdentityAssertion({ userId, secret: SECRET }), // the token secret signs nothing here
      await assertionFor(userId, { now: now - 400_000 }), // expired
      await assertionFor(userId, { ttlSeconds: 3600 }), // lives too long
      await assertionFor(userId, { audience: 'another-site' }),
      await assertionFor(userId, { profileId: owner.profileId }), // bound to another session
      'A'.repeat(43),
      'x'.repeat(10_000),
    ];
    for (const assertion of assertions) {
      const response = await t.gql(IDENTIFY, { a: assertion }, attacker.token);
      expect(response.errors?.[0]?.extensions?.code, assertion.slice(0, 20)).toBe('FORBIDDEN');
    }
    // Nor by asking for the user's profile id as an anonymous id, or by tracking onto it.
    expect(await inspect.state(`user:${userId}`)).toEqual(before);
    expect((await t.gql('{ me { id } }', {}, attacker.token)).data).toEqual({
      me: { id: attacker.profileId },
    });
  });
});

describe('erased profiles', () => {
  it('leaves no key of the profile or its aliases, and the token then stands for an empty profile', async () => {
    const userId = `atk-erase-${randomUUID()}`;
    const phone = await victim();
    const laptop = await t.session();
    const signedIn: string[] = [];
    for (const device of [phone, laptop]) {
      const a = await assertionFor(userId, { traits: { plan: 'gold' } });
      const identified = await t.gql(IDENTIFY, { a }, device.token);
      signedIn.push((identified.data as { identify: { session: { token: string } } }).identify.session.token);
    }
    const [phoneToken, laptopToken] = signedIn as [string, string];
    const live = new Pushes<{ segmentsChanged: { exited: string[]; cause: string } }>(
      t.client(laptopToken),
      'subscription { segmentsChanged { exited cause } }',
    );
    await live.nextData();
    expect(await t.gql('mutation { forgetMe }', {}, phoneToken)).toMatchObject({ data: { forgetMe: true } });
    expect((await live.nextData()).segmentsChanged).toMatchObject({
      cause: 'FORGET',
      exited: expect.arrayContaining(['vip', 'breaking-news']),
    });
    for (const id of [`user:${userId}`, phone.profileId, laptop.profileId])
      expect(await inspect.state(id), id).toEqual({});
    // Every token still verifies, for an empty profile: nothing of the user comes back.
    for (const [token, id] of [
      [phone.token, phone.profileId],
      [laptop.token, laptop.profileId],
      [phoneToken, `user:${userId}`],
    ])
      expect((await t.gql('{ me { id userId traits segments { key } } }', {}, token)).data).toEqual({
        me: { id, userId: null, traits: {}, segments: [] },
      });
    // Forgetting twice, or a profile that never existed, is harmless.
    expect(await t.gql('mutation { forgetMe }', {}, phoneToken)).toMatchObject({ data: { forgetMe: true } });
    expect(await inspect.state(`user:${userId}`)).toEqual({});
  });
});

describe('tokens that expire on an open socket', () => {
  it('closes the socket with 4403 at its next operation once the token has expired', async () => {
    const ttlMs = 1_500;
    const short = await TestServer.start({
      redis,
      keyPrefix,
      server: { tokens: { secrets: [SECRET], ttlMs } },
    });
    try {
      const { token } = await short.session();
      const expiresAt = Date.now() + ttlMs;
      const socket = short.raw();
      const messages: Array<{ type: string; id?: string }> = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data)) as (typeof messages)[number]));
      await new Promise<void>((resolve) => socket.once('open', () => resolve()));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { token } }));
      const subscribe = (id: string) =>
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: '{ me { id } }' } }));
      await expect.poll(() => messages.some((message) => message.type === 'connection_ack')).toBe(true);
      subscribe('before');
      await expect
        .poll(() => messages.some((message) => message.id === 'before' && message.type === 'next'))
        .toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
      const closed = closeOf(socket);
      subscribe('after');
      expect(await closed).toMatchObject({ code: 4403, reason: expect.stringMatching(/expired/) });
      expect(messages.some((message) => message.id === 'after' && message.type === 'next')).toBe(false);
    } finally {
      await short.close();
    }
  });
});

describe('remembered verifications', () => {
  it('still refuse a remembered token once it expires, and never a tampered copy of it', () => {
    let now = 1_000_000;
    const signer = new TokenSigner({ secrets: [SECRET], ttlMs: 60_000, clock: { now: () => now } });
    const { token, claims } = signer.issue('anon:remembered');
    expect(signer.verify(token)).toEqual({ ok: true, claims });
    expect(signer.verify(token)).toEqual({ ok: true, claims }); // from memory this time
    const [head, , signature] = [token.slice(0, -1), null, token.slice(-1)];
    const tampered = `${head}${signature === 'A' ? 'B' : 'A'}`;
    expect(signer.verify(tampered)).toEqual({ ok: false, refusal: 'bad-signature' });
    // A signer without the secret never accepts it, whatever another signer remembers.
    const other = new TokenSigner({ secrets: ['o'.repeat(32)], clock: { now: () => now } });
    expect(other.verify(token)).toEqual({ ok: false, refusal: 'unknown-key' });
    now += 60_000;
    expect(signer.verify(token)).toEqual({ ok: false, refusal: 'expired' });
    expect(signer.verify(token)).toEqual({ ok: false, refusal: 'expired' });
  });

  it('keep a bounded memory: the oldest verified tokens are forgotten, and verify again', () => {
    const signer = new TokenSigner({ secrets: [SECRET], clock: { now: Date.now } });
    const first = signer.issue('anon:first').token;
    expect(signer.verify(first).ok).toBe(true);
    for (let i = 0; i < 10_050; i += 1) expect(signer.verify(signer.issue(`anon:${i}`).token).ok).toBe(true);
    const remembered = (signer as unknown as { verified: Map<string, unknown> }).verified;
    expect(remembered.size).toBe(10_000);
    expect(remembered.has(first)).toBe(false);
    expect(signer.verify(first).ok).toBe(true);
  });
});
