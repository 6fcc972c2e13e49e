/**
 * The demo's segments compile with the real rule compiler and mean what their descriptions say:
 * each one is evaluated on the event histories of the use case it stands for (and near misses).
 * Also checks the seeded content covers every segment (a banner variant and a home block each).
 */
import { describe, expect, it } from 'vitest';
import { compileRuleSet, factsFromEvents, type JsonObject, type VisitorEvent } from '../../engine/index.js';
import {
  DEMO_BANNERS,
  DEMO_HOME_PAGE,
  DEMO_RULE_SET,
  DEMO_SEGMENTS,
  demoRuleSet,
} from '../../example-site/seed/index.js';

const KEYS = [
  'breaking-news',
  'high-interest',
  'vip',
  'interested-not-purchased',
  'cart-abandoner',
  'new-visitor',
  'mobile-evening',
];
const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse('2026-11-22T18:30:00.000Z');

let counter = 0;
function event(
  type: string,
  agoMs: number,
  properties: JsonObject = {},
  context: JsonObject = {},
): VisitorEvent {
  counter += 1;
  return { id: `e${counter}`, type, timestamp: NOW - agoMs, properties, context };
}

/** The segment keys a visitor with `events` is a member of at NOW (and the evaluation, for nextChangeAt). */
function membersAfter(events: VisitorEvent[], ruleSet = compileRuleSet(DEMO_RULE_SET), now = NOW) {
  const evaluation = ruleSet.evaluate(factsFromEvents(ruleSet, events, now), now);
  const members = Object.entries(evaluation.segments)
    .filter(([, result]) => result.member)
    .map(([key]) => key);
  return { members, evaluation };
}

const news = (agoMs: number): VisitorEvent => event('Article Viewed', agoMs, { category: 'news' });
const desktop = { device: { type: 'desktop' }, timezone: 'UTC' };

describe('demo segments', () => {
  it('compile with compileRuleSet, keys exactly as the issue names them', () => {
    const ruleSet = compileRuleSet(DEMO_RULE_SET);
    expect(ruleSet.segments.map((segment) => segment.key).sort()).toEqual([...KEYS].sort());
    expect(DEMO_SEGMENTS.every((segment) => segment.enabled)).toBe(true);
  });

  it('breaking-news: more than 3 news article views within 10 minutes', () => {
    // An old purchase keeps new-visitor out of the way; the first view is 9 minutes old.
    const base = [event('Order Completed', 2 * HOUR, {}, desktop)];
    const four = [...base, news(9 * MIN), news(6 * MIN), news(3 * MIN), news(MIN)];
    const { members, evaluation } = membersAfter(four);
    expect(members).toContain('breaking-news');
    // Leaves the moment the oldest of the four turns 10 minutes old.
    expect(evaluation.segments['breaking-news']!.nextChangeAt).toBe(NOW + MIN);
    expect(membersAfter(four.slice(0, 4)).members).not.toContain('breaking-news');
    expect(
      membersAfter([...base, news(12 * MIN), news(6 * MIN), news(3 * MIN), news(MIN)]).members,
    ).not.toContain('breaking-news');
    expect(
      membersAfter([
        ...base,
        news(3 * MIN),
        news(2 * MIN),
        news(MIN),
        event('Article Viewed', 30_000, { category: 'sport' }),
      ]).members,
    ).not.toContain('breaking-news');
  });

  it('high-interest: the same product viewed more than 3 times within 10 minutes', () => {
    const view = (productId: string, ago: number): VisitorEvent =>
      event('Product Viewed', ago, { productId, price: 229 });
    expect(
      membersAfter([view('a', 8 * MIN), view('a', 5 * MIN), view('a', 2 * MIN), view('a', MIN)]).members,
    ).toContain('high-interest');
    expect(
      membersAfter([view('a', 8 * MIN), view('b', 5 * MIN), view('a', 2 * MIN), view('a', MIN)]).members,
    ).not.toContain('high-interest');
  });

  it('vip: engagement score enters at 50, leaves only below 40 (hysteresis)', () => {
    const ruleSet = compileRuleSet(DEMO_RULE_SET);
    const orders = (n: number): VisitorEvent[] =>
      Array.from({ length: n }, (_, i) => event('Order Completed', (i + 1) * MIN));
    // 3 purchases = 60 points, fresh: a VIP.
    expect(membersAfter(orders(3), ruleSet).members).toContain('vip');
    // 2 purchases + 5 page views = 45: not enough to enter...
    const fortyFive = [...orders(2), ...Array.from({ length: 5 }, () => event('page', 30_000))];
    expect(membersAfter(fortyFive, ruleSet).members).not.toContain('vip');
    // ...but enough to stay for a member.
    const facts = factsFromEvents(ruleSet, fortyFive, NOW, { vip: { since: NOW - HOUR } });
    expect(ruleSet.evaluate(facts, NOW).segments.vip!.member).toBe(true);
  });

  it('interested-not-purchased: a product over 500 viewed, no purchase within 48 hours of it', () => {
    const expensive = (ago: number): VisitorEvent =>
      event('Product Viewed', ago, { productId: 'aurora-laptop', price: 1299 });
    const { members, evaluation } = membersAfter([expensive(47 * HOUR)]);
    expect(members).not.toContain('interested-not-purchased');
    expect(evaluation.segments['interested-not-purchased']!.nextChangeAt).toBe(NOW + HOUR); // the 48 h deadline
    expect(membersAfter([expensive(49 * HOUR)]).members).toContain('interested-not-purchased');
    expect(membersAfter([expensive(49 * HOUR), event('Order Completed', 20 * HOUR)]).members).not.toContain(
      'interested-not-purchased',
    );
    expect(
      membersAfter([event('Product Viewed', 49 * HOUR, { productId: 'ember-mug', price: 19 })]).members,
    ).not.toContain('interested-not-purchased');
  });

  it('cart-abandoner: added to cart, no purchase within 30 minutes; the window can be shortened for tests', () => {
    expect(membersAfter([event('Product Added', 31 * MIN)]).members).toContain('cart-abandoner');
    const { members, evaluation } = membersAfter([event('Product Added', 10 * MIN)]);
    expect(members).not.toContain('cart-abandoner');
    expect(evaluation.segments['cart-abandoner']!.nextChangeAt).toBe(NOW + 20 * MIN);
    expect(
      membersAfter([event('Product Added', 31 * MIN), event('Order Completed', 25 * MIN)]).members,
    ).not.toContain('cart-abandoner');
    const short = compileRuleSet(demoRuleSet({ cartAbandonment: '4s' }));
    expect(membersAfter([event('Product Added', 5_000)], short).members).toContain('cart-abandoner');
  });

  it('new-visitor: first seen within the last 30 minutes and no purchase ever', () => {
    expect(membersAfter([event('page', 5 * MIN)]).members).toContain('new-visitor');
    expect(membersAfter([event('page', 31 * MIN)]).members).not.toContain('new-visitor');
    expect(membersAfter([event('page', 5 * MIN), event('Order Completed', MIN)]).members).not.toContain(
      'new-visitor',
    );
  });

  it('mobile-evening: a mobile device between 17:00 and 23:00 local time', () => {
    const page = (context: JsonObject): VisitorEvent => event('page', MIN, {}, context);
    expect(membersAfter([page({ device: { type: 'mobile' }, timezone: 'UTC' })]).members).toContain(
      'mobile-evening',
    ); // 18:29 UTC
    expect(
      membersAfter([page({ device: { type: 'mobile' }, timezone: 'Asia/Tokyo' })]).members,
    ).not.toContain('mobile-evening'); // 03:29 there
    expect(membersAfter([page({ device: { type: 'desktop' }, timezone: 'UTC' })]).members).not.toContain(
      'mobile-evening',
    );
  });
});

describe('demo content', () => {
  it('gives every segment its own home banner variant, plus an untagged fallback', () => {
    const home = DEMO_BANNERS.filter((banner) => banner.placement === 'home');
    expect(home.filter((banner) => banner.segments.length === 0)).toHaveLength(1);
    for (const key of KEYS) expect(home.filter((banner) => banner.segments.includes(key))).toHaveLength(1);
  });

  it('gives every segment at least one home page block, and tags only known segments', () => {
    for (const key of KEYS)
      expect(DEMO_HOME_PAGE.blocks.some((block) => block.segments.includes(key))).toBe(true);
    const tags = [...DEMO_BANNERS, ...DEMO_HOME_PAGE.blocks].flatMap((item) => item.segments);
    expect(tags.filter((tag) => !KEYS.includes(tag))).toEqual([]);
  });
});
