/**
 * The transport's memory and trust bounds, over real WebSocket and HTTP against real Redis: the
 * operation cache under a flood of distinct large documents (its own accounting and the heap),
 * the cost of variable and omitted list limits, Subscribe messages per socket, sockets per
 * address, a socket that does not read, WebSocket errors masked as over HTTP, cookie-authenticated
 * requests from other origins, broken cookies, and `segments` without disabled segments.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuleSetSource } from '../../engine/types';
import { DEFAULT_LIMITS } from '../../server/limits';
import { closeOf, fixtureRules, quietLogger, TestServer } from '../graphql/support/harness';
import { rawFrom } from './support/clients';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const redis = inject('redisUrl');
let nextHost = 20;
const address = () => `127.0.1.${nextHost++}`;

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}
type Errors = Array<{ message: string; path?: unknown; extensions?: Record<string, unknown> }>;

/** A raw graphql-transport-ws socket from `from`, initialised with `token`, recording every message. */
async function initialised(t: TestServer, from: string, token: string) {
  const socket = rawFrom(t, from);
  const messages: Message[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Message));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { token } }));
  await expect.poll(() => messages.some((message) => message.type === 'connection_ack')).toBe(true);
  const subscribe = (id: string, query: string, variables?: Record<string, unknown>) =>
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  /** The `next` payload or `error` payload of operation `id`, once it ended. */
  const outcome = async (id: string, timeout = 10_000) => {
    await expect
      .poll(() => messages.some((m) => m.id === id && (m.type === 'complete' || m.type === 'error')), {
        timeout,
      })
      .toBe(true);
    const error = messages.find((m) => m.id === id && m.type === 'error');
    if (error) return { errors: error.payload as Errors };
    return messages.find((m) => m.id === id && m.type === 'next')!.payload as {
      data?: unknown;
      errors?: Errors;
    };
  };
  return { socket, messages, subscribe, outcome };
}

/** A list of `count` aliases of `__typename` whose names are padded to `nameLength` characters. */
function aliases(tag: string, count: number, nameLength: number): string {
  const parts: string[] = [];
  for (let index = 0; index < count; index++) {
    const name = `${tag}_${index}_`;
    parts.push(`${name.padEnd(nameLength, 'p')}: __typename`);
  }
  return `{ ${parts.join(' ')} }`;
}

describe('memory: the operation cache and list costs', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start({
      redis,
      keyPrefix: `atk-hard-mem-${process.pid}`,
      server: {
        limits: {
          maxCost: 3000,
          maxSubscriptionsPerSocket: 1000,
          subscribePerSocket: { burst: 10_000, perSecond: 10_000 },
        },
      },
    });
    // Large results (~1 MB for every article), so a reader that stops fills the socket buffers.
    await t.addBulkArticles();
  });
  afterAll(() => t?.close());

  it('keeps the cache under its bounds through 500 distinct 250 KB documents and 600 distinct small heavy ones', async () => {
    const { token } = await t.session();
    const client = await initialised(t, address(), token);
    // 500 documents just under the frame limit (256 KiB), each near the parser's 10,000-token cap:
    // ~2 MB apiece once parsed with locations, which a cache bounded by count alone kept.
    const large = Array.from({ length: 500 }, (_, doc) => aliases(`L${doc}`, 3100, 68));
    // 600 distinct documents under the length threshold, each ~1,200 nodes.
    const small = Array.from({ length: 600 }, (_, doc) => aliases(`S${doc}`, 600, 12));
    const before = heapUsed();
    expect(large[0]!.length).toBeGreaterThan(250_000);
    expect(large[0]!.length).toBeLessThan(DEFAULT_LIMITS.maxBodyBytes - 1000);
    for (let wave = 0; wave < large.length; wave += 50) {
      large.slice(wave, wave + 50).forEach((query, index) => client.subscribe(`L${wave + index}`, query));
      const outcomes = await Promise.all(
        large.slice(wave, wave + 50).map((_, index) => client.outcome(`L${wave + index}`)),
      );
      for (const outcome of outcomes) expect(outcome.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    }
    // Longer than parseCacheMaxDocumentLength: parsed per use, never kept.
    expect(t.server.stats().operationCache.entries).toBe(0);
    const afterLarge = heapUsed();

    // The small ones are valid and cached, until the byte budget evicts them (a count of 500 alone would
    // hold ~160 MB of them, by the ~260 bytes per node measured with locations).
    expect(small[0]!.length).toBeLessThan(DEFAULT_LIMITS.parseCacheMaxDocumentLength);
    let mostBytes = 0;
    for (let wave = 0; wave < small.length; wave += 50) {
      small.slice(wave, wave + 50).forEach((query, index) => client.subscribe(`S${wave + index}`, query));
      const outcomes = await Promise.all(
        small.slice(wave, wave + 50).map((_, index) => client.outcome(`S${wave + index}`)),
      );
      for (const outcome of outcomes) expect(outcome.errors).toBeUndefined();
      mostBytes = Math.max(mostBytes, t.server.stats().operationCache.bytes);
    }
    const cache = t.server.stats().operationCache;
    expect(mostBytes).toBeLessThanOrEqual(DEFAULT_LIMITS.parseCacheBytes);
    expect(cache.bytes).toBeGreaterThan(DEFAULT_LIMITS.parseCacheBytes / 2);
    expect(cache.entries).toBeGreaterThan(10);
    expect(cache.entries).toBeLessThan(DEFAULT_LIMITS.parseCacheSize);
    // The heap, loosely: what stays after both floods is the cache's budget and noise, not the
    // ~1 GiB and ~160 MB a count-bounded cache would hold. (The messages received are the test's.)
    client.messages.length = 0;
    const growth = heapUsed() - before;
    expect(afterLarge - before).toBeLessThan(32 * 1024 * 1024);
    expect(growth).toBeLessThan(4 * DEFAULT_LIMITS.parseCacheBytes);
    // A cached document is still served from the cache.
    client.subscribe('again', small.at(-1)!);
    expect((await client.outcome('again')).errors).toBeUndefined();
    client.socket.close();
  }, 120_000);

  it('bounds the documents the open subscriptions of a socket hold, cached or not', async () => {
    const { token } = await t.session();
    const client = await initialised(t, address(), token);
    // ~1.4 MB each as weighed (246 KB of text, ~8,700 nodes): a fourth would pass the 4 MiB per socket.
    const live = (tag: string) => `subscription ${aliases(tag, 2900, 72).replace('{', '{ live {')} }`;
    for (let index = 0; index < 6; index++) client.subscribe(`live${index}`, live(`V${index}`));
    await expect
      .poll(() => client.messages.filter((m) => m.type === 'next' || m.type === 'error').length)
      .toBe(6);
    const served = client.messages.filter((m) => m.type === 'next').map((m) => m.id);
    const refused = client.messages.filter((m) => m.type === 'error');
    expect(served).toEqual(['live0', 'live1', 'live2']);
    expect(refused).toHaveLength(3);
    for (const message of refused)
      expect((message.payload as Errors)[0]!.extensions).toMatchObject({
        code: 'TOO_MANY_SUBSCRIPTIONS',
        maxSocketDocumentBytes: DEFAULT_LIMITS.maxSocketDocumentBytes,
      });
    // Completing one frees its share.
    client.socket.send(JSON.stringify({ id: 'live0', type: 'complete' }));
    await expect
      .poll(async () => {
        const id = `again${client.messages.length}`;
        client.subscribe(id, live(id));
        await expect
          .poll(() => client.messages.some((m) => m.id === id && (m.type === 'next' || m.type === 'error')))
          .toBe(true);
        return client.messages.some((m) => m.id === id && m.type === 'next');
      })
      .toBe(true);
    client.socket.close();
  });

  it('counts a variable limit at the most a list returns and an omitted one at its default', async () => {
    const strict = await TestServer.start({
      redis,
      keyPrefix: `atk-hard-cost-${process.pid}`,
      server: { limits: { maxCost: 10 } },
    });
    try {
      const cost = async (query: string, variables: Record<string, unknown> = {}) => {
        const result = await strict.gql(query, variables);
        const error = result.errors?.[0];
        return error?.extensions?.code === 'QUERY_TOO_COSTLY' ? error.extensions.cost : 'served';
      };
      // One for the list, then each item's two fields times the list's size.
      expect(await cost('{ articles(limit: 3) { slug title } }')).toBe('served');
      expect(await cost('{ articles(limit: 7) { slug title } }')).toBe(15);
      expect(await cost('{ articles { slug title } }')).toBe(1 + 100 * 2);
      expect(await cost('{ articles(limit: null) { slug title } }')).toBe(1 + 100 * 2);
      expect(await cost('query($n: Int) { articles(limit: $n) { slug title } }', { n: 2 })).toBe(
        1 + 1000 * 2,
      );
      expect(await cost('query($n: Int = 2) { articles(limit: $n) { slug title } }')).toBe(1 + 1000 * 2);
      // Lists without a `limit` argument (a profile's segments) count 10.
      expect(await cost('{ me { segments { key name } } }')).toBe(1 + 1 + 10 * 2);
    } finally {
      await strict.close();
    }
    // Within the default limit, a variable limit is served at its value.
    const served = await t.gql('query($n: Int) { articles(limit: $n) { slug title } }', { n: 2 });
    expect((served.data as { articles: unknown[] }).articles).toHaveLength(2);
  });

  it('closes a socket that stops reading once maxBufferedBytes are queued (4413), serving another', async () => {
    const { token } = await t.session();
    const reader = await initialised(t, address(), token);
    const slow = await initialised(t, address(), token);
    const open = t.server.stats().sockets;
    slow.socket.pause();
    // ~40 MB of answers: past the kernel's socket buffers and the 4 MiB bound.
    for (let index = 0; index < 40; index++)
      slow.subscribe(`big${index}`, '{ articles(limit: 1000) { title summary } }');
    await expect.poll(() => t.server.stats().sockets, { timeout: 20_000 }).toBe(open - 1);
    const closed = closeOf(slow.socket);
    slow.socket.resume();
    expect((await closed).code).toBe(4413);
    // Fewer answers than asked: once closed, nothing more was queued for it.
    expect(slow.messages.filter((message) => message.type === 'next').length).toBeLessThan(40);
    reader.subscribe('ok', '{ articles(limit: 1) { title } }');
    expect((await reader.outcome('ok')).data).toEqual({ articles: [{ title: expect.any(String) }] });
    reader.socket.close();
  }, 60_000);
});

describe('WebSocket bounds and errors', () => {
  let t: TestServer;
  const logged: unknown[][] = [];
  const rules = fixtureRules();
  const withDisabled: RuleSetSource = {
    ...rules,
    segments: [
      ...rules.segments,
      {
        key: 'secret-campaign',
        name: 'Unannounced campaign',
        priority: 99,
        enabled: false,
        rule: { traits: { plan: 'secret' } },
      },
    ],
  };
  beforeAll(async () => {
    t = await TestServer.start({
      redis,
      keyPrefix: `atk-hard-ws-${process.pid}`,
      rules: withDisabled,
      server: {
        limits: { subscribePerSocket: { burst: 5, perSecond: 0.01 }, maxSocketsPerAddress: 3 },
        cors: { origins: ['https://shop.example'] },
        logger: { ...quietLogger, error: (...args: unknown[]) => logged.push(args) },
      },
    });
    t.editDocuments('api::banner.banner', (documents) => [
      ...documents,
      {
        documentId: 'broken-weight',
        locale: 'en',
        publishedAt: '2026-01-01T00:00:00.000Z',
        placement: 'article',
        title: 'Checkout banner',
        weight: 'heavy',
        segments: [],
      },
    ]);
    await t.server.refreshContent({ kind: 'documents', uid: 'api::banner.banner' });
  });
  afterAll(() => t?.close());

  it('refuses Subscribe messages past the per-socket rate, then closes a socket that keeps sending (1008)', async () => {
    const { token } = await t.session();
    const flooder = await initialised(t, address(), token);
    const polite = await initialised(t, address(), token);
    for (let index = 0; index < 8; index++) flooder.subscribe(`q${index}`, '{ segments { key } }');
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, index) => flooder.outcome(`q${index}`)));
    expect(outcomes.filter((outcome) => outcome.data)).toHaveLength(5);
    const refused = outcomes.filter((outcome) => outcome.errors);
    expect(refused).toHaveLength(3);
    for (const outcome of refused) {
      expect(outcome.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(outcome.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    }
    expect(flooder.socket.readyState).toBe(flooder.socket.OPEN);
    // Three more refusals make six in a row, past the burst of five: the socket is closed.
    const closed = closeOf(flooder.socket);
    for (let index = 8; index < 11; index++) flooder.subscribe(`q${index}`, '{ segments { key } }');
    expect((await closed).code).toBe(1008);
    // Another socket has a bucket of its own.
    polite.subscribe('p', '{ segments { key } }');
    expect((await polite.outcome('p')).data).toBeDefined();
    polite.socket.close();
  });

  it('closes sockets past maxSocketsPerAddress (1013), leaving other addresses and freed places served', async () => {
    const { token } = await t.session();
    const crowded = address();
    const three = await Promise.all([1, 2, 3].map(() => initialised(t, crowded, token)));
    const fourth = rawFrom(t, crowded);
    expect((await closeOf(fourth)).code).toBe(1013);
    const elsewhere = await initialised(t, address(), token);
    elsewhere.subscribe('e', '{ segments { key } }');
    expect((await elsewhere.outcome('e')).data).toBeDefined();
    const leaving = closeOf(three[0]!.socket);
    three[0]!.socket.close();
    await leaving;
    await expect
      .poll(async () => {
        const socket = rawFrom(t, crowded);
        const opened = await new Promise<boolean>((resolve) => {
          socket.once('close', () => resolve(false));
          socket.once('open', () => setTimeout(() => resolve(socket.readyState === socket.OPEN), 100));
        });
        socket.terminate();
        return opened;
      })
      .toBe(true);
    for (const client of [...three.slice(1), elsewhere]) client.socket.close();
  });

  it('masks unexpected errors over WebSocket exactly as over HTTP, and keeps coded errors', async () => {
    const { token } = await t.session();
    const ws = await initialised(t, address(), token);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      // A stored value the schema cannot serialize: an unexpected error inside execution.
      ['{ banner(placement: article) { title weight } }', {}, 'INTERNAL_SERVER_ERROR'],
      ['{ articles(limit: 1001) { slug } }', {}, 'BAD_USER_INPUT'],
      ['{ nothingHere }', {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['{ articles( }', {}, 'GRAPHQL_PARSE_FAILED'],
      ['query($n: Int) { articles(limit: $n) { slug } }', { n: 'many' }, 'BAD_USER_INPUT'],
    ];
    for (const [index, [query, variables, code]] of cases.entries()) {
      const before = logged.length;
      const overHttp = await t.gql(query, variables, token);
      ws.subscribe(`m${index}`, query, variables);
      const overWs = await ws.outcome(`m${index}`);
      const shape = (errors: Errors | undefined) =>
        errors?.map(({ message, path, extensions }) => ({ message, path, code: extensions?.code }));
      expect(shape(overWs.errors), query).toEqual(shape(overHttp.errors));
      expect(overWs.errors?.[0]?.extensions?.code, query).toBe(code);
      if (code === 'INTERNAL_SERVER_ERROR') {
        expect(overWs.errors![0]!.message).toBe('internal server error');
        expect(JSON.stringify(overWs)).not.toContain('heavy');
        // Logged once per transport, without the token or the stored value.
        expect(logged.length - before).toBe(2);
        const lines = JSON.stringify(logged.slice(before).map((args) => args.map(String)));
        expect(lines).not.toContain(token);
      } else expect(logged.length - before, query).toBe(0);
    }
    ws.socket.close();
  });

  it('lists only enabled segments, with their public fields', async () => {
    const listed = await t.gql('{ segments { key name priority } }');
    const keys = (listed.data as { segments: Array<{ key: string }> }).segments.map((segment) => segment.key);
    expect(keys).toEqual(['vip', 'breaking-news', 'reader']);
    expect(JSON.stringify(listed)).not.toContain('secret');
    const enabled = await t.gql('{ segments { key enabled } }');
    expect(enabled.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  describe('cookie authentication', () => {
    const ME = '{ me { id } }';
    let session: { token: string; profileId: string };
    beforeAll(async () => {
      session = await t.session();
    });
    const withCookie = (headers: Record<string, string> = {}, cookie = `pz_token=${session.token}`) =>
      t.gql(ME, {}, null, { cookie, ...headers });

    it('serves a cookie-authenticated request from this site or an allowed origin', async () => {
      const own = new URL(t.url).origin;
      const allowed: Array<Record<string, string>> = [
        { 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'none' },
        { origin: own },
        { origin: 'https://shop.example' },
      ];
      for (const headers of allowed) {
        const result = await withCookie(headers);
        expect(result.data, JSON.stringify(headers)).toEqual({ me: { id: session.profileId } });
      }
      const cors = await withCookie({ origin: 'https://shop.example' });
      expect(cors.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    });

    it('refuses a cookie-authenticated request from another origin or none (403 FORBIDDEN)', async () => {
      const refused: Array<Record<string, string>> = [
        {},
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: 'https://shop.example.evil.example' },
        { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
        { 'sec-fetch-site': 'same-site' },
      ];
      for (const headers of refused) {
        const result = await withCookie(headers);
        expect(result.status, JSON.stringify(headers)).toBe(403);
        expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(result.errors?.[0]?.message).toMatch(/pz_token cookie/);
        expect(result.headers.get('access-control-allow-origin')).toBeNull();
      }
      // A mutation is refused before it runs: nothing is tracked for the cookie's profile.
      const tracked = await t.gql(
        'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }',
        { e: [{ id: `csrf-${process.pid}`, type: 'Article Viewed' }] },
        null,
        { cookie: `pz_token=${session.token}`, origin: 'https://evil.example' },
      );
      expect(tracked.status).toBe(403);
      // The token in a header is not ambient: no origin check.
      const bearer = await t.gql(ME, {}, session.token, { origin: 'https://evil.example' });
      expect(bearer.data).toEqual({ me: { id: session.profileId } });
      expect(bearer.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('treats a malformed pz_token cookie as no cookie: an anonymous request, never a 500', async () => {
      for (const value of ['%E0%A4%A', '%', '%ZZ', '%C0%AF', '%ED%A0%80', '%E0%A4', '"%FF"', '']) {
        const cookie = `a=1; pz_token=${value}; b=2`;
        const content = await t.gql('{ banner(placement: home) { title } }', {}, null, { cookie });
        expect(content.status, value).toBe(200);
        expect(content.data, value).toEqual({ banner: { title: 'Welcome to the store' } });
        const me = await t.gql(ME, {}, null, { cookie });
        expect(me.status, value).toBe(200);
        expect(me.errors?.[0]?.extensions?.code, value).toBe('UNAUTHENTICATED');
      }
    });
  });
});
