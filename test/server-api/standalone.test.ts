/**
 * The server API of the standalone server, as an operator runs it: `server/standalone.ts` in a
 * child process with `API_KEYS` (hashes minted as `npm run api-key` does), a Redis of its own
 * (stopped at the end for the 503), real HTTP with `fetch`. Every status code of
 * `POST /personalize/api/v1/traits`, a membership change pushed to the user's live subscription
 * over a real WebSocket, and no key (nor its secret) in anything the process wrote.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { systemClock } from '../../engine/types';
import { hashApiKey, mintApiKey } from '../../server/api-keys';
import { TokenSigner } from '../../server/tokens';
import { FIXTURES, PATH, Pushes, SECRET } from '../graphql/support/harness';
import { spawnRedis, type SpawnedRedis } from '../setup/redis-server';
import { startStandalone, type StandaloneProcess } from '../support/standalone-process';

const repo = join(__dirname, '..', '..');

/** `npm run api-key -- <scopes>`, as the README has an operator mint a key: the key and its API_KEYS entry. */
function mintWithCli(...scopes: string[]): { key: string; entry: string } {
  const printed = execFileSync(process.execPath, ['--import', 'tsx', 'server/api-key-cli.ts', ...scopes], {
    cwd: repo,
    encoding: 'utf8',
  });
  const key = /^key=(\S+)$/m.exec(printed)?.[1];
  const entry = /^API_KEYS entry=(\S+)$/m.exec(printed)?.[1];
  if (!key || !entry) throw new Error(`unexpected output of the api-key script: ${printed}`);
  return { key, entry };
}

const minted = mintWithCli('traits:write');
const writer = { key: minted.key };
const reader = mintApiKey();
const limited = mintApiKey();
const API_KEYS = [
  minted.entry,
  `${reader.id}:${reader.hash}:profiles:read`,
  `${limited.id}:${limited.hash}:traits:write+profiles:read`,
].join(',');

interface Answer {
  status: number;
  headers: Headers;
  body: {
    error?: { code: string; message: string; path?: string; retryable?: boolean };
    [key: string]: unknown;
  };
}

describe('the standalone server API', () => {
  let redis: SpawnedRedis;
  let server: StandaloneProcess;
  let base: string;
  let client: Client | undefined;
  const contentDir = mkdtempSync(join(tmpdir(), 'pz-server-api-'));

  beforeAll(async () => {
    cpSync(FIXTURES, contentDir, { recursive: true });
    redis = await spawnRedis();
    server = await startStandalone({
      REDIS_URL: redis.url,
      KEY_PREFIX: `sapi${randomUUID().slice(0, 8)}`,
      TOKEN_SECRETS: SECRET,
      CONTENT_DIR: contentDir,
      API_KEYS,
      // Every key's bucket: 40 calls (more than this suite makes with one key), then one every 100 s.
      SERVER_API_LIMITS: JSON.stringify({ ratePerKey: { burst: 40, perSecond: 0.01 } }),
      PROFILE_LIMITS: JSON.stringify({ maxTraits: 20 }),
    });
    base = server.base;
  }, 90_000);

  afterAll(async () => {
    await client?.dispose();
    // Redis is away by now (the 503 case): the server still stops cleanly, not by its deadline.
    if (server) expect(await server.stop()).toBe(0);
    await redis?.stop();
    rmSync(contentDir, { recursive: true, force: true });
  });

  async function call(
    body: unknown,
    key: string | null = writer.key,
    init: { method?: string; path?: string; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const response = await fetch(`${base}${init.path ?? '/personalize/api/v1/traits'}`, {
      method: init.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key !== null ? { authorization: `Bearer ${key}` } : {}),
        ...init.headers,
      },
      ...(init.method === 'GET' ? {} : { body: init.raw ?? JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Answer['body'],
    };
  }

  it("sets a user's traits (200) and pushes the segment entered to the user's live subscription", async () => {
    const userId = `crm-${randomUUID()}`;
    // The user's own token, as the site's login would get it for `user:<id>`.
    const { token } = new TokenSigner({ secrets: [SECRET], clock: systemClock }).issue(`user:${userId}`);
    client = createClient({
      url: `ws://127.0.0.1:${new URL(base).port}${PATH}`,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: { token },
    });
    const changes = new Pushes<{ segmentsChanged: { entered: string[]; segments: Array<{ key: string }> } }>(
      client,
      'subscription { segmentsChanged { entered segments { key } } }',
    );
    expect((await changes.nextData(10_000)).segmentsChanged.segments).toEqual([]);

    const answer = await call({ userId, traits: { plan: 'gold', seats: 12 } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      profileId: `user:${userId}`,
      segments: [{ key: 'vip', name: 'VIP', since: expect.any(String), expiresAt: null }],
    });
    const pushed = (await changes.nextData(5_000)).segmentsChanged;
    expect(pushed.entered).toEqual(['vip']);
    expect(pushed.segments.map((segment) => segment.key)).toEqual(['vip']);

    // Leaving is pushed the same way; other traits are kept (traits are set key by key).
    expect((await call({ userId, traits: { plan: 'free' } })).body.segments).toEqual([]);
    expect((await changes.nextData(5_000)).segmentsChanged.segments).toEqual([]);
  });

  it("creates the profile as the user's (me.userId, the user lifetime) and refuses traits past the profile's bound", async () => {
    const userId = `crm-${randomUUID()}`;
    const { token } = new TokenSigner({ secrets: [SECRET], clock: systemClock }).issue(`user:${userId}`);
    const first = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, index]));
    expect((await call({ userId, traits: first })).status).toBe(200);
    const me = await fetch(`${base}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id userId traits } }' }),
    });
    expect(((await me.json()) as { data: unknown }).data).toEqual({
      me: { id: `user:${userId}`, userId, traits: first },
    });
    // 15 + 10 new traits is past maxTraits (20): refused whole, nothing written.
    const more = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`n${index}`, index]));
    const refused = await call({ userId, traits: more });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxTraits', max: 20 });
  });

  it('refuses bad input with 400 and the path of the offending value', async () => {
    const cases: Array<[unknown, string]> = [
      [{ traits: { plan: 'gold' } }, 'userId'],
      [{ userId: 42, traits: {} }, 'userId'],
      [{ userId: 'has space', traits: {} }, 'userId'],
      [{ userId: 'u1', traits: 'gold' }, 'traits'],
      [{ userId: 'u1', traits: { bio: 'x'.repeat(5_000) } }, 'traits.bio'],
      [null, 'traits.__proto__'],
      [{ userId: 'u1', traits: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, 'traits.a.b.c.d.e'],
      [{ userId: 'u1', traits: {}, admin: true }, 'admin'],
      [[1, 2], ''],
    ];
    for (const [body, path] of cases) {
      const raw = path === 'traits.__proto__' ? '{"userId":"u1","traits":{"__proto__":1}}' : undefined;
      const answer = await call(body, writer.key, raw ? { raw } : {});
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error?.code).toBe('BAD_USER_INPUT');
      expect(answer.body.error?.path, JSON.stringify(answer.body)).toBe(path);
    }
    const notJson = await call(null, writer.key, { raw: '{"userId":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error?.message).toMatch(/not valid JSON/);
  });

  it('refuses a missing, malformed, unknown or wrongly signed key with 401, a key without the scope with 403', async () => {
    const body = { userId: 'u1', traits: { plan: 'gold' } };
    const forged = `${writer.key.slice(0, -4)}AAAA`;
    const unknown = mintApiKey().key;
    for (const key of [null, 'not-a-key', forged, unknown, `${writer.key}x`]) {
      const answer = await call(body, key);
      expect(answer.status, String(key)).toBe(401);
      expect(answer.body.error?.code).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const wrongScope = await call(body, reader.key);
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/traits:write/),
    });
  });

  it('answers 404 for an unknown operation, 405 for the wrong method, 413 for a body over 64 KiB', async () => {
    expect((await call({}, writer.key, { path: '/personalize/api/v1/nothing' })).status).toBe(404);
    const get = await call(null, writer.key, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const big = await call({ userId: 'u1', traits: { bio: 'x'.repeat(70 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rate-limits per key with 429 and retry-after, leaving other keys served', async () => {
    const body = { userId: `rate-${randomUUID()}`, traits: { plan: 'free' } };
    const statuses = [];
    for (let sent = 0; sent < 40; sent += 1) statuses.push((await call(body, limited.key)).status);
    expect(new Set(statuses)).toEqual(new Set([200]));
    const refused = await call(body, limited.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call(body, writer.key)).status).toBe(200);
  });

  it('answers 503, retryable, while Redis is away', async () => {
    await redis.stop();
    const answer = await call({ userId: 'u1', traits: { plan: 'gold' } });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(answer.headers.get('retry-after')).toBe('1');
  });

  it('mints keys with the api-key script: the entry holds the hash, never the key', () => {
    const [id, hash, ...scope] = minted.entry.split(':');
    expect(minted.key.startsWith(`pzk_${id}_`)).toBe(true);
    expect(hash).toBe(hashApiKey(minted.key));
    expect(scope.join(':')).toBe('traits:write');
    expect(minted.entry).not.toContain(minted.key.slice(17));
  });

  it('never wrote a key, nor its secret, to its output', () => {
    expect(server.output()).toContain('server API on /personalize/api/v1/ with 3 API key(s)');
    for (const minted of [writer, reader, limited]) {
      expect(server.output()).not.toContain(minted.key);
      expect(server.output()).not.toContain(minted.key.slice(17));
    }
  });
});
