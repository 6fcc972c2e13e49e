/**
 * Abuse of the endpoint's bounds, over real HTTP and WebSocket against real Redis: oversized
 * batches and bodies, deep, costly and amplified queries, subscription floods and churn on one
 * socket, connection floods, and rate limits over HTTP and WebSocket. Each is refused with its
 * documented code or close code (server/README.md) while a well-behaved client, on another
 * connection and address, is served at the same time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Pushes, TestServer, closeOf } from '../graphql/support/harness';
import { gqlFrom, postFrom, rawFrom, wsClientFrom, wsRequest, type Result } from './support/clients';

const redis = inject('redisUrl');
const TRACK = 'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }';
const BANNER = '{ banner(placement: home) { title } }';
const LIMITS = {
  maxDepth: 6,
  maxCost: 500,
  maxBatch: 5,
  maxBodyBytes: 16 * 1024,
  trackPerProfile: { burst: 5, perSecond: 0.01 },
  trackPerIp: { burst: 30, perSecond: 0.01 },
  maxSubscriptionsPerSocket: 3,
  connectionInitTimeoutMs: 400,
  // Room for the churn and connection floods below; the Subscribe rate per socket and the sockets
  // per address are tested on their own in hardening.test.ts.
  subscribePerSocket: { burst: 1000, perSecond: 100 },
  maxSocketsPerAddress: 1000,
};

let t: TestServer;
/** A fresh loopback address per use: per-address buckets never carry over between tests. */
let nextHost = 10;
const address = () => `127.0.0.${nextHost++}`;

beforeAll(async () => {
  t = await TestServer.start({ redis, keyPrefix: `atk-abuse-${process.pid}`, server: { limits: LIMITS } });
});
afterAll(() => t?.close());

const events = (count: number, category = 'news') =>
  Array.from({ length: count }, () => ({
    id: randomUUID(),
    type: 'Article Viewed',
    properties: { category },
  }));

/** A visitor on its own address that reads content and tracks an event; asserts both succeed. */
async function wellBehaved(): Promise<() => Promise<void>> {
  const from = address();
  const { token } = await t.session();
  return async () => {
    const [content, tracked] = await Promise.all([
      gqlFrom(t, from, BANNER),
      gqlFrom(t, from, TRACK, { e: events(1, 'sport') }, token),
    ]);
    expect(content.data).toEqual({ banner: { title: 'Welcome to the store' } });
    expect(tracked.data).toEqual({ track: { accepted: 1 } });
  };
}

/**
 * The server answers 413 and closes while a large body is still being sent: the sender may see the
 * connection reset instead of the answer, which is the same refusal.
 */
function resetAfterRefusal(error: NodeJS.ErrnoException): Result {
  if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  return { status: 413 };
}

const codeOf = (result: Result) => result.errors?.[0]?.extensions?.code;

describe('oversized input', () => {
  it('refuses batches over maxBatch and bodies over maxBodyBytes, serving others meanwhile', async () => {
    const served = await wellBehaved();
    const from = address();
    const { token } = await t.session();
    const abuse = [
      ...[6, 50, 99].map((count) => gqlFrom(t, from, TRACK, { e: events(count) }, token)),
      gqlFrom(t, from, TRACK, { e: events(1), padding: 'p'.repeat(20_000) }, token),
      // A body far past the limit, and one whose declared length lies: refused before reading.
      postFrom(t, from, Buffer.alloc(4 * 1024 * 1024, 0x20), token).catch(resetAfterRefusal),
      postFrom(t, from, { query: BANNER }, undefined, { 'content-length': String(10 * 1024 * 1024) }),
    ];
    const [results] = await Promise.all([Promise.all(abuse), served()]);
    expect(results.slice(0, 3).map(codeOf)).toEqual([
      'BATCH_TOO_LARGE',
      'BATCH_TOO_LARGE',
      'BATCH_TOO_LARGE',
    ]);
    expect(results[0]!.errors![0]!.extensions).toMatchObject({ maxBatch: 5 });
    expect(results[3]).toMatchObject({
      status: 413,
      errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
    expect(results[4]!.status).toBe(413);
    expect(results[5]).toMatchObject({
      status: 413,
      errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
    await served();
  });
});

describe('query amplification', () => {
  const aliases = (count: number, field: string) =>
    `{ ${Array.from({ length: count }, (_, index) => `a${index}: ${field}`).join(' ')} }`;
  /** `F0` spreads `F1` twice, which spreads `F2` twice...: 2^levels fields from a few hundred bytes. */
  const fragmentBomb = (levels: number) =>
    `{ ...F0 } ${Array.from({ length: levels }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join(' ')} fragment F${levels} on Query { __typename }`;

  it('refuses deep, costly, aliased and fragment-amplified queries with their codes, serving others meanwhile', async () => {
    const served = await wellBehaved();
    const from = address();
    const cases: Array<[string, string]> = [
      [
        '{ articles { related { related { related { author { articles { related { slug } } } } } } } }',
        'QUERY_TOO_DEEP',
      ],
      [aliases(600, '__typename'), 'QUERY_TOO_COSTLY'],
      [aliases(10, 'articles(limit: 100) { slug title }'), 'QUERY_TOO_COSTLY'],
      [
        'query($n: Int) { a: articles(limit: $n) { slug title } b: articles(limit: $n) { slug title } c: articles(limit: $n) { slug } }',
        'QUERY_TOO_COSTLY',
      ],
      [fragmentBomb(12), 'QUERY_TOO_COSTLY'],
      // 2^40 fields if expanded: measuring it must not expand it.
      [fragmentBomb(40), 'QUERY_TOO_COSTLY'],
      [
        `{ ${Array.from({ length: 30 }, (_, index) => `a${index}: articles { ...A }`).join(' ')} } fragment A on Article { slug title author { name } }`,
        'QUERY_TOO_COSTLY',
      ],
    ];
    const [results] = await Promise.all([
      Promise.all(cases.map(([query]) => gqlFrom(t, from, query))),
      served(),
    ]);
    results.forEach((result, index) => {
      expect(codeOf(result), cases[index]![0].slice(0, 80)).toBe(cases[index]![1]);
      expect(result.data ?? null).toBeNull();
    });
    // Batched HTTP requests (an array of operations) are refused as a whole.
    const batched = await postFrom(
      t,
      from,
      Array.from({ length: 50 }, () => ({ query: BANNER })),
    );
    expect(batched.status).toBe(400);
    await served();
  });

  it('applies the same bounds to operations over WebSocket', async () => {
    const { token } = await t.session();
    const client = wsClientFrom(t, address(), token);
    try {
      const deep = await wsRequest(
        client,
        '{ articles { related { related { related { author { articles { related { slug } } } } } } } }',
      );
      expect(deep.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
      const bomb = await wsRequest(client, fragmentBomb(40));
      expect(bomb.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
      expect((await wsRequest(client, BANNER)).data).toEqual({ banner: { title: 'Welcome to the store' } });
    } finally {
      await client.dispose();
    }
  });
});

describe('WebSocket floods', () => {
  const LIVE = 'subscription { live { banner(placement: home) { title } } }';

  it('refuses subscriptions past the per-socket limit, even sent all at once, while another socket is pushed to', async () => {
    const before = t.server.stats().liveQueries;
    const good = await t.session();
    const watching = wsClientFrom(t, address(), good.token);
    const watcher = new Pushes<{ live: { banner: { title: string } } }>(watching, LIVE);
    expect((await watcher.nextData()).live.banner.title).toBe('Welcome to the store');

    const { token } = await t.session();
    const flooder = wsClientFrom(t, address(), token);
    const floods = Array.from({ length: 25 }, () => new Pushes(flooder, LIVE));
    const outcomes = await Promise.all(
      floods.map((pushes) =>
        pushes.next().then(
          () => 'served',
          (error: Error) => error.message,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'served')).toHaveLength(LIMITS.maxSubscriptionsPerSocket);
    for (const outcome of outcomes.filter((outcome) => outcome !== 'served'))
      expect(outcome).toMatch(/TOO_MANY_SUBSCRIPTIONS|at most 3 subscriptions/);
    // The well-behaved socket still gets its pushes.
    await gqlFrom(t, address(), TRACK, { e: events(3) }, good.token);
    expect((await watcher.nextData()).live.banner.title).toBe('Breaking: follow the news live');
    await Promise.all([flooder.dispose(), watching.dispose()]);
    await expect.poll(() => t.server.stats().liveQueries).toBe(before);
  });

  it('survives rapid subscribe/complete cycling on one socket, leaking no live query', async () => {
    const { token } = await t.session();
    const baseline = t.server.stats().liveQueries;
    const socket = rawFrom(t, address());
    const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as (typeof messages)[number]));
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { token } }));
    await expect.poll(() => messages.some((message) => message.type === 'connection_ack')).toBe(true);
    for (let cycle = 0; cycle < 300; cycle++) {
      socket.send(JSON.stringify({ id: `c${cycle}`, type: 'subscribe', payload: { query: LIVE } }));
      socket.send(JSON.stringify({ id: `c${cycle}`, type: 'complete' }));
    }
    socket.send(JSON.stringify({ id: 'final', type: 'subscribe', payload: { query: LIVE } }));
    await expect
      .poll(() => messages.some((message) => message.id === 'final' && message.type === 'next'), {
        timeout: 10_000,
      })
      .toBe(true);
    expect(socket.readyState).toBe(socket.OPEN);
    // Every cycled subscription is gone; only `final` remains.
    await expect.poll(() => t.server.stats().liveQueries, { timeout: 10_000 }).toBe(baseline + 1);
    socket.close();
    await expect.poll(() => t.server.stats().liveQueries, { timeout: 10_000 }).toBe(baseline);
  });

  it('closes sockets that break the protocol with graphql-ws codes, and oversized or non-UTF-8 frames', async () => {
    const served = await wellBehaved();
    const { token } = await t.session();
    const opened = async () => {
      const socket = rawFrom(t, address());
      await new Promise<void>((resolve) => socket.once('open', () => resolve()));
      return socket;
    };
    const initialised = async () => {
      const socket = await opened();
      const acked = new Promise<void>((resolve) => socket.once('message', () => resolve()));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { token } }));
      await acked;
      return socket;
    };
    const cases: Array<[string, Promise<{ code: number }>, number]> = [];
    const add = async (
      label: string,
      socket: Promise<import('ws').WebSocket>,
      act: (ws: import('ws').WebSocket) => void,
      code: number,
    ) => {
      const ws = await socket;
      const closed = closeOf(ws);
      act(ws);
      cases.push([label, closed, code]);
    };
    await add(
      'subscribe before init',
      opened(),
      (ws) => ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: BANNER } })),
      4401,
    );
    await add('not JSON', initialised(), (ws) => ws.send('{"type": '), 4400);
    await add('unknown message', initialised(), (ws) => ws.send(JSON.stringify({ type: 'hack' })), 4400);
    await add(
      'two inits',
      initialised(),
      (ws) => ws.send(JSON.stringify({ type: 'connection_init', payload: { token } })),
      4429,
    );
    await add(
      'duplicate subscription id',
      initialised(),
      (ws) => {
        ws.send(JSON.stringify({ id: 'same', type: 'subscribe', payload: { query: LIVE } }));
        ws.send(JSON.stringify({ id: 'same', type: 'subscribe', payload: { query: LIVE } }));
      },
      4409,
    );
    await add(
      'frame over maxBodyBytes',
      initialised(),
      (ws) => ws.send('x'.repeat(LIMITS.maxBodyBytes + 1)),
      1009,
    );
    await add(
      'invalid UTF-8 text frame',
      initialised(),
      (ws) => ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }),
      1007,
    );
    const [closes] = await Promise.all([Promise.all(cases.map(([, closed]) => closed)), served()]);
    closes.forEach((closed, index) => expect(closed.code, cases[index]![0]).toBe(cases[index]![2]));
    await served();
  });

  it('closes a flood of sockets that never initialise (4408), serving a client that does', async () => {
    const before = t.server.stats().sockets;
    const from = address();
    const flood = Array.from({ length: 150 }, () => rawFrom(t, from));
    const closes = Promise.all(flood.map(closeOf));
    const served = await wellBehaved();
    const { token } = await t.session();
    const client = wsClientFrom(t, address(), token);
    const [codes] = await Promise.all([
      closes,
      served(),
      wsRequest(client, BANNER).then((result) =>
        expect(result.data).toEqual({ banner: { title: 'Welcome to the store' } }),
      ),
    ]);
    expect(new Set(codes.map((closed) => closed.code))).toEqual(new Set([4408]));
    await client.dispose();
    await expect.poll(() => t.server.stats().sockets).toBe(before);
  });
});

describe('rate limits', () => {
  it('limits track per profile over HTTP, with the time to wait, while another profile tracks', async () => {
    const served = await wellBehaved();
    const { token } = await t.session();
    const from = address();
    const [results] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => gqlFrom(t, from, TRACK, { e: events(1) }, token))),
      served(),
    ]);
    const refused = results.filter((result) => codeOf(result) === 'RATE_LIMITED');
    expect(results.filter((result) => result.data?.track)).toHaveLength(LIMITS.trackPerProfile.burst);
    expect(refused).toHaveLength(12 - LIMITS.trackPerProfile.burst);
    for (const result of refused) {
      expect(result.errors![0]!.message).toMatch(/this profile/);
      expect(result.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    }
    await served();
  });

  it('limits track per address over HTTP, however many profiles it uses, while another address tracks', async () => {
    const served = await wellBehaved();
    const from = address();
    const sessions = await Promise.all(Array.from({ length: 40 }, () => t.session()));
    const [results] = await Promise.all([
      Promise.all(sessions.map(({ token }) => gqlFrom(t, from, TRACK, { e: events(1) }, token))),
      served(),
    ]);
    expect(results.filter((result) => result.data?.track)).toHaveLength(LIMITS.trackPerIp.burst);
    const refused = results.filter((result) => codeOf(result) === 'RATE_LIMITED');
    expect(refused).toHaveLength(40 - LIMITS.trackPerIp.burst);
    expect(refused[0]!.errors![0]!.message).toMatch(/this address/);
    await served();
  });

  it('limits track over WebSocket too, while another socket tracks', async () => {
    const abuser = await t.session();
    const good = await t.session();
    const abusive = wsClientFrom(t, address(), abuser.token);
    const polite = wsClientFrom(t, address(), good.token);
    try {
      // One after the other: operations in flight on one socket count against its subscription limit.
      const burst = async () => {
        const results = [];
        for (let call = 0; call < 12; call++) results.push(await wsRequest(abusive, TRACK, { e: events(1) }));
        return results;
      };
      const [results, politeResult] = await Promise.all([
        burst(),
        wsRequest(polite, TRACK, { e: events(1, 'sport') }),
      ]);
      expect(results.filter((result) => result.data?.track)).toHaveLength(LIMITS.trackPerProfile.burst);
      const refused = results.filter((result) => result.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
      expect(refused).toHaveLength(12 - LIMITS.trackPerProfile.burst);
      expect(refused[0]!.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
      expect(politeResult.data).toEqual({ track: { accepted: 1 } });
    } finally {
      await Promise.all([abusive.dispose(), polite.dispose()]);
    }
  });
});
