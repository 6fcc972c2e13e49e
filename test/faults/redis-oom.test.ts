/**
 * Redis out of memory under `maxmemory-policy noeviction` (the policy the store requires, see
 * "Redis memory" in engine/store/README.md): on a redis-server of this test's own, `track`
 * answers the retryable `UNAVAILABLE` refusal, stores nothing of the batch, and works again once
 * memory is freed, the same events then counted once.
 */
import Redis from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnRedis, type SpawnedRedis } from '../setup/redis-server';
import { TestServer } from '../graphql/support/harness';

const TRACK = 'mutation($e: [EventInput!]!) { track(events: $e) { accepted duplicates entered } }';
const events = [
  { id: 'oom-1', type: 'Article Viewed', properties: { category: 'news' } },
  { id: 'oom-2', type: 'Article Viewed', properties: { category: 'news' } },
];

let redis: SpawnedRedis;
let admin: Redis;
let t: TestServer;

beforeAll(async () => {
  redis = await spawnRedis(['--maxmemory-policy', 'noeviction']);
  admin = new Redis(redis.url);
  t = await TestServer.start({ redis: redis.url, keyPrefix: 'oom' });
});
afterAll(async () => {
  await t?.close();
  admin?.disconnect();
  await redis?.stop();
});

async function usedMemory(): Promise<number> {
  const info = await admin.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function profileKeys(profileId: string): Promise<string[]> {
  return admin.keys(`oom:{${profileId}}*`);
}

it('answers UNAVAILABLE (retryable) when Redis is out of memory, stores nothing, and recovers', async () => {
  const { token, profileId } = await t.session();
  const other = await t.session();
  expect(
    (await t.gql(TRACK, { e: [{ id: 'x1', type: 'Article Viewed' }] }, other.token)).errors,
  ).toBeUndefined();
  // Fill memory with data of someone else, then cap it below what is used.
  for (let i = 0; i < 40; i += 1) await admin.set(`junk:${i}`, 'x'.repeat(100_000));
  await admin.config('SET', 'maxmemory', String((await usedMemory()) - 1_000_000));
  await expect(admin.set('junk:probe', 'x')).rejects.toThrow(/^OOM/);

  const refused = await t.gql(TRACK, { e: events }, token);
  expect(refused.data ?? null).toBeNull();
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  expect(refused.errors?.[0]?.message).toMatch(/retry/);
  expect(await profileKeys(profileId)).toEqual([]);
  // Reads still answer: the profile reads as new, its content the fallback.
  const me = await t.gql('query { me { segments { key } } }', {}, token);
  expect(me.errors).toBeUndefined();
  expect(me.data).toEqual({ me: { segments: [] } });

  // Erasure still works: it only frees memory.
  expect(await profileKeys(other.profileId)).not.toEqual([]);
  expect((await t.gql('mutation { forgetMe }', {}, other.token)).data).toEqual({ forgetMe: true });
  expect(await profileKeys(other.profileId)).toEqual([]);

  // Memory freed: the same request (the client's retry) is stored, once.
  for (let i = 0; i < 40; i += 1) await admin.unlink(`junk:${i}`);
  const retried = await t.gql(TRACK, { e: events }, token);
  expect(retried.errors).toBeUndefined();
  expect(retried.data).toMatchObject({ track: { accepted: 2, duplicates: 0 } });
  const again = await t.gql(TRACK, { e: events }, token);
  expect(again.data).toMatchObject({ track: { accepted: 0, duplicates: 2 } });
  expect(await profileKeys(profileId)).not.toEqual([]);
});
