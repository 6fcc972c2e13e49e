/**
 * The plugin's admin API in the example CMS: a role without the plugin's permissions cannot list,
 * create, change, delete or simulate segments and scores (403 on every route but the tag options),
 * a read-only role cannot write, nobody unauthenticated gets anything, and a super admin can do it
 * all. Writes through the Content Manager's own routes cannot store what the plugin refuses.
 */
import fc from 'fast-check';
import type { Core } from '@strapi/strapi';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACTIONS } from '../../plugin/server/permissions';
import { adminSession } from '../strapi/support/admin';
import { bootStrapi, type BootedStrapi } from '../strapi/support/strapi-app';
import { HOSTILE_KEYS, own } from './support/hostile';

const SEGMENT_UID = 'plugin::personalize.segment';
const RULE = { count: 'page', within: '5m', is: { $gte: 2 } };

let app: BootedStrapi;
let superAdmin: string;
let segmentId: string;
let scoreId: string;
let homeId: string;

/** An admin in a new role holding exactly `actions`, logged in: its JWT. */
async function adminWith(strapi: Core.Strapi, baseUrl: string, actions: string[]): Promise<string> {
  const roles = strapi.service('admin::role') as unknown as {
    create(attributes: Record<string, unknown>): Promise<{ id: number }>;
    assignPermissions(id: number, permissions: Array<Record<string, unknown>>): Promise<unknown>;
  };
  const role = await roles.create({
    name: `Attack ${Math.random().toString(36).slice(2, 8)}`,
    description: 'test',
  });
  await roles.assignPermissions(
    role.id,
    actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] })),
  );
  const email = `attack-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const password = 'Test-password-1';
  await (
    strapi.service('admin::user') as unknown as { create(a: Record<string, unknown>): Promise<unknown> }
  ).create({
    email,
    firstname: 'Attack',
    lastname: 'Test',
    password,
    isActive: true,
    registrationToken: null,
    roles: [role.id],
  });
  const response = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { data?: { token?: string } };
  if (!body.data?.token) throw new Error(`login failed: ${response.status} ${JSON.stringify(body)}`);
  return body.data.token;
}

function call(method: string, path: string, token: string | null, body?: unknown): Promise<Response> {
  return fetch(`${app.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Every route of plugin/server/routes/admin.ts, with a body a permitted caller would send. */
function routes(): Array<{
  method: string;
  path: string;
  body?: unknown;
  permission: 'any' | 'read' | 'manage';
}> {
  return [
    { method: 'GET', path: '/personalize/segment-options', permission: 'any' },
    { method: 'GET', path: '/personalize/segments', permission: 'read' },
    { method: 'GET', path: `/personalize/segments/${segmentId}`, permission: 'read' },
    { method: 'GET', path: '/personalize/scores', permission: 'read' },
    { method: 'GET', path: `/personalize/preview/api::home-page.home-page/${homeId}`, permission: 'read' },
    {
      method: 'POST',
      path: '/personalize/simulate',
      body: { segment: { key: 'try', name: 'Try', rule: RULE }, steps: [{ event: { type: 'page' } }] },
      permission: 'read',
    },
    {
      method: 'POST',
      path: '/personalize/segments',
      body: { data: { key: 'intruder', name: 'Intruder', priority: 1, enabled: true, rule: RULE } },
      permission: 'manage',
    },
    {
      method: 'PUT',
      path: `/personalize/segments/${segmentId}`,
      body: { data: { enabled: false } },
      permission: 'manage',
    },
    {
      method: 'POST',
      path: '/personalize/scores',
      body: { data: { key: 'intruder-score', name: 'I', within: '1d', points: [{ event: 'page', add: 1 }] } },
      permission: 'manage',
    },
    {
      method: 'PUT',
      path: `/personalize/scores/${scoreId}`,
      body: { data: { within: '2d' } },
      permission: 'manage',
    },
    { method: 'DELETE', path: `/personalize/segments/${segmentId}`, permission: 'manage' },
    { method: 'DELETE', path: `/personalize/scores/${scoreId}`, permission: 'manage' },
  ];
}

/** What the database holds for the plugin's content types. */
async function stored(): Promise<unknown> {
  const read = (uid: string) => app.strapi.documents(uid as never).findMany({} as never);
  return { segments: await read(SEGMENT_UID), scores: await read('plugin::personalize.score') };
}

beforeAll(async () => {
  app = await bootStrapi({ redisUrl: inject('redisUrl'), keyPrefix: `atk-strapi-${process.pid}:` });
  superAdmin = (await adminSession(app.strapi, app.baseUrl, 'strapi-super-admin')).token;
  const segment = await call('POST', '/personalize/segments', superAdmin, {
    data: { key: 'page-lovers', name: 'Page lovers', priority: 5, enabled: true, rule: RULE },
  });
  expect(segment.status).toBe(201);
  segmentId = ((await segment.json()) as { data: { documentId: string } }).data.documentId;
  const score = await call('POST', '/personalize/scores', superAdmin, {
    data: { key: 'reading', name: 'Reading', within: '7d', points: [{ event: 'Article Viewed', add: 2 }] },
  });
  expect(score.status).toBe(201);
  scoreId = ((await score.json()) as { data: { documentId: string } }).data.documentId;
  const home = (await app.strapi
    .documents('api::home-page.home-page' as never)
    .create({ data: { title: 'Home', blocks: [] }, status: 'published' } as never)) as { documentId: string };
  homeId = home.documentId;
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

describe('admin API permissions', () => {
  it('refuses every route but the tag options to a role without the plugin permissions, changing nothing', async () => {
    const token = await adminWith(app.strapi, app.baseUrl, []);
    const before = await stored();
    for (const route of routes()) {
      const response = await call(route.method, route.path, token, route.body);
      expect(response.status, `${route.method} ${route.path}`).toBe(route.permission === 'any' ? 200 : 403);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses everything to callers without an admin session, or with a forged one', async () => {
    const before = await stored();
    const forged = `${superAdmin.slice(0, -4)}${superAdmin.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    for (const token of [null, forged, 'garbage']) {
      for (const route of routes()) {
        const response = await call(route.method, route.path, token, route.body);
        expect(response.status, `${route.method} ${route.path} with ${String(token).slice(0, 8)}`).toBe(401);
      }
    }
    expect(await stored()).toEqual(before);
  });

  it('lets a read-only role read and simulate, and refuses its writes', async () => {
    const token = await adminWith(app.strapi, app.baseUrl, [ACTIONS.read]);
    const before = await stored();
    for (const route of routes()) {
      const response = await call(route.method, route.path, token, route.body);
      expect(response.status, `${route.method} ${route.path}`).toBe(
        route.permission === 'manage' ? 403 : 200,
      );
    }
    expect(await stored()).toEqual(before);
  });
});

describe('validation cannot be bypassed', () => {
  it('refuses hostile rules through the admin API with a 400 naming the problem, storing nothing', async () => {
    const before = await stored();
    const hostile = fc.oneof(
      fc.constantFrom(...HOSTILE_KEYS).map((key) => own(key, RULE)),
      fc.constantFrom(...HOSTILE_KEYS).map((key) => ({ traits: own(key, { polluted: true }) })),
      fc.integer({ min: 33, max: 200 }).map((depth) => {
        let node: unknown = RULE;
        for (let level = 0; level < depth; level++) node = { not: node };
        return node;
      }),
      fc.constantFrom('(a+)+$', '(a|aa)+$').map((pattern) => ({ traits: { email: { $regex: pattern } } })),
      fc.anything({ maxDepth: 2 }).filter((value) => value !== undefined),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (rule) => {
        const response = await call('POST', '/personalize/segments', superAdmin, {
          data: { key: 'hostile', name: 'Hostile', priority: 1, enabled: true, rule },
        });
        expect(response.status, JSON.stringify(rule)?.slice(0, 80)).toBe(400);
        const body = (await response.json()) as { error: { message: string } };
        expect(body.error.message).toMatch(/\S/);
      }),
      { numRuns: 25 },
    );
    // Other attributes than the writable ones are refused, not ignored.
    const extra = await call('POST', '/personalize/segments', superAdmin, {
      data: { key: 'sneaky', name: 'S', priority: 1, enabled: true, rule: RULE, createdBy: 1, id: 1 },
    });
    expect(extra.status).toBe(400);
    expect(await stored()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses through the Content Manager's routes what the plugin refuses", async () => {
    const before = await stored();
    const base = `/content-manager/collection-types/${SEGMENT_UID}`;
    const bad = {
      key: 'cm-bad',
      name: 'CM',
      priority: 1,
      enabled: true,
      rule: { count: 'page', within: 'ages', is: { $gt: 1 } },
    };
    const created = await call('POST', base, superAdmin, bad);
    // Hidden from the Content Manager: no role, not even the super admin's, holds its actions (403).
    expect([400, 403], await created.clone().text()).toContain(created.status);
    const updated = await call('PUT', `${base}/${segmentId}`, superAdmin, { ...bad, key: 'page-lovers' });
    expect([400, 403], await updated.clone().text()).toContain(updated.status);
    // A role without any permission gets nothing there either.
    const token = await adminWith(app.strapi, app.baseUrl, []);
    for (const [method, path, body] of [
      ['GET', base, undefined],
      ['POST', base, { ...bad, rule: RULE }],
      ['DELETE', `${base}/${segmentId}`, undefined],
    ] as const)
      expect((await call(method, path, token, body)).status, `${method} ${path}`).toBe(403);
    expect(await stored()).toEqual(before);
    // And the document service itself refuses it, whoever calls it.
    await expect(app.strapi.documents(SEGMENT_UID as never).create({ data: bad } as never)).rejects.toThrow(
      /rule\.within/,
    );
  });
});

// Last: it deletes the segment and score the other tests refer to.
describe('the super admin', () => {
  it('lets the super admin use every route', async () => {
    for (const route of routes()) {
      const response = await call(route.method, route.path, superAdmin, route.body);
      const expected = route.method === 'POST' && route.path !== '/personalize/simulate' ? 201 : 200;
      expect(response.status, `${route.method} ${route.path}: ${await response.clone().text()}`).toBe(
        expected,
      );
    }
  });
});
