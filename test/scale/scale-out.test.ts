/**
 * Scale-out, for real: two instances of the example CMS (the plugin from this repository) in two
 * processes of their own, on one fresh PostgreSQL database and the run's 3-master Redis Cluster.
 *
 * Both instances start at the same moment on the empty database, as replicas of a deployment do:
 * the app's start-up lock (example-site/cms/src/startup-lock.js) makes one create the schema and
 * seed the demo while the other waits, so the second finds everything in place.
 *
 * What must hold across the two:
 * 1. events tracked on A reach a live subscriber connected to B (segment change and variant swap);
 * 2. a segment rule edited in A's admin API is in force on B;
 * 3. content published on A refreshes the snapshots of both instances.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { DEMO_ADMIN, DEMO_BANNERS, DEMO_SEGMENTS } from '../../example-site/seed/index.js';
import { Pushes } from '../graphql/support/harness.js';
import { startCms, type CmsProcess } from './support/cms-process.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';

const GRAPHQL = '/personalize/graphql';
/** How long an eventual effect on the other instance may take (a bus message, a reload). */
const EVENTUALLY_MS = 10_000;

interface GraphQLResult<T> {
  data?: T;
  errors?: Array<{ message: string }>;
}

/** A GraphQL operation over HTTP on one instance; fails the test on GraphQL errors. */
async function graphql<T>(
  instance: CmsProcess,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(`${instance.baseUrl}${GRAPHQL}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResult<T>;
  if (body.errors || !body.data)
    throw new Error(`${instance.name}: ${response.status} ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

async function startSession(instance: CmsProcess): Promise<string> {
  const data = await graphql<{ startSession: { token: string } }>(
    instance,
    'mutation { startSession { token } }',
  );
  return data.startSession.token;
}

interface TrackResult {
  entered: string[];
  exited: string[];
}

async function track(
  instance: CmsProcess,
  token: string,
  events: Array<{ type: string; properties?: Record<string, unknown> }>,
): Promise<TrackResult> {
  const data = await graphql<{ track: TrackResult }>(
    instance,
    'mutation($events: [EventInput!]!) { track(events: $events) { entered exited } }',
    { events: events.map((event) => ({ id: randomUUID(), ...event })) },
    token,
  );
  return data.track;
}

async function homeBannerTitle(instance: CmsProcess, token: string): Promise<string> {
  const data = await graphql<{ banner: { title: string } | null }>(
    instance,
    '{ banner(placement: "home") { title } }',
    {},
    token,
  );
  if (!data.banner) throw new Error(`${instance.name}: no home banner`);
  return data.banner.title;
}

/**
 * The admin JWT of the seeded demo editor (super admin) on an instance, logged in once per instance:
 * Strapi rate-limits `/admin/login` per address and e-mail.
 */
const adminTokens = new Map<CmsProcess, Promise<string>>();
function adminToken(instance: CmsProcess): Promise<string> {
  let token = adminTokens.get(instance);
  if (!token) {
    token = adminLogin(instance);
    adminTokens.set(instance, token);
  }
  return token;
}

async function adminLogin(instance: CmsProcess): Promise<string> {
  const response = await fetch(`${instance.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password }),
  });
  const body = (await response.json()) as { data?: { token?: string } };
  if (!response.ok || !body.data?.token)
    throw new Error(`admin login on ${instance.name} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.data.token;
}

/** One admin API call with the admin JWT; fails the test on a non-2xx answer. */
async function adminCall<T>(
  instance: CmsProcess,
  token: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${instance.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} on ${instance.name}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Retries `attempt` until it returns a value other than undefined, or fails with the last
 * observation after `timeoutMs`: for effects that travel through Redis to the other instance.
 */
async function eventually<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = EVENTUALLY_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not seen within ${timeoutMs} ms${last ? ` (last: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads pushes until one satisfies `accept`, skipping the others (intermediate states). */
async function nextMatching<T>(pushes: Pushes<T>, accept: (data: T) => boolean): Promise<T> {
  const deadline = Date.now() + EVENTUALLY_MS;
  for (;;) {
    const data = await pushes.nextData(Math.max(1, deadline - Date.now()));
    if (accept(data)) return data;
  }
}

describe('two CMS processes on one PostgreSQL database and a Redis Cluster', () => {
  let database: ScratchDatabase | undefined;
  const instances: CmsProcess[] = [];
  const sockets: Client[] = [];
  let a: CmsProcess;
  let b: CmsProcess;
  const keyPrefix = `scale-${randomBytes(4).toString('hex')}:`;
  const clusterNodes = inject('redisClusterNodes');

  /** A WebSocket (graphql-ws) client on `instance`, acting for the profile of `token`. */
  function socket(instance: CmsProcess, token: string): Client {
    const client = createClient({
      url: `${instance.baseUrl.replace(/^http/, 'ws')}${GRAPHQL}`,
      webSocketImpl: WebSocket,
      connectionParams: { token },
      retryAttempts: 0,
    });
    sockets.push(client);
    return client;
  }

  beforeAll(async () => {
    database = await createScratchDatabase();
    const env = {
      NODE_ENV: 'production',
      SERVE_ADMIN_PANEL: 'false',
      LOG_LEVEL: 'warn',
      STRAPI_TELEMETRY_DISABLED: 'true',
      BROWSER: 'none',
      DATABASE_CLIENT: 'postgres',
      DATABASE_HOST: database.host,
      DATABASE_PORT: String(database.port),
      DATABASE_NAME: database.name,
      DATABASE_USERNAME: database.user,
      DATABASE_PASSWORD: '',
      PERSONALIZE_REDIS_CLUSTER: clusterNodes.map(({ host, port }) => `${host}:${port}`).join(','),
      PERSONALIZE_KEY_PREFIX: keyPrefix,
      PERSONALIZE_TOKEN_SECRETS: 'scale-test-profile-token-secret-0123456789',
    };
    // At once, on the empty database: what the start-up lock is for.
    const started = await Promise.allSettled([startCms('A', env), startCms('B', env)]);
    for (const result of started) if (result.status === 'fulfilled') instances.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    [a, b] = instances as [CmsProcess, CmsProcess];
  }, 240_000);

  afterAll(async () => {
    await Promise.all(sockets.map((client) => client.dispose()));
    await Promise.all(instances.map((instance) => instance.stop()));
    await database?.drop();
  }, 60_000);

  it('seeded the shared database once', async () => {
    const token = await adminToken(a);
    const { data } = await adminCall<{ data: Array<{ key: string }> }>(
      a,
      token,
      'GET',
      '/personalize/segments',
    );
    // Each demo segment exactly once: the instance that waited for the lock created nothing.
    expect(data.map((segment) => segment.key).sort()).toEqual(
      DEMO_SEGMENTS.map((segment) => segment.key).sort(),
    );
    const banners = await adminCall<{ pagination: { total: number } }>(
      b,
      await adminToken(b),
      'GET',
      '/content-manager/collection-types/api::banner.banner',
    );
    expect(banners.pagination.total).toBe(DEMO_BANNERS.length);
  });

  it('events tracked on A are pushed to a live subscriber on B', async () => {
    const token = await startSession(a);
    const client = socket(b, token);
    const live = new Pushes<{ live: { banner: { title: string } } }>(
      client,
      'subscription { live { banner(placement: "home") { title } } }',
    );
    const changes = new Pushes<{ segmentsChanged: { entered: string[] } }>(
      client,
      'subscription { segmentsChanged { entered } }',
    );
    const breaking = DEMO_BANNERS.find((banner) => banner.segments.includes('breaking-news'))!.title;
    // Every (re)subscription starts with the current state.
    expect((await live.nextData(EVENTUALLY_MS)).live.banner.title).not.toBe(breaking);
    await changes.nextData(EVENTUALLY_MS);

    const views = Array.from({ length: 4 }, () => ({
      type: 'Article Viewed',
      properties: { category: 'news' },
    }));
    expect((await track(a, token, views)).entered).toContain('breaking-news');

    await nextMatching(changes, (data) => data.segmentsChanged.entered.includes('breaking-news'));
    await nextMatching(live, (data) => data.live.banner.title === breaking);

    // The profile lives in the cluster (three masters, no replicas: every given node), under this
    // suite's prefix.
    const keys = await Promise.all(
      clusterNodes.map(async (node) => {
        const client = new Redis(node);
        try {
          return await client.keys(`${keyPrefix}*`);
        } finally {
          client.disconnect();
        }
      }),
    );
    expect(keys.flat().length).toBeGreaterThan(0);
  });

  it('a segment rule edited in the admin API of A is in force on B', async () => {
    const admin = await adminToken(a);
    const { data: segments } = await adminCall<{ data: Array<{ key: string; documentId: string }> }>(
      a,
      admin,
      'GET',
      '/personalize/segments',
    );
    const target = segments.find((segment) => segment.key === 'high-interest')!;
    const setRule = (minimum: number) =>
      adminCall(a, admin, 'PUT', `/personalize/segments/${target.documentId}`, {
        data: { rule: { count: { event: 'Scale Probe' }, within: '10m', is: { $gte: minimum } } },
      });
    const probe = [{ type: 'Scale Probe' }];

    // Enters: one probe event is enough under the new rule, which B must have loaded from the bus.
    await setRule(1);
    const visitor = await startSession(b);
    await eventually('entering high-interest on B', async () =>
      (await track(b, visitor, probe)).entered.includes('high-interest') ? true : undefined,
    );
    const me = await graphql<{ me: { segments: Array<{ key: string }> } }>(
      b,
      '{ me { segments { key } } }',
      {},
      visitor,
    );
    expect(me.me.segments.map((segment) => segment.key)).toContain('high-interest');

    // Leaves: the same visitor's next event is judged by the stricter rule once B has it.
    await setRule(1_000);
    await eventually('leaving high-interest on B', async () =>
      (await track(b, visitor, probe)).exited.includes('high-interest') ? true : undefined,
    );
  });

  it('content published on A refreshes the snapshots of A and B', async () => {
    const visitor = await startSession(b);
    const shown = await homeBannerTitle(b, visitor);
    const live = new Pushes<{ live: { banner: { title: string } } }>(
      socket(b, visitor),
      'subscription { live { banner(placement: "home") { title } } }',
    );
    expect((await live.nextData(EVENTUALLY_MS)).live.banner.title).toBe(shown);

    // An editor on A changes the banner this visitor sees and publishes it (the Content Manager's calls).
    const admin = await adminToken(a);
    const model = '/content-manager/collection-types/api::banner.banner';
    const found = await adminCall<{ results: Array<{ documentId: string }> }>(
      a,
      admin,
      'GET',
      `${model}?filters[title][$eq]=${encodeURIComponent(shown)}`,
    );
    expect(found.results).toHaveLength(1);
    const { documentId } = found.results[0]!;
    const retitled = `Published on A at ${randomUUID().slice(0, 8)}`;
    await adminCall(a, admin, 'PUT', `${model}/${documentId}`, { title: retitled });
    await adminCall(a, admin, 'POST', `${model}/${documentId}/actions/publish`, {});

    await eventually('the new title on B', async () =>
      (await homeBannerTitle(b, visitor)) === retitled ? true : undefined,
    );
    await eventually('the new title on A', async () =>
      (await homeBannerTitle(a, visitor)) === retitled ? true : undefined,
    );
    await nextMatching(live, (data) => data.live.banner.title === retitled);
  });
});
