/**
 * The plugin's admin API in the example CMS: a role without the plugin's permissions cannot list,
 * create, change, delete or simulate segments and scores (403 on every route but the tag options),
 * a read-only role cannot write nor simulate a rule of its own, nobody unauthenticated gets
 * anything, and a super admin can do it all. Writes through the Content Manager's own routes cannot
 * store what the plugin refuses. Simulate's inputs are bounded (400 naming the path) and its
 * regexes run in linear time.
 */
import fc from 'fast-check';
import type { Core } from '@strapi/strapi';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACTIONS } from '../../plugin/server/permissions';
import { adminInRole, adminSession } from '../strapi/support/admin';
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
  return (
    await adminInRole(strapi, baseUrl, role.id, { prefix: 'attack', firstname: 'Attack', lastname: 'Test' })
  ).token;
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
      // The stored rule of a stored segment: reading is enough.
      method: 'POST',
      path: '/personalize/simulate',
      body: {
        segment: { key: 'page-lovers', name: 'Page lovers', rule: RULE },
        steps: [{ event: { type: 'page' } }],
      },
      permission: 'read',
    },
    {
      // A rule of one's own (an unsaved edit, a new segment): running it needs the manage permission.
      method: 'POST',
      path: '/personalize/simulate',
      body: { segment: { key: 'try', name: 'Try', rule: RULE }, steps: [{ event: { type: 'page' } }] },
      permission: 'manage',
    },
    {
      method: 'POST',
      path: '/personalize/simulate',
      body: {
        segment: { key: 'page-lovers', name: 'Page lovers', rule: { ...RULE, within: '6m' } },
        steps: [{ event: { type: 'page' } }],
      },
      permission: 'manage',
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

  it('lets a read-only role read and simulate stored rules, and refuses its writes and its own rules', async () => {
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
      fc
        .constantFrom('(a)\\1', '(?=a)b', '(?<!a)b', '\\pL{1000}', 'a'.repeat(257))
        .map((pattern) => ({ traits: { email: { $regex: pattern } } })),
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

describe('simulate', () => {
  const simulate = (token: string, rule: unknown, steps: unknown[]) =>
    call('POST', '/personalize/simulate', token, { segment: { key: 'try', name: 'Try', rule }, steps });
  const traitRule = (pattern: string) => ({ traits: { bio: { $regex: pattern } } });

  it('runs a pattern that backtracks catastrophically in JavaScript in linear time', async () => {
    const manager = await adminWith(app.strapi, app.baseUrl, [ACTIONS.read, ACTIONS.manage]);
    const started = performance.now();
    const response = await simulate(manager, traitRule('.*.*.*.*x'), [
      { traits: { bio: 'a'.repeat(1_024) } },
      { after: '1m', traits: { bio: `${'a'.repeat(1_000)}x` } },
    ]);
    const elapsed = performance.now() - started;
    expect(response.status, await response.clone().text()).toBe(200);
    const { data } = (await response.json()) as { data: Array<{ member: boolean }> };
    expect(data.map((step) => step.member)).toEqual([false, true]);
    // The same request took seconds to minutes on a backtracking engine; a whole HTTP round trip here.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('refuses oversized inputs with a 400 naming the path, for every role', async () => {
    const manager = await adminWith(app.strapi, app.baseUrl, [ACTIONS.read, ACTIONS.manage]);
    const cases: Array<[string, unknown, unknown[], RegExp]> = [
      [
        'a long trait',
        traitRule('x'),
        [{ traits: { bio: 'a'.repeat(1_025) } }],
        /steps\[0\]\.traits\.bio: is 1025 characters long/,
      ],
      [
        'a long context value',
        RULE,
        [{ context: { page: { path: 'p'.repeat(5_000) } } }],
        /steps\[0\]\.context\.page\.path/,
      ],
      [
        'too many trait keys',
        RULE,
        [{ traits: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`t${i}`, i])) }],
        /steps\[0\]\.traits: has 65 keys/,
      ],
      [
        'a deep trait',
        RULE,
        [{ traits: { a: { b: { c: { d: { e: { f: 1 } } } } } } }],
        /steps\[0\]\.traits\.a\.b\.c\.d\.e: nests deeper/,
      ],
      [
        'a large event',
        RULE,
        [{ event: { type: 'page', properties: { text: 'x'.repeat(1_025) } } }],
        /steps\[0\]\.event\.properties\.text/,
      ],
      [
        'too many steps',
        RULE,
        Array.from({ length: 201 }, () => ({ event: { type: 'page' } })),
        /steps: at most 200 steps/,
      ],
      [
        'a huge rule',
        { any: Array.from({ length: 3_000 }, (_, i) => ({ traits: { [`k${i}`]: 'v'.repeat(20) } })) },
        [{}],
        /segment\.rule: \d+ bytes as JSON \(at most 65536\)/,
      ],
      ['a long regex', traitRule('a'.repeat(257)), [{}], /pattern longer than 256 characters/],
      ['a backreference', traitRule('(a)\\1'), [{}], /backreferences/],
    ];
    for (const [label, rule, steps, message] of cases) {
      const response = await simulate(manager, rule, steps);
      expect(response.status, label).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message, label).toMatch(message);
    }
    // A reader replaying the stored rule is held to the same bounds.
    const reader = await adminWith(app.strapi, app.baseUrl, [ACTIONS.read]);
    const response = await call('POST', '/personalize/simulate', reader, {
      segment: { key: 'page-lovers', name: 'Page lovers', rule: RULE },
      steps: [{ traits: { bio: 'a'.repeat(1_025) } }],
    });
    expect(response.status).toBe(400);
  });

  it("refuses a reader's own rule with a 403 that says which permission it needs", async () => {
    const reader = await adminWith(app.strapi, app.baseUrl, [ACTIONS.read]);
    const response = await simulate(reader, traitRule('.*.*.*.*x'), [{ traits: { bio: 'a'.repeat(200) } }]);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/Manage segments and rules/);
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
