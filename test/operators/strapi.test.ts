/**
 * The operator routes mounted by the Strapi plugin, in one real Strapi boot: health and readiness
 * without any authentication, metrics refused without the configured token and served with it,
 * after a `track` through the plugin's own GraphQL endpoint.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bootStrapi, type BootedStrapi } from '../strapi/support/strapi-app';
import { sample } from './support/stack';

const TOKEN = 'strapi-metrics-token-0123456789';

describe('operator routes in Strapi', () => {
  let app: BootedStrapi;

  beforeAll(async () => {
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-operators-${process.pid}:`,
      env: { PERSONALIZE_METRICS_TOKEN: TOKEN },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const get = (path: string, bearer?: string) =>
    fetch(`${app.baseUrl}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  async function graphql(query: string, variables: Record<string, unknown> = {}, bearer?: string) {
    const response = await fetch(`${app.baseUrl}/personalize/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  }

  it('answers health and readiness without authentication', async () => {
    const health = await get('/personalize/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await get('/personalize/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves metrics with the configured token only, counting the endpoint traffic', async () => {
    expect((await get('/personalize/metrics')).status).toBe(401);
    expect((await get('/personalize/metrics', 'some-other-token-0123456789')).status).toBe(401);

    const session = await graphql('mutation { startSession { token } }');
    const { token } = (session.data as { startSession: { token: string } }).startSession;
    const events = [1, 2].map(() => ({ id: randomUUID(), type: 'Article Viewed', properties: {} }));
    const tracked = await graphql(
      'mutation($events: [EventInput!]!) { track(events: $events) { accepted } }',
      { events },
      token,
    );
    expect(tracked).toEqual({ data: { track: { accepted: 2 } } });
    expect(
      (await graphql('mutation($events: [EventInput!]!) { track(events: $events) { accepted } }', { events }))
        .errors,
    ).toBeDefined();

    const response = await get('/personalize/metrics', TOKEN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'personalize_events_accepted_total')).toBe(2);
    expect(sample(text, 'personalize_events_refused_total', { reason: 'unauthenticated' })).toBe(2);
    expect(sample(text, 'personalize_rule_evaluation_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'personalize_live_subscriptions')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
