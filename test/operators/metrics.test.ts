/**
 * The Prometheus endpoint of the standalone wiring after real traffic: `track` over HTTP, live
 * subscriptions over a real graphql-ws WebSocket receiving a push, on the run's private Redis.
 * The token guards it (401 without, 404 when none is configured), and each counter and histogram
 * moves by what the traffic did. Two instances on one Redis count a membership change once: where
 * it was committed, not on every instance that pushed it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Pushes } from '../graphql/support/harness';
import { eventually, OperatorStack, sample } from './support/stack';

const TOKEN = 'metrics-token-for-tests-0123456789';
const LIVE = 'subscription { live { me { segments { key } } } }';
const CHANGES = 'subscription { segmentsChanged { entered } }';

type LiveData = { live: { me: { segments: Array<{ key: string }> } } };
const keys = (data: LiveData): string[] => data.live.me.segments.map((segment) => segment.key).sort();

/** Waits for the live push that shows `expected` memberships. */
async function pushShowing(live: Pushes<LiveData>, expected: string[]): Promise<void> {
  for (;;) if (JSON.stringify(keys(await live.nextData())) === JSON.stringify(expected)) return;
}

describe('the metrics endpoint', () => {
  let stack: OperatorStack;

  beforeAll(async () => {
    stack = await OperatorStack.start({ redis: inject('redisUrl'), metricsToken: TOKEN });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function scrape(): Promise<string> {
    const response = await stack.get('/personalize/metrics', TOKEN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  it('refuses a scrape without the token or with another one (401)', async () => {
    const missing = await stack.get('/personalize/metrics');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.text()).not.toContain('personalize_');
    const wrong = await stack.get('/personalize/metrics', `${TOKEN}-not`);
    expect(wrong.status).toBe(401);
  });

  it('counts events, evaluations, memberships and pushes of real traffic', async () => {
    const { token } = await stack.session();
    const client = stack.client(token);
    const live = new Pushes<LiveData>(client, LIVE);
    const changes = new Pushes<{ segmentsChanged: { entered: string[] } }>(client, CHANGES);
    expect(keys(await live.nextData())).toEqual([]);
    expect((await changes.nextData()).segmentsChanged.entered).toEqual([]);

    const before = await scrape();
    expect(sample(before, 'personalize_live_subscriptions')).toBe(2);
    expect(sample(before, 'personalize_websocket_connections')).toBe(1);
    expect(sample(before, 'personalize_push_latency_seconds_count')).toBe(0);

    // Three news views: enters `reader` (2+ views) and `breaking-news` (3+ news views), pushed live.
    const repeated = randomUUID();
    const tracked = await stack.track(token, [{ id: repeated }, {}, {}]);
    expect(tracked.errors).toBeUndefined();
    await pushShowing(live, ['breaking-news', 'reader']);
    expect((await changes.nextData()).segmentsChanged.entered.sort()).toEqual(['breaking-news', 'reader']);

    // One duplicate, and three kinds of refusal.
    expect((await stack.track(token, [{ id: repeated }])).data).toMatchObject({ track: { duplicates: 1 } });
    expect((await stack.track(undefined, [{}, {}])).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await stack.track(`${token}x`, [{}])).errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
    const invalid = await stack.track(token, [
      { properties: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } },
    ]);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const after = await scrape();
    expect(sample(after, 'personalize_events_accepted_total')).toBe(3);
    expect(sample(after, 'personalize_events_ignored_total', { reason: 'duplicate' })).toBe(1);
    expect(sample(after, 'personalize_events_refused_total', { reason: 'unauthenticated' })).toBe(2);
    expect(sample(after, 'personalize_events_refused_total', { reason: 'invalid_token' })).toBe(1);
    expect(sample(after, 'personalize_events_refused_total', { reason: 'invalid_event' })).toBe(1);
    expect(sample(after, 'personalize_memberships_entered_total', { segment: 'reader' })).toBe(1);
    expect(sample(after, 'personalize_memberships_entered_total', { segment: 'breaking-news' })).toBe(1);
    expect(sample(after, 'personalize_memberships_exited_total', { segment: 'reader' })).toBeUndefined();
    expect(sample(after, 'personalize_rule_evaluation_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'personalize_rule_evaluation_seconds_sum')).toBeGreaterThan(0);
    // Both subscriptions pushed the change: two frames timed from its commit.
    expect(sample(after, 'personalize_push_latency_seconds_count')).toBe(2);
    expect(sample(after, 'personalize_push_latency_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(sample(after, 'personalize_redis_errors_total')).toBe(0);
    // Process metrics, under their standard names.
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    // Erasure leaves every segment: counted as exits.
    expect((await stack.gql('mutation { forgetMe }', {}, token)).data).toEqual({ forgetMe: true });
    const erased = await scrape();
    expect(sample(erased, 'personalize_memberships_exited_total', { segment: 'reader' })).toBe(1);
    expect(sample(erased, 'personalize_memberships_exited_total', { segment: 'breaking-news' })).toBe(1);

    live.unsubscribe();
    changes.unsubscribe();
    await eventually(
      'subscriptions closed',
      async () => sample(await scrape(), 'personalize_live_subscriptions') === 0,
    );
  });
});

describe('metrics of two instances on one Redis', () => {
  let first: OperatorStack;
  let second: OperatorStack;
  afterEach(async () => {
    await first?.close();
    await second?.close();
  });

  it('count a membership change once, where it was committed, and time the push on the other', async () => {
    const keyPrefix = `op2${randomUUID().slice(0, 8)}`;
    first = await OperatorStack.start({ redis: inject('redisUrl'), keyPrefix, metricsToken: TOKEN });
    second = await OperatorStack.start({ redis: inject('redisUrl'), keyPrefix, metricsToken: TOKEN });
    const { token } = await first.session();
    // The visitor's socket is on the second instance; its events go to the first.
    const live = new Pushes<LiveData>(second.client(token), LIVE);
    expect(keys(await live.nextData())).toEqual([]);
    expect((await first.track(token, [{}, {}])).errors).toBeUndefined();
    await pushShowing(live, ['reader']);

    const scrapeOf = async (stack: OperatorStack) => (await stack.get('/personalize/metrics', TOKEN)).text();
    const [committed, pushed] = await Promise.all([scrapeOf(first), scrapeOf(second)]);
    expect(sample(committed, 'personalize_memberships_entered_total', { segment: 'reader' })).toBe(1);
    expect(sample(pushed, 'personalize_memberships_entered_total', { segment: 'reader' })).toBeUndefined();
    expect(sample(committed, 'personalize_events_accepted_total')).toBe(2);
    expect(sample(pushed, 'personalize_events_accepted_total')).toBe(0);
    expect(sample(pushed, 'personalize_push_latency_seconds_count')).toBe(1);
    expect(sample(committed, 'personalize_push_latency_seconds_count')).toBe(0);
    live.unsubscribe();
  });
});

describe('without a metrics token', () => {
  let stack: OperatorStack;
  beforeAll(async () => {
    stack = await OperatorStack.start();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('disables the metrics endpoint (404) and still answers health and readiness', async () => {
    const metrics = await stack.get('/personalize/metrics', TOKEN);
    expect(metrics.status).toBe(404);
    expect(await metrics.json()).toEqual({ error: 'metrics are disabled: no metrics token is configured' });
    const health = await stack.get('/personalize/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The embedded store has nothing remote to ask.
    const ready = await stack.get('/personalize/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const posted = await fetch(`${stack.baseUrl}/personalize/health`, { method: 'POST' });
    expect(posted.status).toBe(405);
  });
});
