/**
 * The GraphQL layer mounted in Strapi, end to end: segments and tagged entries written through the
 * document service, queried over HTTP on `/personalize/graphql`, a live query over WebSocket on the
 * same path, and a newly published variant pushed to the subscriber. Drafts never appear.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const PATH = '/personalize/graphql';

describe('the GraphQL endpoint in Strapi', () => {
  let app: BootedStrapi;
  let token: string;
  let client: Client;
  const documents = (uid: string) => app.strapi.documents(uid as never);

  async function graphql<T>(query: string, variables?: Record<string, unknown>, bearer?: string): Promise<T> {
    const response = await fetch(`${app.baseUrl}${PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  }

  beforeAll(async () => {
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-strapi-graphql-${process.pid}:`,
    });
    await documents('plugin::personalize.segment').create({
      data: {
        key: 'news-reader',
        name: 'News readers',
        priority: 50,
        enabled: true,
        rule: {
          count: { event: 'Article Viewed', where: { category: 'news' } },
          within: '10m',
          is: { $gte: 1 },
        },
      },
    } as never);
    await documents('api::banner.banner').create({
      data: { placement: 'home', title: 'Welcome', segments: [] },
      status: 'published',
    } as never);
    await documents('api::banner.banner').create({
      data: { placement: 'home', title: 'Draft for news readers', segments: ['news-reader'] },
    } as never);
    const session = await graphql<{ startSession: { token: string } }>('mutation { startSession { token } }');
    token = session.startSession.token;
  });

  afterAll(async () => {
    await client?.dispose();
    await app?.stop();
  });

  it('answers queries over HTTP with published content only', async () => {
    const data = await graphql<{ banner: { title: string; personalization: { fallback: boolean } } }>(
      '{ banner(placement: "home") { title personalization { fallback } } }',
      undefined,
      token,
    );
    expect(data.banner).toEqual({ title: 'Welcome', personalization: { fallback: true } });
  });

  it('pushes a newly published variant to a live query over WebSocket', async () => {
    const port = new URL(app.baseUrl).port;
    client = createClient({
      url: `ws://127.0.0.1:${port}${PATH}`,
      webSocketImpl: WebSocket,
      connectionParams: { token },
      retryAttempts: 0,
    });
    const titles: string[] = [];
    const errors: unknown[] = [];
    client.subscribe<{ live: { banner: { title: string } | null } }>(
      { query: 'subscription { live { banner(placement: "home") { title } } }' },
      {
        next: (result) => {
          if (result.errors) errors.push(result.errors);
          const title = result.data?.live.banner?.title;
          if (title) titles.push(title);
        },
        error: (error) => errors.push(error),
        complete: () => {},
      },
    );
    await expect.poll(() => titles).toEqual(['Welcome']);

    // The visitor enters the segment: no published variant for it yet (only a draft), nothing changes.
    const tracked = await graphql<{ track: { entered: string[] } }>(
      'mutation($events: [EventInput!]!) { track(events: $events) { entered } }',
      { events: [{ id: 'evt-1', type: 'Article Viewed', properties: { category: 'news' } }] },
      token,
    );
    expect(tracked.track.entered).toEqual(['news-reader']);

    await documents('api::banner.banner').create({
      data: { placement: 'home', title: 'Breaking news for you', segments: ['news-reader'] },
      status: 'published',
    } as never);
    await expect.poll(() => titles, { timeout: 5_000 }).toEqual(['Welcome', 'Breaking news for you']);
    expect(errors).toEqual([]);

    const data = await graphql<{ banners: Array<{ title: string }> }>(
      '{ banners(filters: { placement: { eq: "home" } }) { title } }',
      undefined,
      token,
    );
    expect(data.banners.map((banner) => banner.title)).toEqual(['Breaking news for you', 'Welcome']);

    // An editor disables the segment: the rules reload everywhere and the live query falls back.
    const segment = (await documents('plugin::personalize.segment').findFirst({
      filters: { key: 'news-reader' },
    } as never)) as { documentId: string };
    await documents('plugin::personalize.segment').update({
      documentId: segment.documentId,
      data: { enabled: false },
    } as never);
    await expect
      .poll(() => titles, { timeout: 5_000 })
      .toEqual(['Welcome', 'Breaking news for you', 'Welcome']);
  });

  it('never serves drafts, to any audience', async () => {
    const data = await graphql<{ banners: Array<{ title: string }> }>(
      '{ banners { title } }',
      undefined,
      token,
    );
    expect(data.banners.map((banner) => banner.title)).not.toContain('Draft for news readers');
  });

  it('closes its sockets when Strapi stops', async () => {
    const port = new URL(app.baseUrl).port;
    const closed: number[] = [];
    const watcher = createClient({
      url: `ws://127.0.0.1:${port}${PATH}`,
      webSocketImpl: WebSocket,
      connectionParams: { token },
      retryAttempts: 0,
      lazy: false,
      on: { closed: (event) => closed.push((event as { code: number }).code) },
    });
    // The subscription yields the current state first: once it did, the socket is fully in use.
    const subscribed = new Promise<void>((resolve, reject) =>
      watcher.subscribe(
        { query: 'subscription { segmentsChanged { segments { key } } }' },
        { next: () => resolve(), error: reject, complete: () => {} },
      ),
    );
    await subscribed;
    await app.stop();
    await expect.poll(() => closed.length).toBe(1);
    // Closed by the server as it went away, not dropped.
    expect(closed[0]).not.toBe(1006);
    await watcher.dispose();
  });
});
