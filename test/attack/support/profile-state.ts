/**
 * Reads everything Redis holds for one profile (every key under its `{id}` hash tag, TTLs left out),
 * so an attack test can assert that a refused request changed nothing at all, not merely nothing
 * the GraphQL view happens to show.
 */
import Redis from 'ioredis';
import { TestServer } from '../../graphql/support/harness';

/** Key -> content: hash fields sorted, sorted sets as `[member, score]` in order, sets sorted. */
export type ProfileState = Record<string, unknown>;

export class ProfileInspector {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  }

  /** Every key of `profileId` with its content. */
  async state(profileId: string): Promise<ProfileState> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.keyPrefix}:{${profileId}}:*`,
        'COUNT',
        500,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const state: ProfileState = {};
    for (const key of keys.sort()) state[key] = await this.read(key);
    return state;
  }

  /** Event ids of the profile's de-duplication set, with their timestamps. */
  async seen(profileId: string): Promise<Map<string, number>> {
    const flat = await this.redis.zrange(`${this.keyPrefix}:{${profileId}}:seen`, 0, -1, 'WITHSCORES');
    const seen = new Map<string, number>();
    for (let index = 0; index < flat.length; index += 2) seen.set(flat[index]!, Number(flat[index + 1]));
    return seen;
  }

  /** The raw profile hash. */
  hash(profileId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(`${this.keyPrefix}:{${profileId}}:h`);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }

  private async read(key: string): Promise<unknown> {
    const type = await this.redis.type(key);
    switch (type) {
      case 'hash': {
        const hash = await this.redis.hgetall(key);
        return Object.fromEntries(Object.entries(hash).sort(([a], [b]) => (a < b ? -1 : 1)));
      }
      case 'zset':
        return this.redis.zrange(key, 0, -1, 'WITHSCORES');
      case 'set':
        return (await this.redis.smembers(key)).sort();
      case 'string':
        return this.redis.get(key);
      default:
        return { type };
    }
  }
}

/** A test server on `redis` under `keyPrefix` and an inspector of its keys, closed together. */
export async function startInspected(
  redis: string,
  keyPrefix: string,
): Promise<{ t: TestServer; inspect: ProfileInspector; close(): Promise<void> }> {
  const t = await TestServer.start({ redis, keyPrefix });
  const inspect = new ProfileInspector(redis, keyPrefix);
  return {
    t,
    inspect,
    async close() {
      await inspect.close();
      await t.close();
    },
  };
}
