/**
 * Server API keys in a real Strapi: created through the admin API by an admin holding
 * `plugin::personalize.api-keys.manage` (refused to one without it), never shown again nor
 * stored in clear, used with `fetch` on `POST /personalize/api/v1/traits`, and the user's live
 * subscription over a real WebSocket gets the trait-based segment pushed. Rotation keeps the old
 * secret for its grace; revocation, and a change announced by another instance on the bus, take
 * effect within a second.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { createPersonalizer } from '../../engine';
import type { Personalizer } from '../../engine/types';
import { systemClock } from '../../engine/types';
import { hashApiKey } from '../../server/api-keys';
import { TokenSigner } from '../../server/tokens';
import { adminSession } from './support/admin';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const TOKEN_SECRET = 'test-profile-token-secret-0123456789';
const API_KEY_UID = 'plugin::personalize.api-key';

interface KeyView {
  documentId: string;
  keyId: string;
  prefix: string;
  name: string;
  scopes: string[];
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
  key?: string;
}

describe('server API keys in Strapi', () => {
  let app: BootedStrapi;
  let superAdmin: string;
  let editor: string;
  let client: Client | undefined;
  let otherInstance: Personalizer | undefined;
  const keyPrefix = `test-api-keys-${process.pid}:`;

  beforeAll(async () => {
    app = await bootStrapi({ redisUrl: inject('redisUrl'), keyPrefix });
    await app.strapi.documents('plugin::personalize.segment' as never).create({
      data: {
        key: 'gold',
        name: 'Gold plan',
        priority: 10,
        enabled: true,
        rule: { traits: { plan: 'gold' } },
      },
    } as never);
    superAdmin = (await adminSession(app.strapi, app.baseUrl, 'strapi-super-admin')).token;
    editor = (await adminSession(app.strapi, app.baseUrl, 'strapi-editor')).token;
  });

  afterAll(async () => {
    await client?.dispose();
    await otherInstance?.close();
    await app?.stop();
  });

  async function admin(method: string, path: string, token: string, body?: unknown) {
    const response = await fetch(`${app.baseUrl}/personalize${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as { data?: unknown; error?: unknown } };
  }

  async function setTraits(key: string, userId: string, traits: Record<string, unknown>) {
    const response = await fetch(`${app.baseUrl}/personalize/api/v1/traits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId, traits }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Polls until `key` is refused with 401; returns how long it took. */
  async function refusedWithin(key: string, timeoutMs: number): Promise<number> {
    const start = Date.now();
    while ((await setTraits(key, 'someone', { plan: 'free' })).status !== 401) {
      if (Date.now() - start > timeoutMs) throw new Error(`the key still works after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - start;
  }

  it('refuses an admin without the permission', async () => {
    expect((await admin('GET', '/api-keys', editor)).status).toBe(403);
    expect(
      (await admin('POST', '/api-keys', editor, { data: { name: 'x', scopes: ['traits:write'] } })).status,
    ).toBe(403);
  });

  it('creates a key shown once, lists it without any hash, and validates the input', async () => {
    const bad = await admin('POST', '/api-keys', superAdmin, { data: { name: '', scopes: ['trait:write'] } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/name: must be 1 to 120 characters; scopes: must list/);

    const created = await admin('POST', '/api-keys', superAdmin, {
      data: { name: 'CRM', scopes: ['traits:write'] },
    });
    expect(created.status).toBe(201);
    const view = created.body.data as KeyView;
    expect(view.key).toMatch(new RegExp(`^pzk_${view.keyId}_[A-Za-z0-9_-]{43}$`));
    expect(view).toMatchObject({
      name: 'CRM',
      scopes: ['traits:write'],
      prefix: `pzk_${view.keyId}_`,
      revokedAt: null,
    });

    const listed = await admin('GET', '/api-keys', superAdmin);
    expect(listed.status).toBe(200);
    expect((listed.body.data as KeyView[]).map((key) => key.keyId)).toContain(view.keyId);
    expect(listed.text).not.toContain(view.key!);
    expect(listed.text).not.toContain(hashApiKey(view.key!));
    expect(listed.text).not.toMatch(/secretHash|[0-9a-f]{64}/);
    // Stored as its hash only.
    const row = (await app.strapi.db
      .query(API_KEY_UID as never)
      .findOne({ where: { keyId: view.keyId } })) as {
      secretHash: string;
    };
    expect(row.secretHash).toBe(hashApiKey(view.key!));
    expect(JSON.stringify(row)).not.toContain(view.key!);
  });

  it("sets traits with the key and the user's live subscription gets the segment pushed", async () => {
    const { body } = await admin('POST', '/api-keys', superAdmin, {
      data: { name: 'Billing', scopes: ['traits:write'] },
    });
    const { key } = body.data as KeyView;
    const userId = `member-${process.pid}`;
    const { token } = new TokenSigner({ secrets: [TOKEN_SECRET], clock: systemClock }).issue(
      `user:${userId}`,
    );
    client = createClient({
      url: `ws://127.0.0.1:${new URL(app.baseUrl).port}/personalize/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { token },
      retryAttempts: 0,
    });
    const pushes: Array<{ entered: string[]; segments: Array<{ key: string }> }> = [];
    const errors: unknown[] = [];
    client.subscribe<{ segmentsChanged: { entered: string[]; segments: Array<{ key: string }> } }>(
      { query: 'subscription { segmentsChanged { entered segments { key } } }' },
      {
        next: (result) => {
          if (result.errors) errors.push(result.errors);
          if (result.data) pushes.push(result.data.segmentsChanged);
        },
        error: (error) => errors.push(error),
        complete: () => {},
      },
    );
    await expect.poll(() => pushes.length).toBe(1);

    const answer = await setTraits(key!, userId, { plan: 'gold' });
    expect(answer).toEqual({
      status: 200,
      body: {
        profileId: `user:${userId}`,
        segments: [{ key: 'gold', name: 'Gold plan', since: expect.any(String), expiresAt: null }],
      },
    });
    await expect
      .poll(() => pushes.at(-1), { timeout: 5_000 })
      .toEqual({ entered: ['gold'], segments: [{ key: 'gold' }] });
    expect(errors).toEqual([]);

    // When it was last used is recorded off the request path (every minute; flushed here).
    const service = app.strapi.plugin('personalize').service('api-keys') as {
      flushLastUsed(): Promise<void>;
    };
    await service.flushLastUsed();
    const listed = (await admin('GET', '/api-keys', superAdmin)).body.data as Array<
      KeyView & { lastUsedAt: string | null }
    >;
    expect(listed.find((entry) => entry.name === 'Billing')?.lastUsedAt).not.toBeNull();
    expect(listed.find((entry) => entry.name === 'CRM')?.lastUsedAt).toBeNull();
  });

  it('rotates (the old secret works for the grace period) and revokes within a second', async () => {
    const { body } = await admin('POST', '/api-keys', superAdmin, {
      data: { name: 'Rotated', scopes: ['traits:write'] },
    });
    const first = body.data as KeyView;
    expect((await setTraits(first.key!, 'rotating', { plan: 'free' })).status).toBe(200);

    expect((await admin('POST', `/api-keys/${first.documentId}/rotate`, editor)).status).toBe(403);
    const rotated = await admin('POST', `/api-keys/${first.documentId}/rotate`, superAdmin);
    expect(rotated.status).toBe(200);
    const second = rotated.body.data as KeyView & { previousValidUntil: string };
    expect(second.keyId).toBe(first.keyId);
    expect(second.key).not.toBe(first.key);
    expect(second.rotatedAt).not.toBeNull();
    expect(Date.parse(second.previousValidUntil) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect((await setTraits(second.key!, 'rotating', { plan: 'free' })).status).toBe(200);
    expect((await setTraits(first.key!, 'rotating', { plan: 'free' })).status).toBe(200);

    expect((await admin('POST', `/api-keys/${first.documentId}/revoke`, editor)).status).toBe(403);
    const revoked = await admin('POST', `/api-keys/${first.documentId}/revoke`, superAdmin);
    expect(revoked.status).toBe(200);
    expect((revoked.body.data as KeyView).revokedAt).not.toBeNull();
    await refusedWithin(second.key!, 1_000);
    await refusedWithin(first.key!, 1_000);
    expect((await admin('POST', `/api-keys/${first.documentId}/rotate`, superAdmin)).status).toBe(400);
  });

  it('follows a change announced by another instance on the bus', async () => {
    const { body } = await admin('POST', '/api-keys', superAdmin, {
      data: { name: 'Elsewhere', scopes: ['traits:write'] },
    });
    const { key, keyId } = body.data as KeyView;
    // Another instance revoked it: the row changed in the shared database, no announcement yet.
    await app.strapi.db
      .query(API_KEY_UID as never)
      .update({ where: { keyId }, data: { revokedAt: new Date() } });
    expect((await setTraits(key!, 'elsewhere', { plan: 'free' })).status).toBe(200);
    otherInstance = await createPersonalizer({
      rules: { segments: [] },
      redis: inject('redisUrl'),
      keyPrefix,
    });
    await otherInstance.broadcast('api-keys', { at: Date.now() });
    await refusedWithin(key!, 1_000);
  });

  it('refuses a key without the scope (403) and an unknown one (401)', async () => {
    const { body } = await admin('POST', '/api-keys', superAdmin, {
      data: { name: 'Reader', scopes: ['profiles:read'] },
    });
    expect((await setTraits((body.data as KeyView).key!, 'u', { plan: 'gold' })).status).toBe(403);
    expect(
      (await setTraits('pzk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'u', {})).status,
    ).toBe(401);
  });
});
