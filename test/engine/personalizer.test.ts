/**
 * The Personalizer end to end with the real rule compiler (`createPersonalizer`): the issue's
 * time-driven rules on a real Redis with the real clock, and the embedded store's start-up.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  createPersonalizer,
  RuleCompileError,
  type Personalizer,
  type RuleSetSource,
  type SegmentChange,
  type Unsubscribe,
} from '../../engine';
import { quietLogger, uid } from '../store/harness';

const rules: RuleSetSource = {
  segments: [
    {
      key: 'reader',
      name: 'Reader',
      priority: 1,
      enabled: true,
      rule: { count: 'Article Viewed', within: '2s', is: { $gt: 3 } },
    },
    {
      key: 'hesitant',
      name: 'Hesitant buyer',
      priority: 2,
      enabled: true,
      rule: {
        noFollowUp: {
          after: { event: 'Product Viewed', where: { value: { $gte: 100 } } },
          then: 'Order Completed',
          within: '1s',
          lookback: '1h',
        },
      },
    },
  ],
};

const opened: Personalizer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

async function open(keyPrefix: string, redis: boolean): Promise<Personalizer> {
  const personalizer = await createPersonalizer({
    rules,
    keyPrefix,
    logger: quietLogger,
    ...(redis ? { redis: inject('redisUrl') } : {}),
  });
  opened.push(personalizer);
  await personalizer.start();
  return personalizer;
}

const track = (p: Personalizer, profile: string, type: string, at: number, properties = {}) =>
  p.track(profile, [{ id: randomUUID(), type, timestamp: at, properties, context: {} }]);

/** Records a profile's changes; `ready` settles once the channel subscription is in place. */
function changes(p: Personalizer, profile: string) {
  const list: Array<SegmentChange & { receivedAt: number }> = [];
  // The facade's subscribe returns an `Unsubscribe` (a function with `ready`).
  const stop = p.subscribe(profile, (change) =>
    list.push({ ...change, receivedAt: Date.now() }),
  ) as Unsubscribe;
  return { list, stop, ready: stop.ready };
}

describe('createPersonalizer with compiled rules on Redis', () => {
  it('"more than 3 views within 2 s": enters on the 4th, exits within 250 ms of the boundary, two instances polling', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const a = await open(prefix, true);
    const b = await open(prefix, true);
    const profile = uid('anon');
    const seen = changes(b, profile);
    await seen.ready;
    const t0 = Date.now();
    for (let i = 0; i < 3; i += 1)
      expect((await track(a, profile, 'Article Viewed', t0 + i)).change).toBeNull();
    const fourth = await track(a, profile, 'Article Viewed', t0 + 3);
    expect(fourth.change?.entered).toEqual(['reader']);
    expect(fourth.change?.reasons.reader?.text).toBe('4 × Article Viewed within 2s (> 3)');
    const boundary = t0 + 2000;
    expect((await a.getProfile(profile)).segments[0]?.expiresAt).toBe(boundary);
    await new Promise((resolve) => setTimeout(resolve, boundary + 500 - Date.now()));
    seen.stop();
    const exits = seen.list.filter((c) => c.exited.includes('reader'));
    expect(exits).toHaveLength(1);
    expect(exits[0]!.cause).toBe('time');
    expect(exits[0]!.at).toBeGreaterThanOrEqual(boundary);
    expect(exits[0]!.receivedAt - boundary).toBeLessThan(250);
    expect((await b.getProfile(profile)).segments).toEqual([]);
  });

  it('"viewed a high-value product, no purchase within 1 s" fires at the deadline; a purchase cancels it', async () => {
    const p = await open(`t${randomUUID().slice(0, 8)}`, true);
    const waiting = uid('anon');
    const buyer = uid('anon');
    const waitingChanges = changes(p, waiting);
    const buyerChanges = changes(p, buyer);
    await Promise.all([waitingChanges.ready, buyerChanges.ready]);
    const t0 = Date.now();
    await track(p, waiting, 'Product Viewed', t0, { value: 250 });
    await track(p, buyer, 'Product Viewed', t0, { value: 250 });
    await track(p, waiting, 'Product Viewed', t0, { value: 20 }); // not high-value: no effect
    await new Promise((resolve) => setTimeout(resolve, 400));
    await track(p, buyer, 'Order Completed', Date.now());
    await new Promise((resolve) => setTimeout(resolve, t0 + 1400 - Date.now()));
    waitingChanges.stop();
    buyerChanges.stop();
    expect(waitingChanges.list).toHaveLength(1);
    const [fired] = waitingChanges.list;
    expect(fired).toMatchObject({ entered: ['hesitant'], cause: 'time' });
    expect(fired!.receivedAt - (t0 + 1000)).toBeLessThan(250);
    expect(fired!.at).toBeGreaterThanOrEqual(t0 + 1000);
    expect(buyerChanges.list).toEqual([]);
  });

  it('keeps the old rules when a new rule does not compile', async () => {
    const p = await open(`t${randomUUID().slice(0, 8)}`, true);
    const version = p.rules.version;
    expect(() =>
      p.setRules({
        segments: [
          { key: 'bad', name: 'Bad', priority: 1, enabled: true, rule: { count: 'x', within: 'soon' } },
        ],
      }),
    ).toThrow(RuleCompileError);
    expect(p.rules.version).toBe(version);
  });
});

it('runs on the embedded store without Redis, and says so', async () => {
  const logged: string[] = [];
  const p = await createPersonalizer({
    rules,
    logger: { info: (m: string) => logged.push(m), warn() {}, error() {} },
  });
  opened.push(p);
  expect(logged.join()).toMatch(/embedded in-process profile store/);
  const profile = uid('anon');
  const now = Date.now();
  for (let i = 0; i < 3; i += 1) await track(p, profile, 'Article Viewed', now + i);
  const announced = new Promise<SegmentChange>((resolve) => p.subscribe(profile, resolve));
  expect((await track(p, profile, 'Article Viewed', now + 3)).change?.entered).toEqual(['reader']);
  expect((await announced).segments.map((s) => s.key)).toEqual(['reader']);
});
