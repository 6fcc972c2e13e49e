/**
 * The client's identity over a real server (HTTP and WebSocket, real Redis): identify keeps the
 * token the server returns and the live socket follows it, logout starts a new anonymous session,
 * and tokens past a share of their lifetime are refreshed before they expire.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPersonalizeClient, memoryTokenStore, type SegmentChange } from '../../client/src/index.js';
import { tokenLifetime } from '../../client/src/session.js';
import { assertionFor, SECRET, TestServer } from '../graphql/support/harness.js';

const redis = inject('redisUrl');
let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ redis });
});
afterAll(() => t.close());

const subjectOf = (token: string | null): string =>
  JSON.parse(Buffer.from(token!.split('.')[2]!, 'base64url').toString('utf8')).sub as string;

/** Resolves with the first change `accept`s, or fails after `timeoutMs`. */
function waitFor(
  changes: SegmentChange[],
  accept: (change: SegmentChange) => boolean,
  from = 0,
  timeoutMs = 5000,
) {
  const deadline = Date.now() + timeoutMs;
  return new Promise<SegmentChange>((resolve, reject) => {
    const poll = () => {
      const found = changes.slice(from).find(accept);
      if (found) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`no matching change in ${JSON.stringify(changes)}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

describe('client identity', () => {
  it('identify swaps to the returned token (the socket follows); logout starts anonymous again', async () => {
    const client = createPersonalizeClient({
      url: t.url,
      tokenStore: memoryTokenStore(),
      webSocketImpl: WebSocket,
    });
    try {
      const anonymous = await client.me();
      const anonymousToken = client.token();
      expect(anonymous).toMatchObject({ userId: null, segments: [] });
      const changes: SegmentChange[] = [];
      client.onSegmentsChanged((change) => changes.push(change));
      await waitFor(changes, (change) => change.cause === 'CURRENT');

      const userId = `u-${randomUUID()}`;
      const profile = await client.identify(await assertionFor(userId, { traits: { plan: 'gold' } }));
      expect(profile).toMatchObject({ id: `user:${userId}`, userId, segments: [{ key: 'vip' }] });
      expect(subjectOf(client.token())).toBe(`user:${userId}`);
      // The socket reconnected with the new token: the subscription starts again from the user's state.
      await waitFor(
        changes,
        (change) => change.cause === 'CURRENT' && change.segments.some((s) => s.key === 'vip'),
      );
      client.track('Article Viewed', { category: 'news' });
      client.track('Article Viewed', { category: 'news' });
      await client.flush();
      expect((await client.me()).segments.map((s) => s.key)).toEqual(['vip', 'reader']);
      expect((await t.gql('{ me { id } }', {}, anonymousToken)).errors?.[0]?.extensions?.code).toBe(
        'INVALID_TOKEN',
      );

      const beforeLogout = changes.length;
      await client.logout();
      expect(subjectOf(client.token())).toMatch(/^anon:/);
      expect(await client.me()).toMatchObject({ userId: null, segments: [] });
      await waitFor(
        changes,
        (change) => change.cause === 'CURRENT' && change.segments.length === 0,
        beforeLogout,
      );
      // The user's profile is still there for the user's next sign-in.
      const again = await client.identify(await assertionFor(userId));
      expect(again.segments.map((s) => s.key)).toEqual(['vip', 'reader']);
      await client.reset();
      expect(subjectOf(client.token())).toMatch(/^anon:/);
    } finally {
      await client.dispose();
    }
  });

  it('refreshes a token past half its lifetime, so an active visitor keeps its profile', async () => {
    const ttlMs = 3000;
    const short = await TestServer.start({ redis, server: { tokens: { secrets: [SECRET], ttlMs } } });
    const client = createPersonalizeClient({
      url: short.url,
      tokenStore: memoryTokenStore(),
      webSocketImpl: WebSocket,
    });
    try {
      const { id } = await client.me();
      const first = client.token()!;
      const lifetime = tokenLifetime(first)!;
      expect(lifetime.expiresAt - lifetime.issuedAt).toBe(ttlMs);
      await client.me();
      expect(client.token()).toBe(first); // not yet due
      await new Promise((resolve) => setTimeout(resolve, lifetime.issuedAt + ttlMs / 2 + 100 - Date.now()));
      await client.me(); // due: refreshed in the background
      for (let i = 0; i < 100 && client.token() === first; i += 1)
        await new Promise((r) => setTimeout(r, 20));
      expect(client.token()).not.toBe(first);
      expect(subjectOf(client.token())).toBe(id);
      await new Promise((resolve) => setTimeout(resolve, lifetime.expiresAt + 100 - Date.now()));
      // The first token has expired; the client's current one still reads the same profile.
      expect((await short.gql('{ me { id } }', {}, first)).errors?.[0]?.extensions?.code).toBe(
        'INVALID_TOKEN',
      );
      expect((await client.me()).id).toBe(id);
    } finally {
      await client.dispose();
      await short.close();
    }
  });
});
