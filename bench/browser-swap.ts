/**
 * `npm run bench -- browser-swap [--runs N]`
 *
 * What a visitor sees, measured in real Chromium on the demo SPA (standalone server over the seed
 * fixtures, a private redis-server spawned for the run): a home tab is open; in another tab of the
 * same visitor the 4th news article is shown; how long until the open home tab shows the
 * `breaking-news` banner (event batched and sent, rules evaluated, change published, live query
 * re-executed and pushed, React re-rendered). Each run is a fresh visitor.
 *
 * Ends with `{"bench":"browser-swap","runs":N,"p50_ms":A,"p95_ms":B,"max_ms":C}`.
 */
import type { Page } from 'playwright-core';
import { spawnRedis } from '../test/setup/redis-server';

const NEWS = [
  'storm-reaches-the-coast',
  'parliament-votes-on-budget',
  'rail-strike-called-off',
  'city-opens-new-bridge',
];

function parse(args: string[]): { runs: number } {
  const settings = { runs: 8 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], Number(args[i + 1])];
    if (flag !== '--runs' || !Number.isInteger(value) || value < 1 || value > 200)
      throw new Error(`usage: browser-swap [--runs 1..200], got ${args.join(' ')}`);
    settings.runs = value;
  }
  return settings;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function run(args: string[]): Promise<void> {
  const { runs } = parse(args);
  // The browser-test helpers are ES modules (test/e2e is "type": "module"): loaded dynamically.
  const { launchChromium } = await import('../test/e2e/support/chromium.js');
  const { buildSpa } = await import('../test/e2e/support/spa-build.js');
  const { startStack } = await import('../test/e2e/support/stack.js');
  const redis = await spawnRedis();
  const stack = await startStack({ redisUrl: redis.url, keyPrefix: 'bench-swap:', root: await buildSpa() });
  const browser = await launchChromium();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const context = await browser.newContext();
      const home = await context.newPage();
      await home.goto(`${stack.url}/`);
      await home.waitForSelector('[data-testid="home-banner"][data-document]');
      // Stamped in the page by a MutationObserver the moment the banner changes (no polling delay).
      const swapped = home.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const observer = new MutationObserver(() => {
              if (
                document.querySelector('[data-testid="home-banner"]')?.getAttribute('data-segment') !==
                'breaking-news'
              )
                return;
              observer.disconnect();
              resolve(performance.timeOrigin + performance.now());
            });
            observer.observe(document.body, { subtree: true, childList: true, attributes: true });
            setTimeout(() => reject(new Error('the banner did not swap within 10 s')), 10_000);
          }),
      );
      const reader = await context.newPage();
      await reader.addInitScript(() => {
        const observer = new MutationObserver(() => {
          if (!document.querySelector('[data-testid="article"]')) return;
          (window as unknown as { shownAt: number }).shownAt = performance.timeOrigin + performance.now();
          observer.disconnect();
        });
        observer.observe(document, { subtree: true, childList: true });
      });
      for (const slug of NEWS) await open(reader, `${stack.url}/articles/${slug}`);
      const shownAt = await reader.evaluate(() => (window as unknown as { shownAt: number }).shownAt);
      const latency = (await swapped) - shownAt;
      latencies.push(latency);
      console.log(`run ${i + 1}/${runs}: 4th view -> swap ${latency.toFixed(0)} ms`);
      await context.close();
    }
  } finally {
    await browser.close();
    await stack.close();
    await redis.stop();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const [p50, p95, max] = [percentile(sorted, 50), percentile(sorted, 95), sorted.at(-1)!].map((value) =>
    Math.round(value),
  );
  console.log(
    `4th news view -> banner swapped on the open home tab: p50 ${p50} ms, p95 ${p95} ms, max ${max} ms over ${runs} visitors`,
  );
  console.log(JSON.stringify({ bench: 'browser-swap', runs, p50_ms: p50, p95_ms: p95, max_ms: max }));
}

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('[data-testid="article"]');
}
