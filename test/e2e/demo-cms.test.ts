/**
 * `npm run demo` as a newcomer runs it, in CMS mode: the demo builds the client and the SPA, starts
 * the example Strapi CMS with the plugin (seeded on this first start, in a fresh SQLite file), serves
 * the SPA, and prints the URLs and the admin login. Then, in real Chromium, the printed storefront
 * swaps its home banner live after 4 news articles, and the printed admin login lists the seeded
 * segments through the plugin's admin API.
 *
 * The other browser suite (live-swap) runs the same SPA against the standalone server for speed;
 * this one proves the product as shipped: Strapi, its content, its segments, its GraphQL endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_ADMIN, DEMO_ARTICLES, DEMO_SEGMENTS } from '../../example-site/seed/index.js';
import { freePort } from '../setup/redis-server.js';
import { launchChromium } from './support/chromium.js';
import { REPO } from './support/stack.js';

const RESULTS = join(REPO, 'test-results');
const NEWS = DEMO_ARTICLES.filter((article) => article.category === 'news').map((article) => article.slug);
/** The demo builds two packages and Strapi's admin panel before it answers: minutes on 2 cores. */
const START_TIMEOUT_MS = 540_000;

interface RunningDemo {
  child: ChildProcess;
  /** Everything the demo printed so far. */
  output: () => string;
  storefront: string;
  cms: string;
}

let demo: RunningDemo;
let dataDir: string;
let browser: Browser;

/** Starts `npm run demo`'s entry point; resolves when it prints its URLs. */
async function startDemo(env: Record<string, string>): Promise<RunningDemo> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'example-site/demo.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the demo's children (Strapi, builds) are stopped with it.
    detached: true,
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the demo did not start in time:\n${output.slice(-3000)}`)),
      START_TIMEOUT_MS,
    );
    const check = (): void => {
      if (!output.includes('Personalize demo is running')) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
  const url = (label: string): string => {
    const match = new RegExp(`${label}\\s+(http://\\S+)`).exec(output);
    if (!match) throw new Error(`the demo printed no ${label} URL:\n${output}`);
    return match[1]!;
  };
  return {
    child,
    output: () => output,
    storefront: url('storefront \\(SPA\\)'),
    cms: url('Strapi admin').replace(/\/admin$/, ''),
  };
}

/** Stops the demo as Ctrl-C would (it stops its children), then makes sure the group is gone. */
async function stopDemo(running: RunningDemo): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const forced = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 15_000);
  await exited;
  clearTimeout(forced);
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'personalize-demo-'));
  demo = await startDemo({
    REDIS_URL: inject('redisUrl'),
    PERSONALIZE_KEY_PREFIX: `e2e-demo-${process.pid}:`,
    DATABASE_FILENAME: join(dataDir, 'data.db'),
    DEMO_PORT: String(await freePort()),
    CMS_PORT: String(await freePort()),
  });
  browser = await launchChromium();
}, START_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await browser?.close();
  if (demo) await stopDemo(demo);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** Resolves when the home banner of `page` shows `segment`'s variant. */
async function bannerShows(page: Page, segment: string): Promise<void> {
  await page.waitForSelector(`[data-testid="home-banner"][data-segment="${segment}"]`, { timeout: 15_000 });
}

describe('npm run demo (CMS mode)', () => {
  it('says which store it uses and prints the admin login', () => {
    expect(demo.output()).toContain('[demo] profile store: Redis at');
    expect(demo.output()).toContain(`${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`);
  });

  it('the printed admin login lists every seeded segment through the plugin admin API', async () => {
    const login = await fetch(`${demo.cms}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password }),
    });
    expect(login.status).toBe(200);
    const { data } = (await login.json()) as { data: { token: string } };
    const list = await fetch(`${demo.cms}/personalize/segments`, {
      headers: { authorization: `Bearer ${data.token}` },
    });
    expect(list.status).toBe(200);
    const segments = ((await list.json()) as { data: Array<{ key: string }> }).data;
    expect(segments.map((segment) => segment.key).sort()).toEqual(
      DEMO_SEGMENTS.map((segment) => segment.key).sort(),
    );
  });

  it('the storefront swaps the open home banner to breaking-news after 4 news articles, without a reload', async () => {
    const context = await browser.newContext();
    const home = await context.newPage();
    await home.goto(`${demo.storefront}/`);
    await home.waitForSelector('[data-testid="home-banner"][data-document]');
    expect(await home.getAttribute('[data-testid="home-banner"]', 'data-segment')).not.toBe('breaking-news');
    await home.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));

    const reader = await context.newPage();
    for (const slug of NEWS.slice(0, 4)) {
      await reader.goto(`${demo.storefront}/articles/${slug}`);
      await reader.waitForSelector('[data-testid="article"]');
    }
    await bannerShows(home, 'breaking-news');
    expect(await home.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(
      true,
    );
    await home.waitForSelector('[data-testid="why-panel"] [data-segment="breaking-news"]');
    await home.screenshot({ path: join(RESULTS, 'demo-cms-breaking-news.png'), fullPage: true });
    await context.close();
  });
});
