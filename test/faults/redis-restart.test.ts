/**
 * Redis restarted while events flow, with the persistence production needs (AOF,
 * `appendfsync always`): Redis is killed (SIGKILL, nothing flushed on the way out) and started
 * again on the same port and data directory.
 *
 * - Every event a `track` acknowledged is in the profile afterwards.
 * - Tracks that failed meanwhile are retried with the same event ids (what the client does), and
 *   nothing is counted twice: proven through GraphQL (sending every id again is all duplicates)
 *   and in the stored streams (one entry per distinct id).
 * - Open subscriptions resume within 2 s of Redis being back, and one whose pub/sub link was
 *   down while a change was made gets that change when the link returns (the bus resubscribes and
 *   live queries re-read; Redis pub/sub itself keeps nothing for an absent subscriber).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../server/protocol';
import { Pushes } from '../graphql/support/harness';
import type { RedisProcess } from './support/redis-process';
import { errorCode, newsView, startOnOwnRedis, TRACK, type Stack } from './support/stack';

/** How soon after Redis is back subscriptions must have caught up. */
const RESYNC_DEADLINE_MS = 2000;

type TrackData = { track: { accepted: number; duplicates: number } };
type Event = ReturnType<typeof newsView>;

let redis: RedisProcess;
let control: Redis;
let stack: Stack;
let close: (() => Promise<void>) | undefined;
const unhandled: unknown[] = [];

beforeAll(async () => {
  ({ redis, stack, close } = await startOnOwnRedis(unhandled));
});

afterAll(async () => {
  control?.disconnect();
  await close?.();
  expect(unhandled).toEqual([]);
});

/** One visitor sending news views one at a time, retrying failed ones with the same id. */
class Writer {
  readonly sent = new Set<string>();
  readonly acknowledged = new Set<string>();
  /** Tracks answered UNAVAILABLE (or not answered) and retried. */
  failures = 0;
  /** Retries the server acknowledged as duplicates: stored before, but the answer was lost. */
  duplicateAcks = 0;
  private readonly retry: Event[] = [];

  constructor(
    readonly token: string,
    readonly profileId: string,
  ) {}

  /** Sends until `stopped()`, then until every failed event was acknowledged. */
  async run(stopped: () => boolean): Promise<void> {
    for (;;) {
      const event = this.retry.shift() ?? (stopped() ? undefined : newsView());
      if (!event) return;
      this.sent.add(event.id);
      const answer = await stack.gql(TRACK, { events: [event] }, this.token).catch(() => null);
      const track = (answer?.data as TrackData | null | undefined)?.track;
      if (track) {
        this.acknowledged.add(event.id);
        this.duplicateAcks += track.duplicates;
        continue;
      }
      // Only "retry later" is an acceptable failure.
      if (answer) {
        expect(errorCode(answer)).toBe(ErrorCode.Unavailable);
        expect(answer.errors![0]!.extensions!.retryable).toBe(true);
      }
      this.failures += 1;
      this.retry.push(event);
      await sleep(20);
    }
  }
}

const total = (writers: Writer[], count: (writer: Writer) => number) =>
  writers.reduce((sum, writer) => sum + count(writer), 0);

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('Redis restarted while events flow', () => {
  it('keeps every acknowledged event, and retries count nothing twice', async () => {
    const writers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const { token, profileId } = await stack.visitor();
        return new Writer(token, profileId);
      }),
    );
    let stopped = false;
    const running = Promise.all(writers.map((writer) => writer.run(() => stopped)));

    await until(() => total(writers, (w) => w.acknowledged.size) >= 100, '100 acknowledged events');
    await redis.down('SIGKILL');
    await until(() => total(writers, (w) => w.failures) >= 8, 'tracks failing while Redis is down');
    await redis.up();
    const before = total(writers, (w) => w.acknowledged.size);
    await until(() => total(writers, (w) => w.acknowledged.size) >= before + 100, 'events after the restart');
    stopped = true;
    await running;

    for (const writer of writers) {
      // Every event was eventually acknowledged (the failed ones on retry, same id).
      expect(writer.acknowledged).toEqual(writer.sent);
      // Sending every id again through GraphQL: all known, none counted again.
      const ids = [...writer.sent];
      for (let start = 0; start < ids.length; start += 100) {
        const events = ids
          .slice(start, start + 100)
          .map((id) => ({ id, type: 'Article Viewed', properties: { category: 'news' } }));
        const again = await stack.gql(TRACK, { events }, writer.token);
        expect((again.data as TrackData).track).toEqual({ accepted: 0, duplicates: events.length });
      }
      // And each stream the events went to holds exactly one entry per distinct id.
      control ??= redis.connect();
      const streams = await control.keys(`${stack.keyPrefix}:{${writer.profileId}}:s:*`);
      expect(streams.length).toBeGreaterThan(0);
      for (const key of streams) expect(await control.zcard(key)).toBe(writer.sent.size);
    }
    expect(total(writers, (w) => w.failures)).toBeGreaterThan(0);
    expect(stack.errors.filter((line) => line.includes('unexpected error'))).toEqual([]);
  });
});

describe('live subscriptions across a Redis restart', () => {
  let token: string;
  let changes: Pushes<{ segmentsChanged: { entered: string[]; cause: string } }>;
  let live: Pushes<{ live: { banner: { title: string } } }>;

  beforeAll(async () => {
    token = await stack.session();
    const client = stack.client(token);
    changes = new Pushes(client, 'subscription { segmentsChanged { entered cause } }');
    live = new Pushes(client, 'subscription { live { banner(placement: home) { title } } }');
    expect((await changes.nextData()).segmentsChanged.cause).toBe('CURRENT');
    expect((await live.nextData()).live.banner.title).toBe('Welcome to the store');
    // One news view: not a reader yet (that takes two).
    expect(errorCode(await stack.gql(TRACK, { events: [newsView()] }, token))).toBeUndefined();
  });

  /** Tracks one event, retrying with its id until acknowledged (Redis may still be reconnecting). */
  async function trackUntilAcknowledged(event: Event, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await stack.gql(TRACK, { events: [event] }, token);
      if (answer.data) return;
      expect(errorCode(answer)).toBe(ErrorCode.Unavailable);
      if (Date.now() > deadline) throw new Error(`track still unavailable after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  it('resume after the restart: a change made then reaches the open subscriptions', async () => {
    await redis.down('SIGKILL');
    await sleep(300);
    await redis.up();
    const back = Date.now();
    await trackUntilAcknowledged(newsView());
    const left = () => Math.max(1, RESYNC_DEADLINE_MS - (Date.now() - back));
    expect((await changes.nextData(left())).segmentsChanged.entered).toEqual(['reader']);
    expect((await live.nextData(left())).live.banner.title).toBe('Readers: more stories inside');
  });

  it('get a change made while their pub/sub link was down once it is back', async () => {
    control ??= redis.connect();
    // Cut the subscriber connection and keep it out while the command connection stays: the
    // change below is published to nobody. `maxclients 1` refuses every new connection and keeps
    // the open ones, however many other connections open or close meanwhile.
    const list = (await control.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    const subscribers = list.trim().split('\n').length;
    await control.config('SET', 'maxclients', '1');
    try {
      expect(await control.client('KILL', 'TYPE', 'pubsub')).toBe(subscribers);
      await trackUntilAcknowledged(newsView()); // the third news view: breaking-news
      await sleep(300);
      expect(changes.pending).toBe(0);
    } finally {
      // Restored whatever happened, so a failure here fails clearly instead of starving the rest.
      await control.config('SET', 'maxclients', '10000');
    }
    const back = Date.now();
    const left = () => Math.max(1, RESYNC_DEADLINE_MS - (Date.now() - back));
    const missed = (await changes.nextData(left())).segmentsChanged;
    expect(missed).toEqual({ entered: ['breaking-news'], cause: 'CURRENT' });
    expect((await live.nextData(left())).live.banner.title).toBe('Breaking: follow the news live');
  });
});
