/**
 * GraphQL over HTTP against real Redis: sessions, events, profile, identity, and every refusal
 * (tokens, proofs, limits), each followed by proof that the server keeps serving others.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TokenSigner } from '../../server/tokens';
import { SECRET, TestServer } from './support/harness';

const redis = inject('redisUrl');
let t: TestServer;

beforeAll(async () => {
  t = await TestServer.start({ redis });
});
afterAll(() => t.close());

const ME = '{ me { id userId segments { key name since expiresAt reason explanation } } }';

describe('sessions, events and profile', () => {
  it('tracks events over HTTP, idempotently by id, and shows the resulting segments with reasons', async () => {
    const { token, profileId } = await t.session();
    const events = [1, 2, 3].map((n) => ({
      id: `ev-${profileId.slice(5)}-${n}`,
      type: 'Article Viewed',
      properties: { category: 'news' },
    }));
    const track =
      'mutation($e: [EventInput!]!) { track(events: $e) { accepted duplicates withheld entered exited segments { key } } }';
    const first = await t.gql(track, { e: events }, token);
    expect(first.data).toEqual({
      track: {
        accepted: 3,
        duplicates: 0,
        withheld: 0,
        entered: expect.arrayContaining(['breaking-news', 'reader']),
        exited: [],
        segments: [{ key: 'breaking-news' }, { key: 'reader' }],
      },
    });
    const again = await t.gql(track, { e: events }, token);
    expect(again.data).toMatchObject({ track: { accepted: 0, duplicates: 3, entered: [] } });

    const me = await t.gql(ME, {}, token);
    const profile = (me.data as { me: { id: string; segments: Array<Record<string, unknown>> } }).me;
    expect(profile.id).toBe(profileId);
    expect(profile.segments[0]).toMatchObject({
      key: 'breaking-news',
      name: 'Breaking news reader',
      reason: expect.stringContaining('Article Viewed'),
      explanation: { text: expect.any(String), conditions: expect.any(Array) },
    });
    expect(Date.parse(profile.segments[0]!.expiresAt as string)).toBeGreaterThan(Date.now());
  });

  it('lists the segments in force, best priority first', async () => {
    const result = await t.gql('{ segments { key priority } }');
    expect(result.data).toEqual({
      segments: [
        { key: 'vip', priority: 50 },
        { key: 'breaking-news', priority: 30 },
        { key: 'reader', priority: 10 },
      ],
    });
  });

  it('accepts the token as the pz_token cookie', async () => {
    const { token, profileId } = await t.session();
    // From the site's own pages (cross-origin cookie requests are refused: test/attack/hardening.test.ts).
    const result = await t.gql('{ me { id } }', {}, null, {
      cookie: `other=1; pz_token=${token}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(result.data).toEqual({ me: { id: profileId } });
  });

  it('refuses invalid events with the path of the problem, storing nothing of the batch', async () => {
    const { token } = await t.session();
    const result = await t.gql(
      'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }',
      {
        e: [
          { id: 'ok-1', type: 'Article Viewed' },
          { id: 'bad id!', type: 'Article Viewed' },
        ],
      },
      token,
    );
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringContaining('events[1].id'),
      extensions: { code: 'BAD_USER_INPUT', path: 'events[1].id' },
    });
    const retry = await t.gql(
      'mutation($e: [EventInput!]!) { track(events: $e) { accepted duplicates } }',
      { e: [{ id: 'ok-1', type: 'Article Viewed' }] },
      token,
    );
    expect(retry.data).toEqual({ track: { accepted: 1, duplicates: 0 } });
  });

  it('withdrawn consent stores nothing; forgetMe erases the profile', async () => {
    const { token } = await t.session();
    await t.view(token, 3);
    const consent = await t.gql(
      'mutation { setConsent(behavioral: false) { consent { behavioral } segments { key } } }',
      {},
      token,
    );
    expect(consent.data).toEqual({ setConsent: { consent: { behavioral: false }, segments: [] } });
    const withheld = await t.gql(
      'mutation($e: [EventInput!]!) { track(events: $e) { accepted withheld } }',
      { e: [{ id: randomUUID(), type: 'Article Viewed' }] },
      token,
    );
    expect(withheld.data).toEqual({ track: { accepted: 0, withheld: 1 } });

    const other = await t.session();
    await t.view(other.token, 3);
    expect(await t.gql('mutation { forgetMe }', {}, other.token)).toMatchObject({ data: { forgetMe: true } });
    expect((await t.gql('{ me { segments { key } } }', {}, other.token)).data).toEqual({
      me: { segments: [] },
    });
  });
});

describe('tokens: nobody reads or changes another profile', () => {
  it('refuses a missing token where a profile is needed, but serves fallback content', async () => {
    const result = await t.gql('{ me { id } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0]?.message).toMatch(/startSession/);
    const content = await t.gql('{ banner(placement: home) { title } }');
    expect(content.data).toEqual({ banner: { title: 'Welcome to the store' } });
  });

  it('refuses forged, tampered, foreign-key and expired tokens, even for content', async () => {
    const victim = await t.session();
    await t.view(victim.token, 3);
    const [version, kid, payload, signature] = victim.token.split('.') as [string, string, string, string];
    const attacker = await t.session();
    const attackerPayload = attacker.token.split('.')[2]!;
    const forged = [
      `${version}.${kid}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`,
      `${version}.${kid}.${attackerPayload}.${signature}`,
      new TokenSigner({
        secrets: ['another-secret-0123456789-abcdefghijklmnop'],
        clock: { now: Date.now },
      }).issue(victim.profileId).token,
      new TokenSigner({ secrets: [SECRET], ttlMs: 1000, clock: { now: () => Date.now() - 5000 } }).issue(
        victim.profileId,
      ).token,
      'not-a-token',
    ];
    const messages = [];
    for (const token of forged) {
      for (const query of ['{ me { id segments { key } } }', '{ banner(placement: home) { title } }']) {
        const result = await t.gql(query, {}, token);
        expect(result.data?.me ?? result.data?.banner ?? null).toBeNull();
        expect(result.errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
        messages.push(result.errors![0]!.message);
      }
    }
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/signature is invalid/),
        expect.stringMatching(/expired/),
        expect.stringMatching(/key this server does not accept/),
        expect.stringMatching(/malformed/),
      ]),
    );
    // The victim is untouched and still served.
    expect((await t.gql('{ me { segments { key } } }', {}, victim.token)).data).toEqual({
      me: { segments: [{ key: 'breaking-news' }, { key: 'reader' }] },
    });
  });

  it('takes no profile id from arguments: operations act on the token holder only', () => {
    const mutation = t.server.schema.getMutationType()!.getFields();
    expect(mutation.track!.args.map((arg) => arg.name)).toEqual(['events']);
    expect(mutation.forgetMe!.args).toEqual([]);
    expect(mutation.setConsent!.args.map((arg) => arg.name)).toEqual(['behavioral']);
    expect(t.server.schema.getQueryType()!.getFields().me!.args).toEqual([]);
  });

  it('rotates secrets: the new one signs, the old one still verifies until removed', async () => {
    const oldToken = (await t.session()).token;
    const rotated = await TestServer.start({
      redis,
      server: { tokens: { secrets: ['new-secret-0123456789-abcdefghijklmnopq', SECRET] } },
    });
    try {
      expect((await rotated.gql('{ me { id } }', {}, oldToken)).data).toMatchObject({
        me: { id: expect.any(String) },
      });
      const fresh = (await rotated.session()).token;
      expect(fresh.split('.')[1]).not.toBe(oldToken.split('.')[1]);
      expect((await t.gql('{ me { id } }', {}, fresh)).errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
    } finally {
      await rotated.close();
    }
  });
});

describe('limits: each refusal is clear and the server keeps serving', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await TestServer.start({
      redis,
      server: {
        introspection: false,
        landingPage: false,
        cors: { origins: ['https://shop.example'] },
        limits: {
          maxDepth: 4,
          maxCost: 300,
          maxBatch: 3,
          maxBodyBytes: 4096,
          // Charged per event: a bucket holds at least one full batch.
          trackPerProfile: { burst: 3, perSecond: 0.01 },
          trackPerIp: { burst: 6, perSecond: 0.01 },
        },
      },
    });
  });
  afterAll(() => limited.close());

  const stillServing = async () => {
    const result = await limited.gql('{ banner(placement: home) { title } }');
    expect(result.data).toEqual({ banner: { title: 'Welcome to the store' } });
  };

  it('refuses queries deeper than maxDepth', async () => {
    const result = await limited.gql('{ articles { related { related { author { articles { slug } } } } } }');
    expect(result.errors?.[0]).toMatchObject({
      extensions: { code: 'QUERY_TOO_DEEP', depth: 6, maxDepth: 4 },
    });
    await stillServing();
  });

  it('refuses queries costlier than maxCost, counting list sizes and fragments', async () => {
    const result = await limited.gql(
      'query { articles(limit: 50) { ...A } } fragment A on Article { slug title gallery { url } }',
    );
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COSTLY', maxCost: 300 } });
    expect(result.errors![0]!.extensions!.cost).toBeGreaterThan(300);
    await stillServing();
  });

  it('refuses track batches over maxBatch', async () => {
    const { token } = await limited.session();
    const events = Array.from({ length: 4 }, () => ({ id: randomUUID(), type: 'page' }));
    const result = await limited.gql(
      'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }',
      { e: events },
      token,
    );
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BATCH_TOO_LARGE', maxBatch: 3 } });
    await stillServing();
  });

  it('refuses bodies over maxBodyBytes with 413', async () => {
    const result = await limited.gql('{ banner(placement: home) { title } }', { padding: 'x'.repeat(5000) });
    expect(result.status).toBe(413);
    expect(result.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    await stillServing();
  });

  it('rate-limits track per profile, then per address, with the time to wait', async () => {
    const one = await limited.session();
    const call = (token: string) =>
      limited.gql(
        'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }',
        { e: [{ id: randomUUID(), type: 'page' }] },
        token,
      );
    expect((await call(one.token)).data).toEqual({ track: { accepted: 1 } });
    expect((await call(one.token)).data).toEqual({ track: { accepted: 1 } });
    expect((await call(one.token)).data).toEqual({ track: { accepted: 1 } });
    const third = await call(one.token);
    expect(third.errors?.[0]).toMatchObject({
      extensions: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) },
    });
    expect(third.errors![0]!.message).toMatch(/this profile/);
    // Other profiles on the same address go on until the address bucket (6) is empty.
    const results = [];
    for (let index = 0; index < 4; index++) results.push(await call((await limited.session()).token));
    expect(results.map((result) => result.errors?.[0]?.extensions?.code ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ok',
      'RATE_LIMITED',
    ]);
    expect(results[3]!.errors![0]!.message).toMatch(/this address/);
    await stillServing();
  });

  it('switches introspection and the landing page off', async () => {
    const result = await limited.gql('{ __schema { types { name } } }');
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
    const page = await fetch(limited.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<html/i);
    const open = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(await open.text()).toMatch(/<html/i);
    expect((await t.gql('{ __schema { queryType { name } } }')).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
  });

  it('answers CORS for allowed origins only', async () => {
    const allowed = await fetch(limited.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const foreign = await fetch(limited.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
