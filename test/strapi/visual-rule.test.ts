/**
 * The visual rule builder's translation (plugin/admin/src/rules/visual-rule.ts): every rule it
 * writes compiles with the engine's own compiler, and reading it back gives the same visual rule,
 * so switching between the builder and JSON never loses what an editor wrote.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../engine';
import {
  COMPARISONS,
  fromRule,
  toRule,
  type VisualCondition,
  type VisualRule,
} from '../../plugin/admin/src/rules/visual-rule';
import { fromScore, toScoreData } from '../../plugin/admin/src/rules/score-form';

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const eventName = fc.constantFrom('page', 'Article Viewed', 'Product Added', 'Order Completed');
const window = fc.constantFrom('30s', '10m', '48h', '7d');
const filters = fc
  .array(fc.record({ property: word, value: fc.oneof(word, fc.integer({ min: 0, max: 999 }).map(String)) }), {
    maxLength: 2,
    // Property names are object keys: one filter per property.
  })
  .map((list) =>
    list.filter((filter, index) => list.findIndex((other) => other.property === filter.property) === index),
  );

const condition: fc.Arbitrary<VisualCondition> = fc.oneof(
  fc.record({
    kind: fc.constant('count' as const),
    event: eventName,
    where: filters,
    within: window,
    comparison: fc.constantFrom(...COMPARISONS),
    value: fc.integer({ min: 0, max: 50 }),
  }),
  fc.record({
    kind: fc.constant('trait' as const),
    trait: word,
    operator: fc.constantFrom(...COMPARISONS),
    value: word,
  }),
  fc
    .record({
      kind: fc.constant('score' as const),
      score: fc.constant('engagement'),
      enterAtLeast: fc.integer({ min: 10, max: 100 }),
      gap: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    })
    .map(({ gap, ...score }) =>
      gap === undefined ? score : { ...score, stayAtLeast: score.enterAtLeast - gap },
    ),
  fc.record({ kind: fc.constant('absent' as const), event: eventName, where: filters, within: window }),
  fc.record({ kind: fc.constant('segment' as const), segment: fc.constant('base') }),
);

const visualRule: fc.Arbitrary<VisualRule> = fc.record({
  combinator: fc.constantFrom('all' as const, 'any' as const),
  conditions: fc.array(condition, { minLength: 2, maxLength: 4 }),
});

const SCORES = [
  { key: 'engagement', name: 'Engagement', within: '30d', points: [{ event: 'page', add: 1 }] },
];
const BASE = {
  key: 'base',
  name: 'Base',
  priority: 1,
  enabled: true,
  rule: { count: 'page', within: '1h', is: { $gte: 1 } },
};

describe('the scores form', () => {
  it('writes scores the engine compiles, and reads them back unchanged', () => {
    const form = {
      key: 'reading',
      name: 'Reading',
      description: '',
      within: '30d',
      halfLife: '7d',
      points: [
        { event: 'Article Viewed', where: [{ property: 'category', value: 'news' }], add: 2 },
        { event: 'page', where: [], add: 1 },
      ],
    };
    const data = toScoreData(form);
    const stored = { ...data, description: undefined, halfLife: data.halfLife ?? undefined };
    expect(() =>
      compileRuleSet({
        scores: [JSON.parse(JSON.stringify(stored))],
        segments: [
          {
            key: 'avid',
            name: 'Avid',
            priority: 1,
            enabled: true,
            rule: { score: 'reading', is: { $gte: 10 } },
          },
        ],
      }),
    ).not.toThrow();
    expect(fromScore(data)).toEqual(form);
  });
});

describe('the visual rule builder', () => {
  it('writes rules the engine compiles, and reads them back unchanged', () => {
    fc.assert(
      fc.property(visualRule, (visual) => {
        const rule = toRule(visual);
        expect(() =>
          compileRuleSet({
            scores: SCORES,
            segments: [BASE, { key: 'edited', name: 'Edited', priority: 2, enabled: true, rule }],
          }),
        ).not.toThrow();
        expect(fromRule(JSON.parse(JSON.stringify(rule)))).toEqual(visual);
      }),
      { numRuns: 200 },
    );
  });

  it('writes a single condition without a group', () => {
    const rule = toRule({
      combinator: 'all',
      conditions: [
        {
          kind: 'count',
          event: 'Article Viewed',
          where: [{ property: 'category', value: 'news' }],
          within: '10m',
          comparison: '$gt',
          value: 3,
        },
      ],
    });
    expect(rule).toEqual({
      count: { event: 'Article Viewed', where: { category: 'news' } },
      within: '10m',
      is: { $gt: 3 },
    });
  });

  it('leaves rules it cannot show to the JSON editor', () => {
    expect(fromRule({ not: { segment: 'vip' } })).toBeNull();
    expect(fromRule({ all: [{ count: 'page', within: '1h', is: { $gt: 1, $lt: 5 } }] })).toBeNull();
    expect(
      fromRule({ count: { event: 'page', where: { price: { $gt: 500 } } }, within: '1h', is: { $gt: 1 } }),
    ).toBeNull();
    expect(fromRule({ localTime: { from: '17:00', to: '23:00' } })).toBeNull();
  });
});
