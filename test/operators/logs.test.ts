/**
 * No personal data in the logs. Every line the standalone's JSON logger writes is kept while a
 * visitor starts a session, tracks events, identifies, and then hits errors: an internal error
 * inside `track` (a Redis reply error, which carries the command's arguments: key names with the
 * profile id, the events' properties) and Redis going away. None of the visitor's values may
 * appear: profile id, user id, token, address, event properties, traits.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertionFor } from '../graphql/support/harness';
import { spawnRedis, type SpawnedRedis } from '../setup/redis-server';
import { OperatorStack } from './support/stack';

/** The visitor's own loopback address, distinct from Redis's 127.0.0.1. */
const VISITOR_ADDRESS = '127.0.0.57';

describe('logs of a track, identify and error flow', () => {
  let redis: SpawnedRedis;
  let stack: OperatorStack;
  const keyPrefix = `oplog${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    redis = await spawnRedis();
    stack = await OperatorStack.start({ redis: redis.url, keyPrefix });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('never contain a profile id, user id, token, address, event property or trait', async () => {
    const marker = randomUUID();
    const email = `visitor-${marker}@example.com`;
    const userId = `user-${marker}`;
    const traitValue = `trait-${marker}`;
    const property = `article-${marker}`;
    const anonymous = await stack.session(VISITOR_ADDRESS);
    const { profileId } = anonymous;
    let { token } = anonymous;

    const tracked = await stack.track(
      token,
      [{ properties: { category: 'news', email, slug: property } }],
      VISITOR_ADDRESS,
    );
    expect(tracked.errors).toBeUndefined();
    const identified = await stack.gql(
      'mutation($a: String!) { identify(assertion: $a) { session { token } profile { id } } }',
      { a: await assertionFor(userId, { traits: { name: traitValue, email } }) },
      token,
      VISITOR_ADDRESS,
    );
    expect(identified.errors).toBeUndefined();
    const { session, profile } = (
      identified.data as { identify: { session: { token: string }; profile: { id: string } } }
    ).identify;
    const userProfileId = profile.id;
    token = session.token;

    // An internal error: the user's de-duplication set replaced by a string, so the ingest script fails.
    const direct = new Redis(redis.url);
    await direct.set(`${keyPrefix}:{${userProfileId}}:seen`, 'not a sorted set');
    await direct.quit();
    const failed = await stack.track(
      token,
      [{ properties: { category: 'news', email, slug: property } }],
      VISITOR_ADDRESS,
    );
    expect(failed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');

    // Redis goes away: connection errors are logged, the visitor's next events are refused.
    await redis.stop();
    const refused = await stack.track(token, [{ properties: { email } }], VISITOR_ADDRESS);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

    const logged = stack.lines.join('\n');
    // The flow was logged: the internal error (with its stack) and the outage.
    expect(logged).toContain('unexpected error in a GraphQL operation');
    expect(logged).toContain('WRONGTYPE');
    expect(logged).toContain('Redis connection error');
    for (const line of stack.lines) expect(() => JSON.parse(line)).not.toThrow();
    // The error handed to the logger did carry the visitor's data: its cause, a Redis reply error,
    // keeps the command's arguments (key names hold the profile id). Printed whole, they would leak.
    const causes = stack.rawCalls
      .flat()
      .map((argument) => (argument as { originalError?: unknown })?.originalError);
    expect(inspect(causes, { depth: 6 })).toContain(userId);

    const personal = {
      profileId,
      anonymousUuid: profileId.replace(/^anon:/, ''),
      userId,
      userProfileId,
      token,
      tokenPayload: token.split('.')[2]!,
      address: VISITOR_ADDRESS,
      email,
      traitValue,
      property,
      marker,
    };
    for (const [what, value] of Object.entries(personal))
      expect(logged.includes(value), `${what} in the logs:\n${logged}`).toBe(false);
  });
});
