/**
 * Live pushes over real WebSockets and real Redis: segmentsChanged and `live` queries, starting
 * with the current state, following events, window expiry, content publication, rule changes,
 * several tabs and devices, reconnects; and every WebSocket refusal.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { RuleSetSource } from '../../engine/types';
import { assertionFor, closeOf, fixtureRules, IDENTIFY, Pushes, TestServer } from './support/harness';

const redis = inject('redisUrl');
/** The window of the `breaking-news` rule here: short, so its expiry is observed on the real clock. */
const WINDOW_MS = 1500;

function shortWindowRules(): RuleSetSource {
  const rules = fixtureRules();
  const news = rules.segments.find((segment) => segment.key === 'breaking-news')!;
  news.rule = {
    count: { event: 'Article Viewed', where: { category: 'news' } },
    within: `${WINDOW_MS}ms`,
    is: { $gte: 2 },
  };
  // Readers need more here, so two news views make a news reader only.
  const reader = rules.segments.find((segment) => segment.key === 'reader')!;
  reader.rule = { count: { event: 'Article Viewed' }, within: '10m', is: { $gte: 5 } };
  return rules;
}

const HOME = `subscription { live { banner(placement: home) { title personalization { segment } } } }`;
type Home = { live: { banner: { title: string; personalization: { segment: string | null } } } };
const CHANGES = 'subscription { segmentsChanged { entered exited cause reason segments { key } } }';
type Change = {
  segmentsChanged: {
    entered: string[];
    exited: string[];
    cause: string;
    reason: string;
    segments: Array<{ key: string }>;
  };
};

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ redis, rules: shortWindowRules() });
});
afterAll(() => t.close());

describe('live queries and segment changes', () => {
  it('starts with the current state, pushes the new variant after an event over HTTP, and the fallback when the window expires', async () => {
    const { token } = await t.session();
    const changes = new Pushes<Change>(t.client(token), CHANGES);
    const live = new Pushes<Home>(t.client(token), HOME);
    expect((await changes.nextData()).segmentsChanged).toMatchObject({
      entered: [],
      exited: [],
      cause: 'CURRENT',
      segments: [],
    });
    expect((await live.nextData()).live.banner).toEqual({
      title: 'Welcome to the store',
      personalization: { segment: null },
    });

    const tracked = await t.view(token, 2);
    expect(tracked.data).toMatchObject({ track: { entered: ['breaking-news'] } });
    const entered = Date.now();
    expect((await changes.nextData()).segmentsChanged).toMatchObject({
      entered: ['breaking-news'],
      cause: 'EVENT',
    });
    expect((await live.nextData()).live.banner).toEqual({
      title: 'Breaking: follow the news live',
      personalization: { segment: 'breaking-news' },
    });

    // No new event: the window expires and the fallback comes back, pushed within a second of it.
    const exit = await changes.nextData(WINDOW_MS + 3000);
    expect(exit.segmentsChanged).toMatchObject({ exited: ['breaking-news'], cause: 'TIME', segments: [] });
    expect((await live.nextData(2000)).live.banner.title).toBe('Welcome to the store');
    expect(Date.now() - entered).toBeLessThan(WINDOW_MS + 1000);
    // Nothing else changed: nothing else is pushed.
    await live.nothingFor(300);
  });

  it('pushes to the live query on another socket, and to every tab of the visitor', async () => {
    const { token } = await t.session();
    const tabs = [new Pushes<Home>(t.client(token), HOME), new Pushes<Home>(t.client(token), HOME)];
    for (const tab of tabs) expect((await tab.nextData()).live.banner.title).toBe('Welcome to the store');
    const stranger = await t.session();
    const strangerLive = new Pushes<Home>(t.client(stranger.token), HOME);
    await strangerLive.nextData();

    await t.view(token, 2);
    for (const tab of tabs)
      expect((await tab.nextData()).live.banner.title).toBe('Breaking: follow the news live');
    await strangerLive.nothingFor(300);
  });

  it('after a reconnect, the first message is the current state', async () => {
    const { token } = await t.session();
    let connections = 0;
    const client = t.client(token, { lazy: false, retryAttempts: 5 });
    client.on('connected', () => connections++);
    const live = new Pushes<Home>(client, HOME);
    expect((await live.nextData()).live.banner.title).toBe('Welcome to the store');
    client.terminate(); // the socket dies; the client reconnects after its retry wait
    await t.view(token, 5, 'sport'); // meanwhile: five articles make a keen reader
    const first = await live.nextData(10_000);
    expect(first.live.banner.title).toBe('Readers: more stories inside');
    expect(connections).toBe(2);
  });

  it('pushes when content it selected is published or edited, and not for content it did not select', async () => {
    const { token } = await t.session();
    const live = new Pushes<Home>(t.client(token), HOME);
    await live.nextData();
    t.editDocuments('api::article.article', (documents) =>
      documents.map((doc) => ({ ...doc, title: `${String(doc.title)}!` })),
    );
    await t.server.refreshContent({ kind: 'documents', uid: 'api::article.article' });
    await live.nothingFor(300);

    t.editDocuments('api::banner.banner', (documents) =>
      documents.map((doc) =>
        doc.documentId === 'banner-1' && doc.locale === 'en' ? { ...doc, title: 'Welcome back' } : doc,
      ),
    );
    await t.server.refreshContent({ kind: 'documents', uid: 'api::banner.banner' });
    expect((await live.nextData()).live.banner.title).toBe('Welcome back');

    // Unpublishing a variant the caller sees: the next best one is pushed.
    t.editDocuments('api::banner.banner', (documents) =>
      documents.filter((doc) => doc.documentId !== 'banner-1'),
    );
    await t.server.refreshContent({ kind: 'documents', uid: 'api::banner.banner' });
    expect((await live.nextData()).live.banner).toBeNull();
  });

  it('pushes when segment definitions change', async () => {
    const rules = shortWindowRules();
    const server = await TestServer.start({ redis, rules });
    try {
      const { token } = await server.session();
      const live = new Pushes<Home>(server.client(token), HOME);
      expect((await live.nextData()).live.banner.title).toBe('Welcome to the store');
      await server.view(token, 1, 'sport');
      await live.nothingFor(200);
      // "Keen reader" now needs a single article: the visitor is one, and sees the readers' banner.
      const reader = rules.segments.find((segment) => segment.key === 'reader')!;
      reader.rule = { count: { event: 'Article Viewed' }, within: '10m', is: { $gte: 1 } };
      server.personalizer.setRules(rules);
      expect((await live.nextData()).live.banner.title).toBe('Readers: more stories inside');
    } finally {
      await server.close();
    }
  });

  it('follows the visitor across devices after identify', async () => {
    const userId = `u-${randomUUID()}`;
    const laptop = await t.session();
    const phone = await t.session();
    // A socket opened before identify follows the merge until the client reconnects with its new token.
    const laptopLive = new Pushes<Home>(t.client(laptop.token), HOME);
    await laptopLive.nextData();
    await t.gql(IDENTIFY, { a: await assertionFor(userId) }, laptop.token);
    const identified = await t.gql(IDENTIFY, { a: await assertionFor(userId) }, phone.token);
    const phoneToken = (identified.data as { identify: { session: { token: string } } }).identify.session
      .token;
    const phoneLive = new Pushes<Home>(t.client(phoneToken), HOME);
    await phoneLive.nextData();
    // An event on the phone changes what the laptop shows.
    await t.view(phoneToken, 2);
    expect((await phoneLive.nextData()).live.banner.title).toBe('Breaking: follow the news live');
    expect((await laptopLive.nextData()).live.banner.title).toBe('Breaking: follow the news live');
  });
});

describe('WebSocket refusals', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await TestServer.start({
      redis,
      server: { limits: { maxSubscriptionsPerSocket: 2, connectionInitTimeoutMs: 300 } },
    });
  });
  afterAll(() => strict.close());

  const init = (payload: unknown) => {
    const socket = strict.raw();
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    return closeOf(socket);
  };

  it('closes 4401 without a token and 4403 with a forged or expired one', async () => {
    expect(await init({})).toMatchObject({ code: 4401, reason: expect.stringMatching(/token/) });
    const { token } = await strict.session();
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await init({ token: forged })).toMatchObject({
      code: 4403,
      reason: expect.stringMatching(/signature/),
    });
    expect(await init({ token: 42 })).toMatchObject({ code: 4403 });
  });

  it('closes 4408 when connection_init does not come in time', async () => {
    const socket = strict.raw();
    expect(await closeOf(socket)).toMatchObject({ code: 4408 });
  });

  it('refuses subscriptions past the per-socket maximum, and keeps the others', async () => {
    const { token } = await strict.session();
    const client = strict.client(token);
    const first = new Pushes<Home>(client, HOME);
    const second = new Pushes<Change>(client, CHANGES);
    await first.nextData();
    await second.nextData();
    const third = new Pushes<Home>(client, HOME);
    await expect(third.next()).rejects.toThrow(/TOO_MANY_SUBSCRIPTIONS|at most 2 subscriptions/);
    await strict.view(token, 3);
    expect((await first.nextData()).live.banner.title).toBe('Breaking: follow the news live');
  });

  it('refuses operations on another path: upgrades elsewhere are left to their owners', async () => {
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(
      strict.wsUrl.replace('/personalize/graphql', '/_hmr'),
      'graphql-transport-ws',
    );
    const outcome = await new Promise<string>((resolve) => {
      socket.once('open', () => resolve('open'));
      socket.once('error', () => resolve('error'));
      setTimeout(() => resolve('no answer'), 500);
    });
    socket.terminate();
    expect(outcome).not.toBe('open');
  });
});
