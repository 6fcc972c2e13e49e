/**
 * The demo working end to end in real Chromium: the built SPA, the standalone GraphQL server over
 * the seed fixtures, the run's private Redis. Variants swap on open pages with no reload, pushed by
 * the server when a visitor's segments change (by their own events, on another tab or browser, or
 * by time alone).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_ARTICLES } from '../../example-site/seed/content.js';
import { launchChromium } from './support/chromium.js';
import { buildSpa } from './support/spa-build.js';
import { REPO, startStack, type Stack } from './support/stack.js';

const RESULTS = join(REPO, 'test-results');
const NEWS = DEMO_ARTICLES.filter((article) => article.category === 'news').map((article) => article.slug);
/** Cart abandonment after this long, instead of 30 minutes. */
const CART_WINDOW_S = 3;

let browser: Browser;
let stack: Stack;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  stack = await startStack({
    redisUrl: inject('redisUrl'),
    keyPrefix: `e2e-live-${process.pid}:`,
    root: await buildSpa(),
    windows: { cartAbandonment: `${CART_WINDOW_S}s` },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The `data-segment` of the home banner on `page` (empty for the fallback). */
const bannerSegment = (page: Page): Promise<string | null> =>
  page.getAttribute('[data-testid="home-banner"]', 'data-segment');

/** Opens the home page and waits for its first live result. */
async function openHome(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/`);
  await page.waitForSelector('[data-testid="home-banner"][data-document]');
  return page;
}

/** Resolves with the time (performance.now() in the page) at which the banner shows `segment`. */
function swapTo(page: Page, segment: string, timeoutMs = 10_000): Promise<number> {
  return page.evaluate(
    ({ segment, timeoutMs }) =>
      new Promise<number>((resolve, reject) => {
        const check = (): boolean => {
          const banner = document.querySelector('[data-testid="home-banner"]');
          if (banner?.getAttribute('data-segment') !== segment) return false;
          resolve(performance.timeOrigin + performance.now());
          return true;
        };
        if (check()) return;
        const observer = new MutationObserver(() => check() && observer.disconnect());
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        setTimeout(() => reject(new Error(`banner never showed ${segment}`)), timeoutMs);
      }),
    { segment, timeoutMs },
  );
}

/** Opens article `slug` in `page` (a full page load, as from a link in a mail); returns once it is on screen. */
async function readArticle(page: Page, slug: string): Promise<void> {
  await page.goto(`${stack.url}/articles/${slug}`);
  await page.waitForSelector('[data-testid="article"]');
}

describe('live variants in the demo SPA', () => {
  it('4 news articles swap the home banner to breaking-news on an open tab and on a second tab, without a reload', async () => {
    const context = await browser.newContext();
    const home = await openHome(context);
    const secondHome = await openHome(context);
    const homeSwap = swapTo(home, 'breaking-news');
    const secondSwap = swapTo(secondHome, 'breaking-news');
    await home.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));

    const reader = await context.newPage();
    // Records, in the page, the moment an article is on screen: that moment is "the view".
    await reader.addInitScript(() => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('[data-testid="article"]')) return;
        (window as unknown as { shownAt: number }).shownAt = performance.timeOrigin + performance.now();
        observer.disconnect();
      });
      observer.observe(document, { subtree: true, childList: true });
    });
    for (const slug of NEWS.slice(0, 3)) await readArticle(reader, slug);
    expect(await bannerSegment(home)).not.toBe('breaking-news');
    await readArticle(reader, NEWS[3]!);
    // The 4th view: the article on screen (its event is tracked on render, sent within 100 ms).
    const fourthViewAt = await reader.evaluate(() => (window as unknown as { shownAt: number }).shownAt);

    const swappedAt = await homeSwap;
    await secondSwap;
    const latencyMs = swappedAt - fourthViewAt;
    console.log(`[e2e] 4th news view -> home banner swapped on the open tab: ${latencyMs.toFixed(0)} ms`);
    expect(latencyMs).toBeLessThan(5_000);
    expect(await home.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(
      true,
    );
    await home.waitForSelector('[data-testid="why-panel"] [data-segment="breaking-news"]');
    await home.screenshot({ path: join(RESULTS, 'breaking-news-swap.png'), fullPage: true });
    await context.close();
  });

  it('after identify, a second browser of the same user swaps too', async () => {
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    const userId = `reader-${process.pid}-${Date.now()}`;
    const identify = async (page: Page): Promise<void> => {
      await page.fill('[data-testid="user-id"]', userId);
      await page.click('[data-testid="identify"]');
      await page.waitForSelector('[data-testid="signed-in-as"]');
    };
    const laptopHome = await openHome(laptop);
    await identify(laptopHome);
    const phoneHome = await openHome(phone);
    await identify(phoneHome);
    const phoneSwap = swapTo(phoneHome, 'breaking-news');

    const reader = await laptop.newPage();
    for (const slug of NEWS.slice(0, 4)) await readArticle(reader, slug);
    await phoneSwap;
    await swapTo(laptopHome, 'breaking-news');
    // The laptop holds the user's token (identify replaced the anonymous one, in every tab).
    const subject = (page: Page) =>
      page.evaluate(() => {
        const token = localStorage.getItem('personalize.token') ?? '';
        const payload = token.split('.')[2] ?? '';
        return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string }).sub;
      });
    expect(await subject(laptopHome)).toBe(`user:${userId}`);
    expect(await subject(reader)).toBe(`user:${userId}`);
    // Signing out makes the laptop a new anonymous visitor: the fallback banner comes back, live,
    // while the phone stays signed in.
    await laptopHome.click('[data-testid="sign-out"]');
    await laptopHome.waitForSelector('[data-testid="user-id"]');
    await swapTo(laptopHome, '');
    expect(await subject(laptopHome)).toMatch(/^anon:/);
    expect(await phoneHome.getAttribute('[data-testid="home-banner"]', 'data-segment')).toBe('breaking-news');
    await laptop.close();
    await phone.close();
  });

  it('cart abandonment swaps the banner when the deadline passes, with no user action', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/products/drift-headphones`);
    await page.waitForSelector('[data-testid="add-to-cart"]');
    // When the click happened, in the page: the Product Added event is stamped right after it.
    await page.evaluate(() =>
      document.addEventListener(
        'click',
        () => ((window as unknown as { clickedAt: number }).clickedAt = Date.now()),
        { capture: true, once: true },
      ),
    );
    await page.click('[data-testid="add-to-cart"]');
    const addedAt = await page.evaluate(() => (window as unknown as { clickedAt: number }).clickedAt);
    await page.goto(`${stack.url}/`);
    await page.waitForSelector('[data-testid="home-banner"][data-document]');
    expect(await bannerSegment(page)).not.toBe('cart-abandoner');
    const swappedAt = await swapTo(page, 'cart-abandoner', (CART_WINDOW_S + 10) * 1000);
    const afterDeadlineMs = swappedAt - (addedAt + CART_WINDOW_S * 1000);
    console.log(`[e2e] cart-abandoner pushed ${afterDeadlineMs.toFixed(0)} ms after the deadline`);
    // Not before the deadline (the event is stamped at or after the click), and on time after it.
    expect(afterDeadlineMs).toBeGreaterThanOrEqual(0);
    expect(afterDeadlineMs).toBeLessThan(2_000);
    await page.screenshot({ path: join(RESULTS, 'cart-abandoner-swap.png'), fullPage: true });
    await context.close();
  });
});
