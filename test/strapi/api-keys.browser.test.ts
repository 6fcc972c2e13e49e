/**
 * The API keys page in the real admin panel, in Chromium: a super admin opens Settings →
 * Personalize → API keys, creates a key (shown once), sees it listed by prefix (never a hash),
 * uses it on the server API, rotates it and revokes it. Screenshots in
 * test-results/strapi-admin-api-keys/.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../server/api-keys';
import { adminSession } from './support/admin';
import { ADMIN_APP_DIR, ADMIN_DIST_DIR, ensureAdminBuild } from './support/admin-build';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const SHOTS = resolve(__dirname, '..', '..', 'test-results', 'strapi-admin-api-keys');

describe('the API keys page', () => {
  let app: BootedStrapi;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const setTraits = async (key: string) =>
    (
      await fetch(`${app.baseUrl}/personalize/api/v1/traits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'browser-user', traits: { plan: 'gold' } }),
      })
    ).status;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureAdminBuild();
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-strapi-api-keys-admin-${process.pid}:`,
      appDir: ADMIN_APP_DIR,
      distDir: ADMIN_DIST_DIR,
    });
    const login = await adminSession(app.strapi, app.baseUrl, 'strapi-super-admin');
    const { launchChromium } = await import('../e2e/support/chromium.js');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(20_000);
    await page.goto(`${app.baseUrl}/admin/auth/login`);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.waitForURL(/\/admin(\/)?$/);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('creates a key shown once, lists it by prefix, rotates and revokes it', async () => {
    await page.goto(`${app.baseUrl}/admin/settings`);
    await page.getByRole('link', { name: 'API keys' }).first().click();
    await page.waitForURL(/\/admin\/settings\/personalize\/api-keys$/);
    await page.getByRole('button', { name: 'Create an API key' }).click();
    await page.getByLabel('API key name').fill('CRM sync');
    await page.getByRole('checkbox', { name: /profiles:read/ }).click();
    await shot('1-create');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    await page
      .getByText(/copy it now/)
      .waitFor()
      .catch(async (error: unknown) => {
        await shot('2-not-shown');
        throw error;
      });
    const shown = page.getByRole('textbox', { name: 'API key', exact: true });
    await expect.poll(() => shown.inputValue()).toMatch(/^pzk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const key = await shown.inputValue();
    await shot('2-shown-once');
    expect(await setTraits(key)).toBe(200);

    const keyId = key.slice(4, 16);
    const row = page.getByRole('row', { name: /CRM sync/ });
    await expect.poll(() => row.textContent()).toContain(`pzk_${keyId}_…`);
    expect(await row.textContent()).toContain('traits:write');
    expect(await row.textContent()).toContain('profiles:read');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain(key);
    expect(text).not.toContain(hashApiKey(key));
    await shot('3-listed');

    await row.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => shown.inputValue()).not.toBe(key);
    const rotated = await shown.inputValue();
    expect(rotated.startsWith(`pzk_${keyId}_`)).toBe(true);
    await expect.poll(() => row.textContent()).toContain('previous key works until');
    expect(await setTraits(rotated)).toBe(200);
    expect(await setTraits(key)).toBe(200);
    await shot('4-rotated');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    expect(await setTraits(rotated)).toBe(401);
    expect(await setTraits(key)).toBe(401);
    await shot('5-revoked');
  });
});
