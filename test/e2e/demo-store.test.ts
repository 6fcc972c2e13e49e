/** `npm run demo` picks its profile store as the issue says: REDIS_URL, else a local Redis that answers, else embedded. */
import { describe, expect, inject, it } from 'vitest';
import { chooseStore, describeStore } from '../../example-site/demo/store-choice.js';
import { freePort } from '../setup/redis-server.js';

describe('the demo store choice', () => {
  it('uses REDIS_URL when given, without probing anything', async () => {
    const choice = await chooseStore(
      { REDIS_URL: 'redis://:secret@redis.example:6380/2' },
      'redis://127.0.0.1:1',
    );
    expect(choice).toEqual({
      kind: 'redis',
      url: 'redis://:secret@redis.example:6380/2',
      source: 'REDIS_URL',
    });
    expect(describeStore(choice)).toBe('Redis at redis://:***@redis.example:6380/2 (from REDIS_URL)');
  });

  it('uses the local Redis when one answers', async () => {
    const local = inject('redisUrl');
    expect(await chooseStore({}, local)).toEqual({ kind: 'redis', url: local, source: 'local' });
  });

  it('takes the embedded store without probing when DEMO_STORE=embedded', async () => {
    expect(await chooseStore({ DEMO_STORE: 'embedded' }, inject('redisUrl'))).toEqual({
      kind: 'embedded',
      why: 'asked',
    });
  });

  it('falls back to the embedded store, quickly, when nothing answers', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const choice = await chooseStore({}, closed);
    expect(choice).toEqual({ kind: 'embedded', why: 'no Redis answered' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(describeStore(choice)).toMatch(/^embedded in-process store/);
  });
});
