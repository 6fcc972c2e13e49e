/**
 * Identity over the real endpoint (HTTP and WebSocket, real Redis): a shared device never merges
 * one user into another, identify returns a new token and the old one is refused, identity
 * assertions (HS256 secret, local JWKS, remote JWKS) are short-lived and single use, browser
 * traits are refused or kept apart, tokens refresh.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPersonalizeServer } from '../../server';
import {
  assertionFor,
  fixtureRules,
  IDENTIFY,
  IDENTITY_SECRET,
  Pushes,
  SECRET,
  TestServer,
} from './support/harness';
import { JsonContentSource } from '../../content/json-source';
import { createPersonalizer } from '../../engine';
import type { RuleSetSource } from '../../engine/types';

const WIDE_IDENTIFY = {
  identifyPerProfile: { burst: 1000, perSecond: 1000 },
  identifyPerIp: { burst: 1000, perSecond: 1000 },
};

const redis = inject('redisUrl');
const ME = '{ me { id userId traits clientTraits segments { key } } }';

interface Identified {
  session: { token: string; profileId: string; expiresAt: string };
  profile: { id: string; userId: string | null; traits: object; clientTraits: object; segments: unknown[] };
}

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let jose: Jose;
let t: TestServer;
beforeAll(async () => {
  jose = await import('jose');
  // The cases identify many times per visitor and address: the identify limits are the limits test's.
  t = await TestServer.start({ redis, server: { limits: WIDE_IDENTIFY } });
});
afterAll(() => t.close());

async function identify(
  server: TestServer,
  token: string,
  userId: string,
  traits?: object,
): Promise<Identified> {
  const response = await server.gql(
    IDENTIFY,
    { a: await assertionFor(userId, traits ? { traits: traits as never } : {}) },
    token,
  );
  expect(response.errors).toBeUndefined();
  return (response.data as { identify: Identified }).identify;
}

const codeOf = (response: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
  response.errors?.[0]?.extensions?.code;

describe('a shared device', () => {
  it("never merges one user's profile into another's (phone and PC of A, then B on the PC)", async () => {
    const a = `a-${randomUUID()}`;
    const b = `b-${randomUUID()}`;
    const phone = await t.session();
    const pc = await t.session();
    await t.view(phone.token, 1);
    const onPhone = await identify(t, phone.token, a, { plan: 'gold', name: 'A' });
    expect(onPhone.session.profileId).toBe(`user:${a}`);
    await t.view(pc.token, 1);
    const onPc = await identify(t, pc.token, a);
    expect(onPc.profile.segments).toEqual([{ key: 'vip' }, { key: 'reader' }]);
    // A's phone listens to its segments.
    const phoneChanges = new Pushes<{ segmentsChanged: { entered: string[]; cause: string } }>(
      t.client(onPhone.session.token),
      'subscription { segmentsChanged { entered cause } }',
    );
    expect((await phoneChanges.nextData()).segmentsChanged.cause).toBe('CURRENT');

    // B signs in on the PC, where A's token is stored.
    const asB = await identify(t, onPc.session.token, b, { name: 'B' });
    expect(asB.profile).toMatchObject({ id: `user:${b}`, userId: b, traits: { name: 'B' }, segments: [] });
    expect(asB.session.profileId).toBe(`user:${b}`);
    await t.view(asB.session.token, 3);

    // A's phone still reads A, and nothing of B reached it.
    expect((await t.gql(ME, {}, onPhone.session.token)).data).toEqual({
      me: {
        id: `user:${a}`,
        userId: a,
        traits: { plan: 'gold', name: 'A' },
        clientTraits: {},
        segments: [{ key: 'vip' }, { key: 'reader' }],
      },
    });
    await t.view(onPhone.session.token, 1);
    // A's own change is the next push; had B's leaked, it would have come first.
    expect((await phoneChanges.nextData()).segmentsChanged).toEqual({
      entered: ['breaking-news'],
      cause: 'EVENT',
    });
    expect((await t.gql(ME, {}, onPc.session.token)).data).toMatchObject({ me: { id: `user:${a}` } });

    // A erases their data from the phone: B keeps theirs.
    expect((await t.gql('mutation { forgetMe }', {}, onPhone.session.token)).data).toEqual({
      forgetMe: true,
    });
    expect((await t.gql(ME, {}, asB.session.token)).data).toEqual({
      me: {
        id: `user:${b}`,
        userId: b,
        traits: { name: 'B' },
        clientTraits: {},
        segments: [{ key: 'breaking-news' }, { key: 'reader' }],
      },
    });
    expect((await t.gql(ME, {}, onPc.session.token)).data).toMatchObject({
      me: { id: `user:${a}`, userId: null, segments: [] },
    });
  });
});

describe('the token identify returns', () => {
  it('replaces the anonymous one: HTTP and WebSocket refuse the old token, naming the new one', async () => {
    const userId = `u-${randomUUID()}`;
    const anonymous = await t.session();
    await t.view(anonymous.token, 2);
    const signedIn = await identify(t, anonymous.token, userId, { plan: 'gold' });
    const refusals = [
      await t.gql(ME, {}, anonymous.token),
      await t.view(anonymous.token, 1),
      await t.gql(
        'mutation { setConsent(behavioral: false) { consent { behavioral } } }',
        {},
        anonymous.token,
      ),
      await t.gql('mutation { forgetMe }', {}, anonymous.token),
      await t.gql('{ banner(placement: home) { title } }', {}, anonymous.token),
    ];
    for (const refused of refusals) {
      expect(refused.errors?.[0]).toMatchObject({
        extensions: { code: 'INVALID_TOKEN' },
        message: expect.stringMatching(/token identify returned/),
      });
    }
    const changes = new Pushes(t.client(anonymous.token), 'subscription { segmentsChanged { cause } }');
    const refused = await changes.next();
    expect(refused.errors).toMatchObject([{ extensions: { code: 'INVALID_TOKEN' } }]);
    await expect(changes.next(1000)).rejects.toThrow(/completed/);
    const live = new Pushes(t.client(anonymous.token), 'subscription { live { me { id } } }');
    expect((await live.next()).errors).toMatchObject([{ extensions: { code: 'INVALID_TOKEN' } }]);
    // Nothing was erased or withdrawn; the new token reads the user's profile.
    expect((await t.gql(ME, {}, signedIn.session.token)).data).toMatchObject({
      me: { id: `user:${userId}`, traits: { plan: 'gold' }, segments: [{ key: 'vip' }, { key: 'reader' }] },
    });
    const followed = new Pushes<{ segmentsChanged: { cause: string } }>(
      t.client(signedIn.session.token),
      'subscription { segmentsChanged { cause } }',
    );
    expect((await followed.nextData()).segmentsChanged.cause).toBe('CURRENT');
  });

  it('lives tokens.userTtlMs; refreshSession renews any valid token for the same profile', async () => {
    const short = await TestServer.start({
      redis,
      server: { tokens: { secrets: [SECRET], userTtlMs: 60_000 } },
    });
    try {
      const anonymous = await short.session();
      const before = Date.now();
      const signedIn = await identify(short, anonymous.token, `u-${randomUUID()}`);
      const expiresIn = Date.parse(signedIn.session.expiresAt) - before;
      expect(expiresIn).toBeGreaterThan(55_000);
      expect(expiresIn).toBeLessThanOrEqual(61_000);
      const refresh = 'mutation { refreshSession { token profileId expiresAt } }';
      const renewed = (await short.gql(refresh, {}, signedIn.session.token)).data as {
        refreshSession: Identified['session'];
      };
      expect(renewed.refreshSession.profileId).toBe(signedIn.session.profileId);
      expect(renewed.refreshSession.token).not.toBe(signedIn.session.token);
      expect((await short.gql('{ me { id } }', {}, renewed.refreshSession.token)).data).toEqual({
        me: { id: signedIn.session.profileId },
      });
      const fresh = await short.session();
      const anon = (await short.gql(refresh, {}, fresh.token)).data as {
        refreshSession: Identified['session'];
      };
      expect(anon.refreshSession.profileId).toBe(fresh.profileId);
      expect(Date.parse(anon.refreshSession.expiresAt) - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
      expect(codeOf(await short.gql(refresh, {}, 'pz1.nope'))).toBe('INVALID_TOKEN');
      expect(codeOf(await short.gql(refresh))).toBe('UNAUTHENTICATED');
    } finally {
      await short.close();
    }
  });
});

describe('identity assertions', () => {
  it('are single use, short-lived, for this audience, bound to the session when they say so', async () => {
    const userId = `u-${randomUUID()}`;
    const caller = await t.session();
    const once = await assertionFor(userId);
    const other = await t.session();
    expect(codeOf(await t.gql(IDENTIFY, { a: once }, other.token))).toBeUndefined();
    const cases: Array<[string, RegExp]> = [
      [once, /already used/],
      [await assertionFor(userId, { now: Date.now() - 400_000 }), /expired/],
      [await assertionFor(userId, { ttlSeconds: 601 }), /at most 600 s/],
      [await assertionFor(userId, { audience: 'elsewhere' }), /audience/],
      [await assertionFor(userId, { profileId: other.profileId }), /another session/],
      [await assertionFor(userId, { now: Date.now() + 120_000 }), /future|iat/],
      [
        await new jose.SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(userId)
          .setAudience('personalize')
          .setIssuedAt()
          .setExpirationTime('2m')
          .sign(new TextEncoder().encode(IDENTITY_SECRET)),
        /jti/,
      ],
      [unsigned(userId), /algorithm|signature|valid/],
      [tamper(await assertionFor(userId)), /signature/],
      ['', /needs an identity assertion/],
    ];
    for (const [assertion, message] of cases) {
      const response = await t.gql(IDENTIFY, { a: assertion }, caller.token);
      expect(response.errors?.[0], String(message)).toMatchObject({
        extensions: { code: 'FORBIDDEN' },
        message: expect.stringMatching(message),
      });
    }
    expect((await t.gql(ME, {}, caller.token)).data).toMatchObject({
      me: { id: caller.profileId, userId: null },
    });
    const bound = await assertionFor(userId, { profileId: caller.profileId });
    expect((await t.gql(IDENTIFY, { a: bound }, caller.token)).data).toMatchObject({
      identify: { profile: { id: `user:${userId}` } },
    });
  });

  it('refuse at start-up an identity secret that is a token secret, a long lifetime, a typo', async () => {
    const personalizer = await createPersonalizer({ rules: fixtureRules(), logger: quiet });
    const content = new JsonContentSource(t.contentDir);
    try {
      const build = (identity: object) => () =>
        createPersonalizeServer({
          personalizer,
          content,
          tokens: { secrets: [SECRET] },
          identity,
          logger: quiet,
        });
      expect(build({ secrets: [SECRET] })).toThrow(/must not be a token secret/);
      expect(build({ secrets: ['short'] })).toThrow(/at least 32 characters/);
      expect(build({ secrets: [IDENTITY_SECRET], maxLifetimeSeconds: 7200 })).toThrow(/maxLifetimeSeconds/);
      expect(build({ secrets: [IDENTITY_SECRET], clientTraits: 'trust' })).toThrow(/clientTraits/);
      expect(build({})).toThrow(/secrets \(HS256\) or jwks/);
      expect(build({ jwks: 'file:///etc/keys' })).toThrow(/jwks/);
      expect(() =>
        createPersonalizeServer({
          personalizer,
          content,
          tokens: { secrets: [SECRET] },
          logger: quiet,
        } as never),
      ).toThrow(/identity/);
    } finally {
      content.close();
      await personalizer.close();
    }
  });

  it('verify with public keys: a local JWKS object and a JWKS URL', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
    const stranger = await jose.generateKeyPair('ES256');
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const sign = (key: CryptoKey, userId: string) =>
      new jose.SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(userId)
        .setAudience('personalize')
        .setIssuedAt()
        .setExpirationTime('2m')
        .setJti(randomUUID())
        .sign(key);
    let fetched = 0;
    const jwksServer: Server = createServer((_req, res) => {
      fetched += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    try {
      for (const jwks of [{ keys: [jwk] }, url]) {
        const server = await TestServer.start({ redis, server: { identity: { jwks } } });
        try {
          const { token } = await server.session();
          const userId = `u-${randomUUID()}`;
          const refused = await server.gql(IDENTIFY, { a: await sign(stranger.privateKey, userId) }, token);
          expect(refused.errors?.[0]).toMatchObject({
            extensions: { code: 'FORBIDDEN' },
            message: expect.stringMatching(/signature/),
          });
          // An HS256 assertion signed with the public key's bytes, or any secret, is not accepted here.
          expect(codeOf(await server.gql(IDENTIFY, { a: await assertionFor(userId) }, token))).toBe(
            'FORBIDDEN',
          );
          const accepted = await server.gql(IDENTIFY, { a: await sign(privateKey, userId) }, token);
          expect(accepted.data).toMatchObject({ identify: { profile: { id: `user:${userId}` } } });
        } finally {
          await server.close();
        }
      }
      expect(fetched).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => jwksServer.close(resolve));
    }
    // The JWKS URL does not answer: a retryable refusal, and the assertion is not used up.
    const away = await TestServer.start({ redis, server: { identity: { jwks: url } } });
    try {
      const { token } = await away.session();
      const assertion = await sign(privateKey, `u-${randomUUID()}`);
      const refused = await away.gql(IDENTIFY, { a: assertion }, token);
      expect(refused.errors?.[0]).toMatchObject({
        extensions: { code: 'UNAVAILABLE', retryable: true },
        message: expect.stringMatching(/JWKS/),
      });
      const back = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => back.listen(Number(new URL(url).port), '127.0.0.1', resolve));
      try {
        const retried = await away.gql(IDENTIFY, { a: assertion }, token);
        expect(retried.errors).toBeUndefined();
      } finally {
        await new Promise((resolve) => back.close(resolve));
      }
    } finally {
      await away.close();
    }
  });
});

describe('traits from the browser', () => {
  it('are refused by default, naming the option', async () => {
    const { token, profileId } = await t.session();
    const response = await t.gql(
      IDENTIFY,
      { a: await assertionFor(`u-${randomUUID()}`), t: { plan: 'gold' } },
      token,
    );
    expect(response.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringMatching(/identity\.clientTraits/),
    });
    expect((await t.gql(ME, {}, token)).data).toMatchObject({
      me: { id: profileId, userId: null, traits: {} },
    });
  });

  it('with clientTraits "separate", are kept apart: only rules naming clientTraits read them', async () => {
    const rules = fixtureRules() as RuleSetSource & { segments: Array<Record<string, unknown>> };
    rules.segments.push({
      key: 'says-gold',
      name: 'Says it is gold',
      priority: 40,
      enabled: true,
      rule: { clientTraits: { plan: 'gold' } },
    });
    const server = await TestServer.start({
      redis,
      rules,
      server: { identity: { secrets: [IDENTITY_SECRET], clientTraits: 'separate' } },
    });
    try {
      const { token } = await server.session();
      const userId = `u-${randomUUID()}`;
      const response = await server.gql(
        IDENTIFY,
        { a: await assertionFor(userId, { traits: { tier: 'silver' } }), t: { plan: 'gold' } },
        token,
      );
      expect((response.data as { identify: Identified }).identify.profile).toEqual({
        id: `user:${userId}`,
        userId,
        traits: { tier: 'silver' },
        clientTraits: { plan: 'gold' },
        // Not `vip` (traits.plan = gold): the browser's word is not the server's.
        segments: [{ key: 'says-gold' }],
      });
      const bad = await server.gql(
        IDENTIFY,
        { a: await assertionFor(userId), t: { bio: 'b'.repeat(5000) } },
        token,
      );
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    } finally {
      await server.close();
    }
  });
});

const quiet = { info() {}, warn() {}, error: console.error };

/** The assertion with one character of its signature changed (not the last: its spare bits). */
function tamper(jwt: string): string {
  const at = jwt.length - 10;
  return jwt.slice(0, at) + (jwt[at] === 'A' ? 'B' : 'A') + jwt.slice(at + 1);
}

/** An `alg: none` token: never accepted. */
function unsigned(userId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: userId, aud: 'personalize', iat: now, exp: now + 60, jti: randomUUID() })}.`;
}
