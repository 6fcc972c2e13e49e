/**
 * Keeps the documentation true: every JSON example of engine/rules/README.md validates against
 * rule.schema.json and compiles, and the schema refuses what the compiler refuses structurally.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../engine/rules';
import type { RuleSetSource } from '../../engine/types';
import { segment } from './helpers';

const RULES_DIR = join(__dirname, '../../engine/rules');
const schema = JSON.parse(readFileSync(join(RULES_DIR, 'rule.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(schema);
const id = schema.$id as string;
const validator = (definition?: string) =>
  ajv.getSchema(definition ? `${id}#/definitions/${definition}` : id)!;

const readme = readFileSync(join(RULES_DIR, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (match) => JSON.parse(match[1]!) as Record<string, unknown>,
);

/** Stubs the examples may refer to. */
const STUB_SEGMENTS = [
  segment('vip', { traits: { vip: true } }),
  segment('cart-abandoner', { traits: { cart: true } }),
];
const STUB_SCORES = [{ key: 'engagement', within: '30d', points: [{ event: 'page', add: 1 }] }];

function kindOf(example: Record<string, unknown>): 'ruleSet' | 'scoreDefinition' | 'rule' {
  if ('segments' in example) return 'ruleSet';
  if ('points' in example) return 'scoreDefinition';
  return 'rule';
}

describe('rule.schema.json and README.md', () => {
  it('has examples of every condition', () => {
    const text = JSON.stringify(examples);
    for (const kind of [
      'all',
      'any',
      'not',
      'traits',
      'clientTraits',
      'context',
      'localTime',
      'weekday',
      'profileAge',
      'segment',
      'count',
      'distinct',
      'sum',
      'sinceFirst',
      'sinceLast',
      'none',
      'noFollowUp',
      'score',
      'enter',
      'per',
      'halfLife',
    ])
      expect(text, kind).toContain(`"${kind}"`);
  });

  it.each(examples.map((example, index) => [index, kindOf(example), example] as const))(
    'example %i (%s) validates and compiles',
    (_index, kind, example) => {
      const validate = validator(kind === 'rule' ? undefined : kind);
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
      if (kind === 'ruleSet') compileRuleSet(example as unknown as RuleSetSource);
      else if (kind === 'scoreDefinition')
        compileRuleSet({
          segments: [segment('s', { score: example.key, is: { $gt: 0 } })],
          scores: [example],
        });
      else compileRuleSet({ segments: [...STUB_SEGMENTS, segment('example', example)], scores: STUB_SCORES });
    },
  );

  it('validates the rules used across the tests', () => {
    const rules = [
      { count: { event: 'Article Viewed', where: { category: 'news' } }, within: '10m', is: { $gte: 3 } },
      { count: 'Product Viewed', per: 'productId', within: '10m', is: { $gte: 3 } },
      {
        all: [
          { sinceFirst: 'Order Completed', is: { $gte: '1s' } },
          { none: 'Order Completed', within: '30d' },
        ],
      },
      { weekday: 'sat' },
      { profileAge: '30m' },
      { traits: { tags: 'news', score: 3, ok: null } },
    ];
    for (const rule of rules) expect(validator()(rule), JSON.stringify(rule)).toBe(true);
  });

  it('refuses structurally bad rules, as the compiler does', () => {
    const bad = [
      { every: [] },
      { all: [] },
      { traits: { a: 1 }, context: { b: 1 } },
      { count: 'View', within: '10 mn', is: { $gt: 3 } },
      { count: 'View', is: { $gt: 3 } },
      { count: 'View', within: '1m', is: { $gt: 1 }, enter: { $gt: 2 }, stay: { $gt: 1 } },
      { count: 'View', within: '1m', enter: { $gt: 2 } },
      { traits: { plan: { $like: 'pro' } } },
      { traits: { '__proto__.x': 1 } },
      { localTime: { from: '25:00', to: '23:00' } },
      { weekday: { $in: ['saturday'] } },
      { noFollowUp: { after: 'A', then: 'B', within: '1h' } },
      { segment: 'Not A Slug' },
      'count > 3',
    ];
    for (const rule of bad) {
      expect(validator()(rule), JSON.stringify(rule)).toBe(false);
      expect(() => compileRuleSet({ segments: [segment('s', rule)] }), JSON.stringify(rule)).toThrow();
    }
  });
});
