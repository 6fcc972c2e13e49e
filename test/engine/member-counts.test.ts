/**
 * `Personalizer.countMembers` with the real rule compiler, on Redis and on the embedded store:
 * what the editors' Segments page shows as the rules change. Counts are of stored memberships:
 * a disabled segment counts nobody, a removed one is not reported, and a profile not re-evaluated
 * since a change keeps what it stored until its next touch.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  createPersonalizer,
  type Personalizer,
  type RuleSetSource,
  type SegmentDefinition,
} from '../../engine';
import { quietLogger, uid } from '../store/harness';

const reader: SegmentDefinition = {
  key: 'reader',
  name: 'Reader',
  priority: 1,
  enabled: true,
  rule: { count: 'Article Viewed', within: '1h', is: { $gt: 3 } },
};
const vip: SegmentDefinition = {
  key: 'vip',
  name: 'VIP',
  priority: 2,
  enabled: true,
  rule: { traits: { plan: 'gold' } },
};
const dormant: SegmentDefinition = {
  key: 'dormant',
  name: 'Dormant',
  priority: 3,
  enabled: false,
  rule: { traits: { plan: 'gold' } },
};
const original: RuleSetSource = { segments: [reader, vip, dormant] };
/** `reader` disabled, `vip` removed. */
const trimmed: RuleSetSource = { segments: [{ ...reader, enabled: false }, dormant] };

const opened: Personalizer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

const backends: Array<[string, () => { redis?: string }]> = [
  ['Redis', () => ({ redis: inject('redisUrl') })],
  ['embedded', () => ({})],
];

describe.each(backends)('countMembers (%s)', (_name, backend) => {
  it('counts the segments of the rules in force: disabled ones count nobody, removed ones are not reported', async () => {
    const p = await createPersonalizer({
      rules: original,
      keyPrefix: `t${randomUUID().slice(0, 8)}`,
      logger: quietLogger,
      ...backend(),
    });
    opened.push(p);
    const [first, second] = [uid('anon'), uid('anon')];
    const now = Date.now();
    for (const profile of [first, second]) {
      await p.track(
        profile,
        [0, 1, 2, 3].map((i) => ({
          id: randomUUID(),
          type: 'Article Viewed',
          timestamp: now - i,
          properties: {},
          context: {},
        })),
      );
    }
    await p.setTraits(first, { plan: 'gold' });
    expect(await p.countMembers!()).toEqual({ reader: 2, vip: 1, dormant: 0 });

    p.setRules(trimmed);
    expect(await p.countMembers!()).toEqual({ reader: 0, dormant: 0 });
    // Re-evaluated under these rules, `second` leaves `reader` for good; `first` is not touched.
    expect((await p.getProfile(second)).segments).toEqual([]);

    p.setRules(original);
    expect(await p.countMembers!()).toEqual({ reader: 1, vip: 1, dormant: 0 });
    expect((await p.getProfile(second)).segments.map((s) => s.key)).toEqual(['reader']);
    expect(await p.countMembers!()).toEqual({ reader: 2, vip: 1, dormant: 0 });
  });
});
