/**
 * One clock: each instance compares its clock with Redis `TIME` (real Redis; the process clock is
 * faked through the engine's `clock` option) at start and periodically, reports the offset to
 * the observer (the `personalize_clock_skew_seconds` gauge) and warns above the threshold.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPersonalizer, type Personalizer, type RuleSetSource } from '../../engine';
import { createMetrics } from '../../server/metrics';

const redisUrl = inject('redisUrl');
const opened: Personalizer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((personalizer) => personalizer.close()));
});

const rules: RuleSetSource = {
  segments: [
    {
      key: 'any',
      name: 'Any',
      priority: 1,
      enabled: true,
      rule: { count: 'page', within: '1m', is: { $gte: 1 } },
    },
  ],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(
  offset: { ms: number },
  options: { clockSkewWarnMs?: number; clockCheckIntervalMs?: number } = {},
) {
  const skews: number[] = [];
  const warnings: string[] = [];
  const metrics = createMetrics({ processMetrics: false });
  const personalizer = await createPersonalizer({
    rules,
    redis: redisUrl,
    keyPrefix: `t${randomUUID().slice(0, 8)}`,
    clock: { now: () => Date.now() + offset.ms },
    ...options,
    logger: { info() {}, warn: (message: string) => warnings.push(message), error: console.error },
    observer: {
      ...metrics.observer,
      onClockSkew(seconds) {
        skews.push(seconds);
        metrics.observer.onClockSkew?.(seconds);
      },
    },
  });
  opened.push(personalizer);
  await personalizer.start();
  return { personalizer, skews, warnings, metrics };
}

/** The gauge's value in the exposition text. */
async function gauge(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const { body } = await metrics.scrape();
  return Number(/^personalize_clock_skew_seconds (\S+)$/m.exec(body)![1]);
}

describe('clock skew against Redis TIME', () => {
  it('measures a process clock 2 s ahead at start, exposes it and warns', async () => {
    const { skews, warnings, metrics } = await open({ ms: 2_000 });
    expect(skews).toHaveLength(1);
    expect(skews[0]).toBeGreaterThan(1.9);
    expect(skews[0]).toBeLessThan(2.1);
    expect(await gauge(metrics)).toBeCloseTo(skews[0]!, 6);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/clock is (1\.9\d\d|2\.\d{3}) s ahead of Redis \(warning above 500 ms\)/);
  });

  it('measures a clock behind as negative', async () => {
    const { skews, warnings } = await open({ ms: -1_500 });
    expect(skews[0]).toBeLessThan(-1.4);
    expect(skews[0]).toBeGreaterThan(-1.6);
    expect(warnings[0]).toMatch(/clock is 1\.\d{3} s behind Redis/);
  });

  it('stays quiet with a sound clock, and below the threshold', async () => {
    const sound = await open({ ms: 0 });
    expect(Math.abs(sound.skews[0]!)).toBeLessThan(0.1);
    expect(sound.warnings).toEqual([]);
    const within = await open({ ms: 300 });
    expect(within.skews[0]).toBeGreaterThan(0.2);
    expect(within.warnings).toEqual([]);
  });

  it('checks periodically: warns when the clock drifts away, and says when it is back', async () => {
    const offset = { ms: 0 };
    const { skews, warnings } = await open(offset, { clockCheckIntervalMs: 50, clockSkewWarnMs: 200 });
    expect(warnings).toEqual([]);
    offset.ms = 1_000;
    while (warnings.length === 0) await sleep(10);
    expect(warnings[0]).toMatch(/ [01]\.\d{3} s ahead of Redis \(warning above 200 ms\)/);
    offset.ms = 0;
    while (!warnings.some((warning) => warning.includes('back within'))) await sleep(10);
    expect(skews.length).toBeGreaterThanOrEqual(3);
    expect(Math.abs(skews[skews.length - 1]!)).toBeLessThan(0.1);
  });

  it('refuses bad settings at start-up', async () => {
    for (const options of [
      { clockSkewWarnMs: -1 },
      { clockSkewWarnMs: Number.NaN },
      { clockCheckIntervalMs: 0 },
      { dueRetry: { maxAttempts: 0 } },
      { dueRetry: { firstDelayMs: 1.5 } },
      { dueRetry: { maxAtempts: 3 } },
      { dueRetry: { firstDelayMs: 1000, maxDelayMs: 10 } },
    ])
      await expect(
        createPersonalizer({ rules, redis: redisUrl, ...(options as object) }),
        JSON.stringify(options),
      ).rejects.toThrow(TypeError);
  });
});
