/**
 * Two instances on one Redis: the standalone server in two child processes (own connections, own
 * ports), and two in-process servers sharing a content directory for content broadcasts.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { startStandalone, type StandaloneProcess } from '../support/standalone-process';
import { cutPubSubLinks, withConnectionName } from '../support/pubsub-links';
import { FIXTURES, Pushes, SECRET, TestServer } from './support/harness';

const redis = inject('redisUrl');

async function post(url: string, query: string, variables: object = {}, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: { startSession: { token: string }; track: { entered: string[] } };
    errors?: unknown[];
  };
}

describe('two server processes on one Redis', () => {
  const processes: StandaloneProcess[] = [];
  const clients: Client[] = [];
  let a: StandaloneProcess;
  let b: StandaloneProcess;
  const contentDir = mkdtempSync(join(tmpdir(), 'pz-two-'));

  beforeAll(async () => {
    cpSync(FIXTURES, contentDir, { recursive: true });
    const env = {
      REDIS_URL: redis,
      KEY_PREFIX: `t${randomUUID().slice(0, 8)}`,
      TOKEN_SECRETS: SECRET,
      CONTENT_DIR: contentDir,
    };
    [a, b] = await Promise.all([startStandalone(env), startStandalone(env)]).then((started) => {
      processes.push(...started);
      return started;
    });
  }, 120_000);
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    for (const instance of processes) await instance.stop();
    rmSync(contentDir, { recursive: true, force: true });
  });

  it('a track through one instance is pushed to the subscriber on the other', async () => {
    const session = (await post(a.url, 'mutation { startSession { token } }')).data!.startSession
      .token as string;
    const client = createClient({
      url: b.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { token: session },
      retryAttempts: 0,
    });
    clients.push(client);
    const live = new Pushes<{ live: { banner: { title: string } } }>(
      client,
      'subscription { live { banner(placement: home) { title } } }',
    );
    const changes = new Pushes<{ segmentsChanged: { entered: string[] } }>(
      client,
      'subscription { segmentsChanged { entered } }',
    );
    expect((await live.nextData(10_000)).live.banner.title).toBe('Welcome to the store');
    await changes.nextData(10_000);

    const events = [1, 2, 3].map(() => ({
      id: randomUUID(),
      type: 'Article Viewed',
      properties: { category: 'news' },
    }));
    const tracked = await post(
      a.url,
      'mutation($e: [EventInput!]!) { track(events: $e) { entered } }',
      { e: events },
      session,
    );
    expect(tracked.data!.track.entered).toContain('breaking-news');
    expect((await changes.nextData()).segmentsChanged.entered).toContain('breaking-news');
    expect((await live.nextData()).live.banner.title).toBe('Breaking: follow the news live');
  });
});

describe('content refreshed on one instance reaches the live queries of the other', () => {
  let first: TestServer;
  let second: TestServer;
  let control: Redis;
  /** Names the second instance's connections, so that its pub/sub link alone can be cut. */
  const secondName = `second-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    const keyPrefix = `t${randomUUID().slice(0, 8)}`;
    first = await TestServer.start({ redis, keyPrefix });
    second = await TestServer.start({
      redis: withConnectionName(redis, secondName),
      keyPrefix,
      contentDir: first.contentDir,
    });
    control = new Redis(redis);
  });
  afterAll(async () => {
    control?.disconnect();
    await second.close();
    await first.close();
  });

  it('refreshContent broadcasts to every instance', async () => {
    const { token } = await first.session();
    const live = new Pushes<{ live: { banner: { title: string } } }>(
      second.client(token),
      'subscription { live { banner(placement: home) { title } } }',
    );
    expect((await live.nextData()).live.banner.title).toBe('Welcome to the store');
    first.editDocuments('api::banner.banner', (documents) =>
      documents.map((doc) =>
        doc.documentId === 'banner-1' ? { ...doc, title: 'Published on the first instance' } : doc,
      ),
    );
    await first.server.refreshContent({ kind: 'documents', uid: 'api::banner.banner' });
    expect((await live.nextData()).live.banner.title).toBe('Published on the first instance');
  });

  it('a content change whose announcement it missed reaches it once its pub/sub link is back', async () => {
    const { token } = await first.session();
    const live = new Pushes<{ live: { banner: { title: string } } }>(
      second.client(token),
      'subscription { live { banner(placement: home) { title } } }',
    );
    const title = (await live.nextData()).live.banner.title;
    // Published, but its announcement lost (here: never sent) while the second instance's bus is
    // away; Redis pub/sub keeps nothing for an absent subscriber.
    first.editDocuments('api::banner.banner', (documents) =>
      documents.map((doc) =>
        doc.documentId === 'banner-1' ? { ...doc, title: 'Published during an outage' } : doc,
      ),
    );
    expect(await cutPubSubLinks(control, secondName)).toBe(1);
    let seen = title;
    while (seen !== 'Published during an outage') seen = (await live.nextData()).live.banner.title;
    expect(seen).toBe('Published during an outage');
  });
});
