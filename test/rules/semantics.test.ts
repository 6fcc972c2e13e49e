/**
 * Rule semantics on a controllable clock: entering and leaving windows at the exact millisecond,
 * deadlines, hysteresis, decay, references, local time across DST, and what the rule set declares.
 */
import { describe, expect, it } from 'vitest';
import { RuleCompileError, compileRuleSet, simulate } from '../../engine/rules';
import { DAY, HOUR, MINUTE, Profile, SECOND, T0, event, rulesOf, segment } from './helpers';

const newsBurst = (is: object) =>
  rulesOf([
    segment('breaking-news', {
      count: { event: 'Article Viewed', where: { category: 'news' } },
      within: '10m',
      is,
    }),
  ]);
const view = (at: number, category = 'news') => event('Article Viewed', at, { category });

describe('windowed counts', () => {
  it('enters on the 4th view of "more than 3 within 10 minutes" and leaves exactly when the 4th-newest view turns 10 minutes old', () => {
    const profile = new Profile(newsBurst({ $gt: 3 }));
    profile.add(view(T0), view(T0 + MINUTE), view(T0 + 2 * MINUTE, 'sport'), view(T0 + 2 * MINUTE));
    const third = profile.at(T0 + 2 * MINUTE, 'breaking-news');
    expect(third.member).toBe(false);
    expect(third.nextChangeAt).toBeNull();

    profile.add(view(T0 + 3 * MINUTE));
    const fourth = profile.at(T0 + 3 * MINUTE, 'breaking-news');
    expect(fourth.member).toBe(true);
    expect(fourth.nextChangeAt).toBe(T0 + 10 * MINUTE);
    expect(fourth.reason.text).toBe('4 × Article Viewed where category = "news" within 10m (> 3)');
    expect(fourth.reason.conditions).toEqual([{ path: 'rule', text: fourth.reason.text, observed: 4 }]);

    expect(profile.at(T0 + 10 * MINUTE - 1, 'breaking-news').member).toBe(true);
    const left = profile.at(T0 + 10 * MINUTE, 'breaking-news');
    expect(left.member).toBe(false);
    expect(left.reason.text).toBe('3 × Article Viewed where category = "news" within 10m (not > 3)');
  });

  it('with "at least 3", leaves exactly when the third-newest view turns 10 minutes old', () => {
    const profile = new Profile(newsBurst({ $gte: 3 }));
    profile.add(view(T0), view(T0 + MINUTE), view(T0 + 2 * MINUTE), view(T0 + 4 * MINUTE));
    const result = profile.at(T0 + 5 * MINUTE, 'breaking-news');
    expect(result.member).toBe(true);
    // Views at 0, 1, 2, 4 min: the third-newest is the one at 1 min.
    expect(result.nextChangeAt).toBe(T0 + MINUTE + 10 * MINUTE);
    expect(profile.at(T0 + 11 * MINUTE - 1, 'breaking-news').member).toBe(true);
    expect(profile.at(T0 + 11 * MINUTE, 'breaking-news').member).toBe(false);
  });

  it('finds the exit past views that leave without changing the outcome', () => {
    const profile = new Profile(newsBurst({ $gt: 1 }));
    profile.add(view(T0), view(T0 + SECOND), view(T0 + 2 * SECOND), view(T0 + 7 * MINUTE));
    // 4 views; the decision flips when only one is left: when the view at +2s turns 10 minutes old.
    expect(profile.at(T0 + 8 * MINUTE, 'breaking-news').nextChangeAt).toBe(T0 + 2 * SECOND + 10 * MINUTE);
  });

  it('is exact at both ends of the window range: 1 second and 90 days', () => {
    const rules = rulesOf([
      segment('instant', { count: 'Click', within: '1s', is: { $gte: 2 } }),
      segment('quarter', { count: 'Order Completed', within: '90d', is: { $gte: 1 } }),
    ]);
    const profile = new Profile(rules).add(
      event('Click', T0),
      event('Click', T0 + 999),
      event('Order Completed', T0),
    );
    expect(profile.at(T0 + 999, 'instant')).toMatchObject({ member: true, nextChangeAt: T0 + SECOND });
    expect(profile.at(T0 + SECOND, 'instant').member).toBe(false);
    expect(profile.at(T0 + SECOND, 'quarter')).toMatchObject({ member: true, nextChangeAt: T0 + 90 * DAY });
    expect(profile.at(T0 + 90 * DAY - 1, 'quarter').member).toBe(true);
    expect(profile.at(T0 + 90 * DAY, 'quarter').member).toBe(false);
  });

  it('counts distinct values, sums and the highest count per value', () => {
    const rules = rulesOf([
      segment('browser', {
        distinct: { event: 'Product Viewed' },
        of: 'productId',
        within: '1h',
        is: { $gte: 3 },
      }),
      segment('big-cart', { sum: 'Product Added', of: 'price', within: '1d', is: { $gt: 100 } }),
      segment('obsessed', { count: 'Product Viewed', per: 'productId', within: '10m', is: { $gte: 3 } }),
    ]);
    const profile = new Profile(rules).add(
      event('Product Viewed', T0, { productId: 'a' }),
      event('Product Viewed', T0 + MINUTE, { productId: 'b' }),
      event('Product Viewed', T0 + 2 * MINUTE, { productId: 'a' }),
      event('Product Viewed', T0 + 3 * MINUTE, { productId: 'a' }),
      event('Product Added', T0, { price: 60 }),
      event('Product Added', T0 + HOUR, { price: 50.5 }),
      event('Product Added', T0 + HOUR, { price: 'free' }),
    );
    expect(profile.peek(T0 + 3 * MINUTE, 'browser').member).toBe(false);
    const obsessed = profile.peek(T0 + 3 * MINUTE, 'obsessed');
    expect(obsessed.member).toBe(true);
    expect(obsessed.nextChangeAt).toBe(T0 + 10 * MINUTE);
    const cart = profile.peek(T0 + HOUR, 'big-cart');
    expect(cart.member).toBe(true);
    expect(cart.reason.conditions[0]!.observed).toBe(110.5);
    expect(cart.nextChangeAt).toBe(T0 + DAY);
    profile.add(event('Product Viewed', T0 + 4 * MINUTE, { productId: 'c' }));
    const browser = profile.peek(T0 + 4 * MINUTE, 'browser');
    expect(browser.member).toBe(true);
    // 'b' leaves at +61m and the set drops to {a, c}.
    expect(browser.nextChangeAt).toBe(T0 + MINUTE + HOUR);
  });
});

describe('deadlines and absence', () => {
  const rules = rulesOf([
    segment('interested-not-purchased', {
      noFollowUp: {
        after: { event: 'Product Viewed', where: { price: { $gt: 500 } } },
        then: 'Order Completed',
        within: '48h',
        lookback: '7d',
      },
    }),
    segment('lapsed', {
      all: [
        { sinceFirst: 'Order Completed', is: { $gte: '1s' } },
        { none: 'Order Completed', within: '30d' },
      ],
    }),
    segment('never-bought', { none: 'Order Completed' }),
  ]);

  it('flips exactly at view + 48h when nothing was bought, and a purchase cancels it', () => {
    const profile = new Profile(rules).add(
      event('Product Viewed', T0, { price: 900 }),
      event('Product Viewed', T0 + HOUR, { price: 20 }),
    );
    const waiting = profile.at(T0 + HOUR, 'interested-not-purchased');
    expect(waiting.member).toBe(false);
    expect(waiting.nextChangeAt).toBe(T0 + 48 * HOUR);
    expect(profile.at(T0 + 48 * HOUR - 1, 'interested-not-purchased').member).toBe(false);
    const due = profile.at(T0 + 48 * HOUR, 'interested-not-purchased');
    expect(due.member).toBe(true);
    // It lasts until the view leaves the 7-day lookback.
    expect(due.nextChangeAt).toBe(T0 + 7 * DAY);

    const buyer = new Profile(rules).add(
      event('Product Viewed', T0, { price: 900 }),
      event('Order Completed', T0 + 47 * HOUR),
    );
    const cancelled = buyer.at(T0 + 47 * HOUR, 'interested-not-purchased');
    expect(cancelled.member).toBe(false);
    expect(cancelled.nextChangeAt).toBeNull();
    expect(buyer.at(T0 + 48 * HOUR, 'interested-not-purchased').member).toBe(false);
  });

  it('"none within" starts holding when the newest event turns the window old; "none" ever never does', () => {
    const profile = new Profile(rules).add(event('Order Completed', T0));
    const recent = profile.at(T0 + DAY, 'lapsed');
    expect(recent.member).toBe(false);
    expect(recent.nextChangeAt).toBe(T0 + 30 * DAY);
    expect(profile.at(T0 + 30 * DAY, 'lapsed').member).toBe(true);
    const never = profile.at(T0 + 30 * DAY, 'never-bought');
    expect(never).toMatchObject({ member: false, nextChangeAt: null });
  });
});

describe('scores', () => {
  const scores = [
    {
      key: 'engagement',
      within: '30d',
      points: [
        { event: 'page', add: 1 },
        { event: 'Product Added', add: 5 },
        { event: 'Order Completed', add: 20 },
      ],
    },
    { key: 'heat', within: '7d', halfLife: '1h', points: [{ event: 'Product Added', add: 100 }] },
  ];

  it('holds a hysteresis band: enters at 50, stays down to 40, leaves below', () => {
    const rules = rulesOf(
      [segment('vip', { score: 'engagement', enter: { $gte: 50 }, stay: { $gte: 40 } })],
      scores,
    );
    const profile = new Profile(rules);
    for (let i = 0; i < 45; i++) profile.add(event('page', T0 + i * SECOND));
    expect(profile.at(T0 + HOUR, 'vip').member).toBe(false);
    profile.add(event('Product Added', T0 + HOUR));
    const entered = profile.at(T0 + HOUR, 'vip');
    expect(entered.member).toBe(true);
    expect(entered.reason.text).toBe('engagement score = 50 (enter ≥ 50)');
    // Page views leave one per second after 30 days; a member stays down to 40, so the 11th leaving decides.
    expect(entered.nextChangeAt).toBe(T0 + 10 * SECOND + 30 * DAY);
    expect(profile.at(T0 + 9 * SECOND + 30 * DAY, 'vip')).toMatchObject({ member: true });
    expect(profile.at(T0 + 10 * SECOND + 30 * DAY, 'vip')).toMatchObject({ member: false });

    const band = new Profile(rules);
    for (let i = 0; i < 10; i++) band.add(event('Product Added', T0 + i * HOUR));
    expect(band.at(T0 + 10 * HOUR, 'vip').member).toBe(true);
    // 50 -> 45 when the first add-to-cart leaves: still a member thanks to the band...
    expect(band.at(T0 + 30 * DAY, 'vip')).toMatchObject({
      member: true,
      nextChangeAt: T0 + 2 * HOUR + 30 * DAY,
    });
    // ...until 35 < 40.
    expect(band.at(T0 + 2 * HOUR + 30 * DAY, 'vip').member).toBe(false);
    // Re-entering needs 50 again: 35 + 10 = 45 is not enough for a non-member.
    band.add(event('Product Added', T0 + 31 * DAY), event('Product Added', T0 + 31 * DAY));
    expect(band.at(T0 + 31 * DAY, 'vip').member).toBe(false);
  });

  it('decays on schedule and announces the crossing to the millisecond', () => {
    const rules = rulesOf([segment('hot', { score: 'heat', is: { $gte: 50 } })], scores);
    const profile = new Profile(rules).add(event('Product Added', T0));
    const now = profile.at(T0, 'hot');
    expect(now.member).toBe(true);
    // 100 × 0.5^(t / 1h) >= 50 until t = 1h exactly; it drops below one millisecond later.
    expect(now.nextChangeAt).toBe(T0 + HOUR + 1);
    expect(profile.at(T0 + HOUR, 'hot').member).toBe(true);
    expect(profile.at(T0 + HOUR + 1, 'hot').member).toBe(false);
    expect(profile.peek(T0 + 2 * HOUR, 'hot').reason.conditions[0]!.observed).toBe(25);
  });
});

describe('segment references', () => {
  it('evaluates references first, whatever the order of definition', () => {
    const rules = rulesOf([
      segment('pro-reader', { all: [{ segment: 'reader' }, { traits: { plan: 'pro' } }] }),
      segment('reader', { count: 'Article Viewed', within: '1h', is: { $gte: 1 } }),
      segment('not-reader', { not: { segment: 'reader' } }),
    ]);
    expect(rules.segments.map((s) => s.key)).toEqual(['reader', 'pro-reader', 'not-reader']);
    const profile = new Profile(rules, { plan: 'pro' }).add(view(T0));
    const result = profile.at(T0, 'pro-reader');
    expect(result).toMatchObject({ member: true, nextChangeAt: T0 + HOUR });
    expect(profile.at(T0, 'not-reader')).toMatchObject({ member: false, nextChangeAt: T0 + HOUR });
  });

  it('treats a disabled segment as having no members, and leaves it out of the results', () => {
    const rules = rulesOf([
      segment('off', { traits: { plan: 'pro' } }, { enabled: false }),
      segment('uses-off', { not: { segment: 'off' } }),
    ]);
    const evaluation = rules.evaluate(
      { traits: { plan: 'pro' }, context: {}, streams: {}, previous: {} },
      T0,
    );
    expect(Object.keys(evaluation.segments)).toEqual(['uses-off']);
    expect(evaluation.segments['uses-off']!.member).toBe(true);
  });

  it('reads browser-sent traits only under clientTraits, and server-side traits only under traits', () => {
    const rules = rulesOf([
      segment('says-gold', { clientTraits: { plan: 'gold' } }),
      segment('is-gold', { traits: { plan: 'gold' } }),
    ]);
    const members = (facts: { traits: object; clientTraits?: object }) => {
      const evaluation = rules.evaluate({ context: {}, streams: {}, previous: {}, ...facts } as never, T0);
      return Object.keys(evaluation.segments).filter((key) => evaluation.segments[key]!.member);
    };
    expect(members({ traits: {}, clientTraits: { plan: 'gold' } })).toEqual(['says-gold']);
    expect(members({ traits: { plan: 'gold' } })).toEqual(['is-gold']);
    expect(members({ traits: { plan: 'gold' }, clientTraits: { plan: 'gold' } }).sort()).toEqual([
      'is-gold',
      'says-gold',
    ]);
    const explained = rules.evaluate(
      { traits: {}, clientTraits: { plan: 'gold' }, context: {}, streams: {}, previous: {} },
      T0,
    ).segments['says-gold']!.reason;
    expect(explained.text).toMatch(/clientTraits\.plan is "gold"/);
    expect(() => rulesOf([segment('bad', { clientTraits: 'gold' } as never)])).toThrow(RuleCompileError);
  });

  it('refuses cycles with the path of the reference that closes them', () => {
    const attempt = () =>
      compileRuleSet({
        segments: [
          segment('a', { any: [{ traits: { x: 1 } }, { segment: 'b' }] }),
          segment('b', { segment: 'c' }),
          segment('c', { not: { segment: 'a' } }),
          segment('self', { segment: 'self' }),
        ],
      });
    expect(attempt).toThrow(RuleCompileError);
    const issues = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as RuleCompileError).issues;
      }
      return [];
    })();
    expect(issues).toEqual([
      { segment: 'c', path: 'rule.not.segment', message: 'reference cycle: a -> b -> c -> a' },
      { segment: 'self', path: 'rule.segment', message: 'reference cycle: self -> self' },
    ]);
  });
});

describe('local time and weekdays', () => {
  const rules = rulesOf([
    segment('evening', {
      all: [{ context: { 'device.type': 'mobile' } }, { localTime: { from: '17:00', to: '23:00' } }],
    }),
    segment('night-owl', { localTime: { from: '02:30', to: '04:00' } }),
    segment('weekend', { weekday: { $in: ['sat', 'sun'] } }),
  ]);
  const paris = { timezone: 'Europe/Paris', device: { type: 'mobile' } };

  it('uses the visitor timezone and announces the next boundary', () => {
    const profile = new Profile(rules, {}, paris);
    // 2026-11-22 is a Sunday; 15:30 UTC is 16:30 in Paris (UTC+1 in winter).
    const before = profile.at(Date.parse('2026-11-22T15:30:00Z'), 'evening');
    expect(before.member).toBe(false);
    expect(before.nextChangeAt).toBe(Date.parse('2026-11-22T16:00:00Z'));
    const weekend = profile.at(Date.parse('2026-11-22T15:30:00Z'), 'weekend');
    expect(weekend).toMatchObject({ member: true, nextChangeAt: Date.parse('2026-11-22T23:00:00Z') });
    expect(profile.at(Date.parse('2026-11-22T16:00:00Z'), 'evening')).toMatchObject({
      member: true,
      nextChangeAt: Date.parse('2026-11-22T22:00:00Z'),
    });
  });

  it('is DST-correct: a range skipped by the spring-forward jump starts at the jump', () => {
    // 2026-03-29: Paris jumps from 02:00 to 03:00 local at 01:00 UTC.
    const profile = new Profile(rules, {}, paris);
    const before = profile.at(Date.parse('2026-03-29T00:30:00Z'), 'night-owl');
    expect(before.member).toBe(false);
    expect(before.nextChangeAt).toBe(Date.parse('2026-03-29T01:00:00Z'));
    const after = profile.at(Date.parse('2026-03-29T01:00:00Z'), 'night-owl');
    expect(after).toMatchObject({ member: true, nextChangeAt: Date.parse('2026-03-29T02:00:00Z') });
    // In autumn the evening boundary moves by an hour in UTC.
    const autumn = profile.at(Date.parse('2026-10-25T12:00:00Z'), 'evening');
    expect(autumn.nextChangeAt).toBe(Date.parse('2026-10-25T16:00:00Z'));
    expect(profile.at(Date.parse('2026-10-24T12:00:00Z'), 'evening').nextChangeAt).toBe(
      Date.parse('2026-10-24T15:00:00Z'),
    );
  });

  it('is DST-correct when autumn repeats an hour', () => {
    // 2026-10-25: Paris goes back from 03:00 to 02:00 local at 01:00 UTC, so 02:30 happens twice.
    const profile = new Profile(rules, {}, paris);
    const first = profile.at(Date.parse('2026-10-25T00:30:00Z'), 'night-owl');
    expect(first).toMatchObject({ member: true, nextChangeAt: Date.parse('2026-10-25T01:00:00Z') });
    const repeated = profile.at(Date.parse('2026-10-25T01:00:00Z'), 'night-owl');
    expect(repeated).toMatchObject({ member: false, nextChangeAt: Date.parse('2026-10-25T01:30:00Z') });
    expect(profile.at(Date.parse('2026-10-25T01:30:00Z'), 'night-owl')).toMatchObject({
      member: true,
      nextChangeAt: Date.parse('2026-10-25T03:00:00Z'),
    });
  });

  it('falls back to UTC without a known timezone', () => {
    const profile = new Profile(rules, {}, { timezone: 'Mars/Olympus', device: { type: 'mobile' } });
    expect(profile.at(Date.parse('2026-11-22T17:00:00Z'), 'evening').member).toBe(true);
  });
});

describe('the compiled rule set', () => {
  const base = (within: string, is: object) =>
    compileRuleSet({
      segments: [
        segment('news', { count: { event: 'Article Viewed', where: { category: 'news' } }, within, is }),
        segment('spend', { sum: 'Order Completed', of: 'total', within: '30d', is: { $gt: 100 } }),
      ],
      scores: [{ key: 'unused', within: '1d', points: [{ event: 'Never Used', add: 1 }] }],
    });

  it('declares exactly the streams it needs, with ids stable across threshold and window edits', () => {
    const first = base('10m', { $gt: 3 });
    const edited = base('1h', { $gt: 5 });
    expect(first.streams.map((s) => s.id)).toEqual(edited.streams.map((s) => s.id));
    expect(first.streams).toHaveLength(2);
    expect(first.streams.find((s) => s.description.startsWith('Article'))!.retentionMs).toBe(10 * MINUTE);
    expect(edited.streams.find((s) => s.description.startsWith('Article'))!.retentionMs).toBe(HOUR);
    expect(first.maxRetentionMs).toBe(30 * DAY);
    expect(first.version).not.toBe(edited.version);
    expect(base('10m', { $gt: 3 }).version).toBe(first.version);
  });

  it('routes an event only into the streams it matches, with encoded values', () => {
    const rules = base('10m', { $gt: 3 });
    const spend = rules.streams.find((s) => s.carriesValue)!;
    expect(rules.route(event('Order Completed', T0, { total: 12.5 }))).toEqual([
      { stream: spend.id, value: '12.5' },
    ]);
    expect(rules.route(event('Order Completed', T0, { total: '12' }))).toEqual([]);
    expect(rules.route(event('Article Viewed', T0, { category: 'sport' }))).toEqual([]);
    expect(rules.route(event('Article Viewed', T0, { category: 'news' }))).toHaveLength(1);
  });

  it('keeps first and last times only for streams that need them', () => {
    const rules = rulesOf([segment('returning', { sinceLast: 'page', is: { $gt: '1d' } })]);
    expect(rules.streams).toEqual([expect.objectContaining({ keepFirstLast: true, retentionMs: 0 })]);
    const profile = new Profile(rules).add(event('page', T0));
    expect(profile.at(T0 + HOUR, 'returning')).toMatchObject({ member: false, nextChangeAt: T0 + DAY + 1 });
  });
});

describe('simulate', () => {
  it('replays steps and the time-based changes between them', () => {
    const source = {
      segments: [segment('breaking-news', { count: 'Article Viewed', within: '10m', is: { $gt: 1 } })],
    };
    const steps = [0, 1, 2].map((i) => ({
      at: T0 + i * MINUTE,
      event: { id: `v${i}`, type: 'Article Viewed', timestamp: T0 + i * MINUTE },
    }));
    const results = simulate(source, 'breaking-news', [...steps, { at: T0 + HOUR }]);
    expect(results.map((r) => [r.at - T0, r.cause, r.member])).toEqual([
      [0, 'step', false],
      [MINUTE, 'step', true],
      [2 * MINUTE, 'step', true],
      [11 * MINUTE, 'time', false],
      [HOUR, 'step', false],
    ]);
    expect(() =>
      simulate(source, 'breaking-news', [{ at: T0, event: { id: 'x', type: 'A', timestamp: T0 + HOUR } }]),
    ).toThrow(/^steps\[0\]\.event\.timestamp: is 1h in the future/);
  });
});
