/**
 * An instance killed: two standalone server processes on one Redis, a graphql-ws client with
 * retry connected to A. A is killed (SIGKILL: no goodbye); the client's next connection goes to
 * B (the client is handed the next URL of its list on every attempt), its subscriptions start
 * again there with the current state (including a change made while it was away), and B's later
 * pushes arrive.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { startStandalone, type StandaloneProcess } from '../support/standalone-process';
import { FIXTURES, Pushes, SECRET } from '../graphql/support/harness';
import { newsView, postGraphQL, TRACK } from './support/stack';

const contentDir = mkdtempSync(join(tmpdir(), 'pz-faults-two-'));
let a: StandaloneProcess;
let b: StandaloneProcess;
let client: Client | undefined;

beforeAll(async () => {
  cpSync(FIXTURES, contentDir, { recursive: true });
  const env = {
    REDIS_URL: inject('redisUrl'),
    KEY_PREFIX: `f${randomUUID().slice(0, 8)}`,
    TOKEN_SECRETS: SECRET,
    CONTENT_DIR: contentDir,
  };
  [a, b] = await Promise.all([startStandalone(env), startStandalone(env)]);
}, 120_000);

afterAll(async () => {
  await client?.dispose();
  for (const instance of [a, b]) if (instance) await instance.stop('SIGTERM');
  rmSync(contentDir, { recursive: true, force: true });
});

it('a client of a killed instance reconnects to the other and gets the current state, then pushes', async () => {
  const { token } = (
    (await postGraphQL(a.url, 'mutation { startSession { token } }')).data as {
      startSession: { token: string };
    }
  ).startSession;
  // The URL list of the client: each connection attempt takes the next one.
  const urls = [a.wsUrl, b.wsUrl];
  const handedOut: string[] = [];
  client = createClient({
    url: () => {
      const url = urls[handedOut.length % urls.length]!;
      handedOut.push(url);
      return url;
    },
    webSocketImpl: WebSocket,
    connectionParams: { token },
    retryAttempts: 10,
    // Long enough that the change below is made while the client is away.
    retryWait: () => sleep(500),
    shouldRetry: () => true,
  });
  const live = new Pushes<{ live: { banner: { title: string } } }>(
    client,
    'subscription { live { banner(placement: home) { title } } }',
  );
  const changes = new Pushes<{ segmentsChanged: { cause: string; segments: Array<{ key: string }> } }>(
    client,
    'subscription { segmentsChanged { cause segments { key } } }',
  );
  expect((await live.nextData(10_000)).live.banner.title).toBe('Welcome to the store');
  expect((await changes.nextData(10_000)).segmentsChanged.segments).toEqual([]);
  expect(handedOut).toEqual([a.wsUrl]);

  await a.stop('SIGKILL');
  // While the client is away: two news views through B make the visitor a reader.
  const tracked = await postGraphQL(b.url, TRACK, { events: [newsView(), newsView()] }, token);
  expect(tracked.errors).toBeUndefined();

  // Reconnected to B: the subscriptions start again with the current state.
  expect((await live.nextData(10_000)).live.banner.title).toBe('Readers: more stories inside');
  expect((await changes.nextData(10_000)).segmentsChanged).toEqual({
    cause: 'CURRENT',
    segments: [{ key: 'reader' }],
  });
  expect(handedOut.at(-1)).toBe(b.wsUrl);

  // And B's later pushes arrive.
  await postGraphQL(b.url, TRACK, { events: [newsView()] }, token);
  expect((await live.nextData()).live.banner.title).toBe('Breaking: follow the news live');
  expect((await changes.nextData()).segmentsChanged.segments.map((s) => s.key)).toContain('breaking-news');
});
