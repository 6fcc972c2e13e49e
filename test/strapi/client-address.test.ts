/**
 * The client address inside a real Strapi behind a "proxy": with Koa's `proxy: true` (Strapi's
 * `server.proxy.koa`), Koa's `ctx.ip` is the leftmost `X-Forwarded-For` entry, which any client
 * writes. The plugin keys its per-address limits on the socket peer under its own `trustProxy`
 * (default `false`), so a session flood with a fresh spoofed address on every request is still
 * refused past the default burst.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/limits';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

describe('client address in Strapi with Koa proxy: true', () => {
  let app: BootedStrapi;

  beforeAll(async () => {
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-client-address-${process.pid}:`,
      env: { STRAPI_PROXY_KOA: 'true' },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('ignores a spoofed X-Forwarded-For: every request counts against the socket peer', async () => {
    // Koa believes the header here: what a handler reading ctx.ip would have keyed on.
    expect((app.strapi.server.app as unknown as { proxy: boolean }).proxy).toBe(true);
    const { burst } = DEFAULT_LIMITS.startSessionPerIp;
    const results: Array<{
      data?: { startSession?: unknown };
      errors?: Array<{ extensions?: Record<string, unknown> }>;
    }> = [];
    for (let request = 0; request < burst + 5; request++) {
      const response = await fetch(`${app.baseUrl}/personalize/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${request + 1}` },
        body: JSON.stringify({ query: 'mutation { startSession { token } }' }),
      });
      results.push((await response.json()) as (typeof results)[number]);
    }
    const started = results.filter((result) => result.data?.startSession);
    // One more token may refill meanwhile (one every 30 s by default).
    expect(started.length).toBeGreaterThanOrEqual(burst);
    expect(started.length).toBeLessThanOrEqual(burst + 1);
    const refused = results.filter((result) => !result.data?.startSession);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    for (const result of refused)
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        limit: 'startSessionPerIp',
      });
  });
});
