/**
 * Redis unreachable (stopped, or frozen so that connections stay open and nothing answers): the
 * page still renders. Content queries answer with the fallback variants and say so in
 * `extensions.personalize.degraded`; `track` and `me` answer the retryable `UNAVAILABLE`; every
 * request is answered within 2 s (ioredis neither waits nor queues without bound); nothing
 * crashes; and personalization is back once Redis is.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../server/protocol';
import type { RedisProcess } from './support/redis-process';
import { errorCode, newsView, startOnOwnRedis, TRACK, type Answer, type Stack } from './support/stack';

const BANNER = '{ banner(placement: home) { title } }';
/**
 * The deadline of one answer while Redis is away: the page must still render. A stopped Redis
 * fails commands at once, a frozen one within the 1 s read deadline or one 1.5 s reconnection attempt.
 */
const RENDER_DEADLINE_MS = 2500;

let redis: RedisProcess;
let stack: Stack;
let token: string;
let close: (() => Promise<void>) | undefined;
const unhandled: unknown[] = [];

beforeAll(async () => {
  ({ redis, stack, close } = await startOnOwnRedis(unhandled));
  token = await stack.session();
  // Three news views: the visitor is a breaking-news reader and sees that banner.
  const tracked = await stack.gql(TRACK, { events: [newsView(), newsView(), newsView()] }, token);
  expect(tracked.errors).toBeUndefined();
  expect(await bannerTitle()).toBe('Breaking: follow the news live');
});

afterEach(async () => {
  if (!redis.running) await redis.up();
  redis.pause(false);
});

afterAll(async () => {
  await close?.();
  expect(unhandled).toEqual([]);
});

/** POSTs with a deadline: an answer that takes longer than a page can wait fails the test. */
async function answerWithin(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${RENDER_DEADLINE_MS} ms`)),
      RENDER_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([stack.gql(query, variables, token), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function bannerTitle(): Promise<string> {
  const answer = await stack.gql(BANNER, {}, token);
  return (answer.data as { banner: { title: string } }).banner.title;
}

/** What every outage must look like from the outside. */
async function expectDegradedService(): Promise<void> {
  const page = await answerWithin(`{ banner(placement: home) { title } articles { title } }`);
  expect(page.errors).toBeUndefined();
  expect((page.data as { banner: { title: string } }).banner.title).toBe('Welcome to the store');
  expect(page.extensions).toEqual({ personalize: { degraded: 'profile-store-unavailable' } });

  // `me` is the profile itself: no fallback, a retryable refusal.
  const me = await answerWithin('{ me { id } }');
  expect(errorCode(me)).toBe(ErrorCode.Unavailable);
  expect(me.errors![0]!.extensions!.retryable).toBe(true);

  // A burst of tracks: each one answered, retryable, none left waiting in a queue.
  const tracks = await Promise.all(
    Array.from({ length: 50 }, () => answerWithin(TRACK, { events: [newsView()] })),
  );
  for (const answer of tracks) {
    expect(errorCode(answer)).toBe(ErrorCode.Unavailable);
    expect(answer.errors![0]!.extensions!.retryable).toBe(true);
  }
  // No Redis needed: still served normally.
  const anonymous = await stack.gql(BANNER);
  expect(anonymous.extensions).toBeUndefined();
  expect(await stack.session()).toMatch(/^pz1\./);
}

/** Once Redis is back, the visitor's own content returns (within the 2 s the brief allows). */
async function expectRecovery(): Promise<void> {
  const deadline = Date.now() + 2000;
  let title = '';
  while (Date.now() < deadline) {
    title = await bannerTitle().catch(() => '');
    if (title === 'Breaking: follow the news live') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(title).toBe('Breaking: follow the news live');
  const page = await stack.gql(BANNER, {}, token);
  expect(page.extensions).toBeUndefined();
}

describe('Redis unreachable', () => {
  it('stopped: fallback content flagged as degraded, retryable track, recovery when it is back', async () => {
    await redis.down('SIGKILL');
    await expectDegradedService();
    await redis.up();
    await expectRecovery();
    expect(stack.errors.filter((line) => line.includes('unexpected error'))).toEqual([]);
  });

  it('frozen (connections open, no answers): commands time out instead of hanging', async () => {
    redis.pause(true);
    await expectDegradedService();
    redis.pause(false);
    await expectRecovery();
    expect(stack.errors.filter((line) => line.includes('unexpected error'))).toEqual([]);
  });
});
