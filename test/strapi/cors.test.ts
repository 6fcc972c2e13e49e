/**
 * CORS on the plugin's path inside a real Strapi: Strapi's own `strapi::cors` (the example app keeps
 * Strapi's default, `origin: '*'` with credentials) answers every route, but on
 * `/personalize/graphql` the plugin's `cors.origins` decide (plugin/server/http/cors.ts): an
 * unlisted origin gets no `Access-Control-Allow-Origin`, on preflights and on requests, and a
 * request it makes with the visitor's `pz_token` cookie is refused.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const PATH = '/personalize/graphql';
const LISTED = 'https://shop.example';
const UNLISTED = 'https://evil.example';

describe('CORS on the endpoint in Strapi', () => {
  let app: BootedStrapi;
  let token: string;

  beforeAll(async () => {
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-strapi-cors-${process.pid}:`,
      env: { PERSONALIZE_CORS_ORIGINS: LISTED },
    });
    const response = await fetch(`${app.baseUrl}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { startSession { token } }' }),
    });
    token = ((await response.json()) as { data: { startSession: { token: string } } }).data.startSession
      .token;
  });
  afterAll(() => app?.stop());

  const preflight = (origin: string, path = PATH) =>
    fetch(`${app.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
  const post = (origin: string, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, ...headers },
      body: JSON.stringify({ query: '{ segments { key } }' }),
    });

  it('gives an unlisted origin no CORS headers, on the preflight and on the request', async () => {
    const answered = await preflight(UNLISTED);
    expect(answered.status).toBe(204);
    expect(answered.headers.get('access-control-allow-origin')).toBeNull();
    expect(answered.headers.get('access-control-allow-credentials')).toBeNull();
    const response = await post(UNLISTED);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('allows a listed origin with credentials', async () => {
    const answered = await preflight(LISTED);
    expect(answered.status).toBe(204);
    expect(answered.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(answered.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answered.headers.get('access-control-allow-methods')).toContain('POST');
    const response = await post(LISTED);
    expect(response.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it("refuses a cookie-authenticated request from an unlisted origin, serves the listed one's", async () => {
    const forged = await post(UNLISTED, { cookie: `pz_token=${token}` });
    expect(forged.status).toBe(403);
    const body = (await forged.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
    const listed = await post(LISTED, { cookie: `pz_token=${token}` });
    expect(listed.status).toBe(200);
    const broken = await post(LISTED, { cookie: 'pz_token=%E0%A4%A' });
    expect(broken.status).toBe(200);
  });

  it("leaves Strapi's own CORS settings to every other route", async () => {
    // The example app keeps Strapi's default `strapi::cors` (any origin): only our path is ours.
    const answered = await preflight(UNLISTED, '/api/articles');
    expect(answered.headers.get('access-control-allow-origin')).toBe(UNLISTED);
  });
});
