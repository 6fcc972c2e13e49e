/**
 * The editor's everyday work in the real admin panel, in Chromium: log in, create a segment with
 * the visual rule builder, tag a banner with it through the segments field, publish. A screenshot
 * of each step is kept in test-results/strapi-admin/. The outcome is checked in the database, not
 * only on screen.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminSession } from './support/admin';
import { ADMIN_APP_DIR, ADMIN_DIST_DIR, ensureAdminBuild } from './support/admin-build';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const SHOTS = resolve(__dirname, '..', '..', 'test-results', 'strapi-admin');

describe('an editor in the Strapi admin', () => {
  let app: BootedStrapi;
  let browser: Browser;
  let page: Page;
  let login: { email: string; password: string };

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureAdminBuild();
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-strapi-admin-${process.pid}:`,
      appDir: ADMIN_APP_DIR,
      distDir: ADMIN_DIST_DIR,
    });
    login = await adminSession(app.strapi, app.baseUrl, 'strapi-super-admin');
    // test/e2e is an ES module package: its Chromium launcher (system Chromium only) is imported dynamically.
    const { launchChromium } = await import('../e2e/support/chromium.js');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(20_000);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('logs in', async () => {
    await page.goto(`${app.baseUrl}/admin/auth/login`);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await shot('1-login');
    await page.getByRole('button', { name: 'Login' }).click();
    await page.waitForURL(/\/admin(\/)?$/);
    await shot('2-home');
  });

  it('creates a segment with the visual rule builder', async () => {
    await page.goto(`${app.baseUrl}/admin/plugins/personalize`);
    await page.getByRole('button', { name: 'Create a segment' }).click();
    await page.getByLabel('Name').fill('Breaking news readers');
    await expect.poll(() => page.getByLabel('Key').inputValue()).toBe('breaking-news-readers');
    await page.getByLabel('Condition 1 event').fill('Article Viewed');
    await page.getByRole('button', { name: 'Add a property filter' }).click();
    await page.getByLabel('Condition 1 filter 1 property').fill('category');
    await page.getByLabel('Condition 1 filter 1 value').fill('news');
    await page.getByLabel('Condition 1 times').fill('3');
    await shot('3-segment-builder');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Segment "Breaking news readers" saved').waitFor();
    await shot('4-segment-saved');

    const stored = await app.strapi.db
      .query('plugin::personalize.segment')
      .findOne({ where: { key: 'breaking-news-readers' } });
    expect(stored?.rule).toEqual({
      count: { event: 'Article Viewed', where: { category: 'news' } },
      within: '10m',
      is: { $gt: 3 },
    });
  });

  it('shows the compiler message when a rule cannot compile', async () => {
    await page.getByLabel('Condition 1 window').fill('10 mn');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('rule-error').textContent()).toContain('rule.within');
    await page.getByTestId('rule-error').scrollIntoViewIfNeeded();
    await shot('5-rule-error');
    await page.getByLabel('Condition 1 window').fill('10m');
  });

  it('tags a banner with the segment and publishes it', async () => {
    await page.goto(`${app.baseUrl}/admin/content-manager/collection-types/api::banner.banner/create`);
    await page.getByLabel('placement').fill('home');
    await page.getByLabel('title').fill('Breaking: read all about it');
    await page.getByRole('combobox', { name: 'Segments' }).click();
    await page.getByRole('option', { name: /Breaking news readers/ }).click();
    await page.keyboard.press('Escape');
    await shot('6-tagged-entry');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published document').waitFor();
    await shot('7-published');

    const published = (await app.strapi
      .documents('api::banner.banner' as never)
      .findFirst({ filters: { title: 'Breaking: read all about it' }, status: 'published' } as never)) as {
      segments: string[];
    } | null;
    expect(published?.segments).toEqual(['breaking-news-readers']);
  });
});
