/**
 * Rate limits of every operation and the client address they key on, over real HTTP and
 * WebSocket against real Redis: the session flood from one address refused, `track` charged per
 * event, each limited operation refused past its burst (per profile and per address) with the
 * time to wait, refusals counted in the metrics, `X-Forwarded-For` ignored unless the
 * `trustProxy` setting says which hops to believe, and IPv6 callers keyed by their /64.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestServer } from '../graphql/support/harness';
import { DEFAULT_LIMITS, type Limits } from '../../server/limits';
import { createMetrics } from '../../server/metrics';
import { sample } from '../operators/support/stack';
import { gqlFrom, postFrom, wsClientFrom, wsRequest, type Result } from './support/clients';

const redis = inject('redisUrl');
const SESSION = 'mutation { startSession { token profileId } }';
const TRACK = 'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }';
const ME = '{ me { id } }';

/** A fresh loopback address per use (127.0.0.0/8 all reaches the server on 127.0.0.1). */
let nextHost = 1;
const address = () => `127.7.${Math.floor(nextHost / 250)}.${(nextHost++ % 250) + 1}`;

const codeOf = (result: Pick<Result, 'errors'>) => result.errors?.[0]?.extensions?.code;
const events = (count: number) =>
  Array.from({ length: count }, () => ({ id: randomUUID(), type: 'Article Viewed', properties: {} }));

async function sessionFrom(t: TestServer, from: string): Promise<string> {
  const result = await gqlFrom(t, from, SESSION);
  expect(result.errors).toBeUndefined();
  return (result.data as { startSession: { token: string } }).startSession.token;
}

/** Every refusal is RATE_LIMITED, names the limit and says how long to wait (within `maxMs`). */
function expectRateLimited(refused: Result[], limit: string, maxMs: number): void {
  for (const result of refused) {
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit });
    const wait = result.errors![0]!.extensions!.retryAfterMs as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(maxMs);
  }
}

describe('with the default limits', () => {
  let t: TestServer;
  const metrics = createMetrics({ processMetrics: false });
  beforeAll(async () => {
    // The harness widens the session limit for other suites; these tests run the defaults.
    t = await TestServer.start({
      redis,
      keyPrefix: `atk-limits-${process.pid}`,
      server: { limits: { ...DEFAULT_LIMITS }, observer: metrics.observer },
    });
  });
  afterAll(() => t?.close());

  it('refuses a session flood from one address past the burst, while another address starts one', async () => {
    const flooder = address();
    const { burst, perSecond } = DEFAULT_LIMITS.startSessionPerIp;
    const results: Result[] = [];
    for (let round = 0; round < 8; round++)
      results.push(...(await Promise.all(Array.from({ length: 50 }, () => gqlFrom(t, flooder, SESSION)))));
    const started = results.filter((result) => result.data?.startSession);
    const refused = results.filter((result) => codeOf(result) === 'RATE_LIMITED');
    // One more token may have refilled meanwhile (one every 30 s by default).
    expect(started.length).toBeGreaterThanOrEqual(burst);
    expect(started.length).toBeLessThanOrEqual(burst + 1);
    expect(refused).toHaveLength(400 - started.length);
    expectRateLimited(refused, 'startSessionPerIp', Math.ceil(1000 / perSecond));
    expect(refused[0]!.errors![0]!.message).toMatch(/startSession calls from this address/);
    expect(await sessionFrom(t, address())).toMatch(/^pz1\./);

    // The same address over WebSocket (a token from elsewhere opens the socket): the same bucket.
    const client = wsClientFrom(t, flooder, await sessionFrom(t, address()));
    try {
      expect(codeOf(await wsRequest(client, SESSION))).toBe('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
    const scraped = (await metrics.scrape()).body;
    expect(
      sample(scraped, 'personalize_operations_refused_total', {
        operation: 'startSession',
        reason: 'rate_limited',
      }),
    ).toBe(refused.length + 1);
  });

  it('charges track per event: a batch of 100 costs 100 tokens of the profile', async () => {
    const { burst, perSecond } = DEFAULT_LIMITS.trackPerProfile;
    const token = await sessionFrom(t, address());
    const from = address();
    const batches = Math.floor(burst / 100);
    for (let batch = 0; batch < batches; batch++)
      expect((await gqlFrom(t, from, TRACK, { e: events(100) }, token)).data).toEqual({
        track: { accepted: 100 },
      });
    // Per call, the profile would have 60 calls left; per event it has less than a batch.
    const refused = await gqlFrom(t, from, TRACK, { e: events(100) }, token);
    expectRateLimited([refused], 'trackPerProfile', Math.ceil((100 / perSecond) * 1000));
    expect(refused.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan((50 / perSecond) * 1000);
    expect(refused.errors![0]!.message).toMatch(/track events from this profile/);
    const scraped = (await metrics.scrape()).body;
    expect(sample(scraped, 'personalize_events_refused_total', { reason: 'rate_limited' })).toBe(100);
  });

  it('charges track per event per address, however many profiles share it', async () => {
    const { burst } = DEFAULT_LIMITS.trackPerIp;
    const from = address();
    const tokens = await Promise.all(
      Array.from({ length: burst / 100 + 1 }, () => sessionFrom(t, address())),
    );
    const results: Result[] = [];
    for (const token of tokens) results.push(await gqlFrom(t, from, TRACK, { e: events(100) }, token));
    expect(results.filter((result) => result.data?.track)).toHaveLength(burst / 100);
    expectRateLimited([results.at(-1)!], 'trackPerIp', 1000);
    // Another address is served meanwhile.
    expect((await gqlFrom(t, address(), TRACK, { e: events(1) }, tokens.at(-1))).data).toEqual({
      track: { accepted: 1 },
    });
  });

  it("ignores X-Forwarded-For by default: spoofed addresses share the socket peer's bucket", async () => {
    const from = address();
    const spoofed = (n: number) =>
      postFrom(t, from, { query: SESSION }, undefined, { 'x-forwarded-for': `203.0.113.${n}` });
    const results: Result[] = [];
    for (let n = 0; n < DEFAULT_LIMITS.startSessionPerIp.burst + 5; n++) results.push(await spoofed(n));
    expect(results.filter((result) => result.data?.startSession).length).toBeLessThanOrEqual(
      DEFAULT_LIMITS.startSessionPerIp.burst + 1,
    );
    expect(codeOf(results.at(-1)!)).toBe('RATE_LIMITED');
  });
});

/** Small bursts that barely refill during a test. */
const slow = (burst: number) => ({ burst, perSecond: 0.001 });
const TIGHT: Partial<Limits> = {
  maxBatch: 5,
  trackPerProfile: slow(6),
  trackPerIp: slow(12),
  identifyPerProfile: slow(2),
  identifyPerIp: slow(4),
  setConsentPerProfile: slow(2),
  setConsentPerIp: slow(4),
  forgetMePerProfile: slow(2),
  forgetMePerIp: slow(4),
  mePerProfile: slow(3),
  mePerIp: slow(6),
};

describe('each limited operation, per profile and per address', () => {
  let t: TestServer;
  const metrics = createMetrics({ processMetrics: false });
  beforeAll(async () => {
    t = await TestServer.start({
      redis,
      keyPrefix: `atk-limits-op-${process.pid}`,
      server: { limits: TIGHT, observer: metrics.observer },
    });
  });
  afterAll(() => t?.close());

  const OPERATIONS = {
    // A bad assertion: refused as FORBIDDEN once admitted, which is past the limiter either way.
    identify: 'mutation { identify(assertion: "not-a-jwt") { profile { id } } }',
    setConsent: 'mutation { setConsent(behavioral: true) { id } }',
    forgetMe: 'mutation { forgetMe }',
    me: ME,
  } as const;

  for (const [operation, query] of Object.entries(OPERATIONS)) {
    const perProfile = TIGHT[`${operation}PerProfile` as keyof Limits] as { burst: number };
    const perIp = TIGHT[`${operation}PerIp` as keyof Limits] as { burst: number };

    it(`${operation}: refused per profile past its burst, from any address`, async () => {
      const token = await sessionFrom(t, address());
      const results: Result[] = [];
      for (let call = 0; call < perProfile.burst + 2; call++)
        results.push(await gqlFrom(t, address(), query, {}, token));
      expect(results.slice(0, perProfile.burst).map(codeOf)).not.toContain('RATE_LIMITED');
      expectRateLimited(results.slice(perProfile.burst), `${operation}PerProfile`, 10_000_000);
    });

    it(`${operation}: refused per address past its burst, however many profiles`, async () => {
      const from = address();
      const tokens = await Promise.all(
        Array.from({ length: perIp.burst + 2 }, () => sessionFrom(t, address())),
      );
      const results: Result[] = [];
      for (const token of tokens) results.push(await gqlFrom(t, from, query, {}, token));
      expect(results.slice(0, perIp.burst).map(codeOf)).not.toContain('RATE_LIMITED');
      expectRateLimited(results.slice(perIp.burst), `${operation}PerIp`, 10_000_000);
      // Another address, another bucket.
      expect(codeOf(await gqlFrom(t, address(), query, {}, tokens[0]))).not.toBe('RATE_LIMITED');
    });
  }

  it('counts each refused operation in personalize_operations_refused_total', async () => {
    const scraped = (await metrics.scrape()).body;
    for (const operation of Object.keys(OPERATIONS))
      expect(
        sample(scraped, 'personalize_operations_refused_total', { operation, reason: 'rate_limited' }),
      ).toBe(4);
  });

  it('refuses a refused call without charging the other bucket: a profile refused by its address keeps its tokens', async () => {
    const crowded = address();
    const tokens = await Promise.all(
      Array.from({ length: TIGHT.mePerIp!.burst }, () => sessionFrom(t, address())),
    );
    for (const token of tokens) expect((await gqlFrom(t, crowded, ME, {}, token)).data?.me).toBeTruthy();
    const visitor = await sessionFrom(t, address());
    for (let call = 0; call < 5; call++)
      expect(codeOf(await gqlFrom(t, crowded, ME, {}, visitor))).toBe('RATE_LIMITED');
    // Its own profile bucket is untouched: the full burst elsewhere.
    for (let call = 0; call < TIGHT.mePerProfile!.burst; call++)
      expect((await gqlFrom(t, address(), ME, {}, visitor)).data?.me).toBeTruthy();
  });

  it('does not charge live re-executions of me: a subscription is served once the bucket is empty', async () => {
    const token = await sessionFrom(t, address());
    for (let call = 0; call < TIGHT.mePerProfile!.burst; call++) await gqlFrom(t, address(), ME, {}, token);
    expect(codeOf(await gqlFrom(t, address(), ME, {}, token))).toBe('RATE_LIMITED');
    const client = wsClientFrom(t, address(), token);
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        client.subscribe(
          { query: 'subscription { live { me { id } } }' },
          { next: resolve, error: reject, complete: () => {} },
        );
      });
      expect(first).toMatchObject({ data: { live: { me: { id: expect.any(String) } } } });
      // A plain `me` over the socket is a call like any other.
      expect(codeOf(await wsRequest(client, ME))).toBe('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
  });
});

describe('client address behind a trusted proxy', () => {
  const SESSIONS = { startSessionPerIp: slow(2) };
  let hop: TestServer;
  let cidr: TestServer;
  beforeAll(async () => {
    [hop, cidr] = await Promise.all([
      TestServer.start({
        redis,
        keyPrefix: `atk-limits-hop-${process.pid}`,
        server: { limits: SESSIONS, trustProxy: 1 },
      }),
      TestServer.start({
        redis,
        keyPrefix: `atk-limits-cidr-${process.pid}`,
        server: { limits: SESSIONS, trustProxy: ['127.0.0.0/8', '10.0.0.0/8', 'fd00::/8'] },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([hop?.close(), cidr?.close()]);
  });

  /** Whether each of `forwarded` (X-Forwarded-For values, in order) got a session. */
  async function sessions(t: TestServer, forwarded: string[]): Promise<boolean[]> {
    const started: boolean[] = [];
    for (const header of forwarded) {
      const result = await postFrom(t, address(), { query: SESSION }, undefined, {
        'x-forwarded-for': header,
      });
      if (!result.data?.startSession) expect(codeOf(result)).toBe('RATE_LIMITED');
      started.push(Boolean(result.data?.startSession));
    }
    return started;
  }

  it('with one trusted hop, keys on the rightmost X-Forwarded-For entry, whatever the client wrote before it', async () => {
    expect(
      await sessions(hop, ['198.51.100.1', '6.6.6.6, 198.51.100.1', '7.7.7.7, 198.51.100.1', '198.51.100.2']),
    ).toEqual([true, true, false, true]);
  });

  it('with trusted CIDRs, skips the trusted proxies from the right and keys on the first other address', async () => {
    expect(
      await sessions(cidr, [
        '198.51.100.9, 10.1.2.3',
        '1.1.1.1, 198.51.100.9',
        '2.2.2.2, 198.51.100.9, 10.9.9.9, fd00::1',
        '198.51.100.10, 10.1.2.3',
      ]),
    ).toEqual([true, true, false, true]);
  });

  it('keys IPv6 callers by their /64 (and IPv4-mapped addresses as IPv4)', async () => {
    expect(
      await sessions(hop, [
        '2001:db8:1:2::1',
        '2001:db8:1:2:ffff:eeee:dddd:9',
        '2001:db8:1:2:abcd::42',
        '2001:db8:1:3::1',
        '198.51.100.20',
        '::ffff:198.51.100.20',
        '[::ffff:198.51.100.20]:4242',
      ]),
    ).toEqual([true, true, false, true, true, true, false]);
  });
});
