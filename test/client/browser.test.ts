/**
 * The client package in real Chromium against the real standalone server (on the run's private
 * Redis): sessions shared by tabs, batched events that reach the rules, retries through an outage
 * that count nothing twice, live queries, erasure, and the last flush when a page is closed.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../e2e/support/chromium.js';
import { startStack, type Stack } from '../e2e/support/stack.js';
import { buildClientPage } from './support/browser-bundle.js';

let browser: Browser;
let stack: Stack;

beforeAll(async () => {
  const root = await buildClientPage();
  stack = await startStack({ redisUrl: inject('redisUrl'), keyPrefix: `test-client-${process.pid}:`, root });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A page with the client loaded and one client created as `window.pz`. */
async function clientPage(context: BrowserContext, options: Record<string, unknown> = {}): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/`);
  await page.waitForFunction(() => 'personalize' in window);
  await page.evaluate((options) => {
    const errors: string[] = [];
    Object.assign(window, {
      errors,
      pz: window.personalize.createPersonalizeClient({
        url: '/personalize/graphql',
        onError: (error: unknown) => errors.push(String(error)),
        ...options,
      }),
    });
  }, options);
  return page;
}

/** How many `Article Viewed` news events the server counted for this visitor (from the reason text). */
async function newsCount(page: Page): Promise<number | null> {
  return page.evaluate(async () => {
    const me = await (
      window as unknown as { pz: import('../../client/src/index.js').PersonalizeClient }
    ).pz.me();
    const membership = me.segments.find((segment) => segment.key === 'breaking-news');
    return membership ? Number(/^(\d+)/.exec(membership.reason)?.[1]) : null;
  });
}

type Pz = import('../../client/src/index.js').PersonalizeClient;
declare const pz: Pz;

describe('@personalize/client in Chromium', () => {
  it('starts one session, kept in localStorage and shared by the tabs of the visitor', async () => {
    const context = await browser.newContext();
    const first = await clientPage(context);
    const profile = await first.evaluate(async () => (await pz.me()).id);
    expect(await first.evaluate(() => localStorage.getItem('personalize.token'))).toEqual(expect.any(String));
    const second = await clientPage(context);
    expect(await second.evaluate(async () => (await pz.me()).id)).toBe(profile);
    const other = await clientPage(await browser.newContext());
    expect(await other.evaluate(async () => (await pz.me()).id)).not.toBe(profile);
    await context.close();
  });

  it('batches events, and a live query pushes the new segments without asking', async () => {
    const context = await browser.newContext();
    const page = await clientPage(context);
    const pushes = await page.evaluate(async () => {
      const seen: string[][] = [];
      let first: () => void;
      const current = new Promise<void>((resolve) => (first = resolve));
      const entered = new Promise<void>((resolve) => {
        pz.live(
          'query { me { segments { key } } }',
          {},
          {
            next: (data) => {
              const keys = (data as { me: { segments: Array<{ key: string }> } }).me.segments.map(
                (segment) => segment.key,
              );
              seen.push(keys);
              first();
              if (keys.includes('breaking-news')) resolve();
            },
          },
        );
      });
      await current; // the live query answers with the current state first
      for (let i = 0; i < 4; i += 1) pz.track('Article Viewed', { articleId: `a${i}`, category: 'news' });
      await entered;
      return seen;
    });
    expect(pushes[0]).not.toContain('breaking-news'); // the current state comes first
    expect(pushes.at(-1)).toContain('breaking-news');
    expect(await newsCount(page)).toBe(4);
    await context.close();
  });

  it('retries through an outage with the same event ids: everything arrives, nothing counts twice', async () => {
    const context = await browser.newContext();
    const page = await clientPage(context, { backoff: { initialMs: 200, maxMs: 1000 } });
    await page.evaluate(async () => {
      pz.track('Article Viewed', { category: 'news' });
      pz.track('Article Viewed', { category: 'news' });
      await pz.flush();
    });
    await stack.stopBackend();
    await page.evaluate(async () => {
      pz.track('Article Viewed', { category: 'news' });
      pz.track('Article Viewed', { category: 'news' });
      await pz.flush(); // fails: the server is down; a retry is scheduled
    });
    expect(await page.evaluate(() => pz.pendingEvents().length)).toBe(2);
    await stack.startBackend();
    await page.waitForFunction(() => pz.pendingEvents().length === 0, undefined, { timeout: 10_000 });
    expect(await newsCount(page)).toBe(4);
    expect(
      await page.evaluate(() => (window as unknown as { errors: string[] }).errors.length),
    ).toBeGreaterThan(0);
    await context.close();
  });

  it('retries a batch whose response was lost after the server stored it: counted once', async () => {
    const context = await browser.newContext();
    const page = await clientPage(context, { backoff: { initialMs: 200, maxMs: 1000 } });
    await page.evaluate(() => pz.me());
    let lost = 0;
    let retryAnswer = '';
    // The first Track request reaches the server, which stores the events; its answer never
    // reaches the page (as when a connection drops mid-response). The retry goes through.
    await page.route('**/personalize/graphql', async (route) => {
      if (!(route.request().postData() ?? '').includes('mutation Track')) return route.continue();
      const response = await route.fetch();
      if (lost === 0) {
        lost += 1;
        return route.abort('connectionreset');
      }
      retryAnswer = await response.text();
      return route.fulfill({ response });
    });
    await page.evaluate(async () => {
      for (let i = 0; i < 4; i += 1) pz.track('Article Viewed', { category: 'news' });
      await pz.flush(); // the answer is lost: a retry is scheduled, same ids
    });
    await page.waitForFunction(() => pz.pendingEvents().length === 0, undefined, { timeout: 10_000 });
    expect(lost).toBe(1);
    expect(JSON.parse(retryAnswer)).toMatchObject({ data: { track: { accepted: 0, duplicates: 4 } } });
    expect(await newsCount(page)).toBe(4);
    await context.close();
  });

  it('forgetMe erases the profile and the next call starts a fresh one', async () => {
    const context = await browser.newContext();
    const page = await clientPage(context);
    const [before, erased, after] = await page.evaluate(async () => {
      const id = (await pz.me()).id;
      const result = await pz.forgetMe();
      return [id, result, (await pz.me()).id];
    });
    expect(erased).toBe(true);
    expect(after).not.toBe(before);
    await context.close();
  });

  it('identify moves every open tab and its live queries to the user; logout makes them anonymous again', async () => {
    const context = await browser.newContext();
    const first = await clientPage(context);
    const second = await clientPage(context);
    const anonymous = await first.evaluate(async () => (await pz.me()).id);
    expect(await second.evaluate(async () => (await pz.me()).id)).toBe(anonymous);
    // The second tab keeps a live query open: it must follow the first tab's sign-in by itself.
    await second.evaluate(() => {
      const seen: Array<string | null> = [];
      Object.assign(window, { seen });
      pz.live(
        'query { me { userId } }',
        {},
        { next: (data) => seen.push((data as { me: { userId: string | null } }).me.userId) },
      );
    });
    await second.waitForFunction(() => (window as unknown as { seen: unknown[] }).seen.length > 0);
    const userId = `tab-user-${process.pid}-${Date.now()}`;
    const signedIn = await first.evaluate(async (userId) => {
      const response = await fetch('/demo/identity-assertion', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      });
      const { assertion } = (await response.json()) as { assertion: string };
      return (await pz.identify(assertion)).id;
    }, userId);
    expect(signedIn).toBe(`user:${userId}`);
    await second.waitForFunction(
      (userId) => (window as unknown as { seen: unknown[] }).seen.includes(userId),
      userId,
    );
    expect(await second.evaluate(() => pz.token())).toBe(await first.evaluate(() => pz.token()));
    expect(await second.evaluate(async () => (await pz.me()).userId)).toBe(userId);

    await first.evaluate(() => pz.logout());
    const after = await first.evaluate(async () => (await pz.me()).id);
    expect(after).toMatch(/^anon:/);
    expect(after).not.toBe(anonymous);
    await second.waitForFunction(() => (window as unknown as { seen: unknown[] }).seen.at(-1) === null);
    await context.close();
  });

  it('sends what is still queued when the page is closed', async () => {
    const context = await browser.newContext();
    const page = await clientPage(context, { events: { flushIntervalMs: 60_000 } });
    await page.evaluate(async () => {
      await pz.me(); // a session exists
      for (let i = 0; i < 4; i += 1) pz.track('Article Viewed', { category: 'news' });
    });
    expect(await page.evaluate(() => pz.pendingEvents().length)).toBe(4);
    await page.close({ runBeforeUnload: true });
    const reader = await clientPage(context);
    await expect.poll(() => newsCount(reader), { timeout: 5_000 }).toBe(4);
    await context.close();
  });
});
