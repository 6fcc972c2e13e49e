/** Every bad rule is refused with the failing path and the reason; nothing compiles halfway. */
import { describe, expect, it } from 'vitest';
import { RuleCompileError, compileRuleSet } from '../../engine/rules';
import type { RuleSetSource } from '../../engine/types';
import { segment } from './helpers';

function issuesOf(source: RuleSetSource) {
  try {
    compileRuleSet(source);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleCompileError);
    return (error as RuleCompileError).issues;
  }
  throw new Error('expected a RuleCompileError');
}

const one = (rule: unknown) =>
  issuesOf({
    segments: [segment('s', rule)],
    scores: [{ key: 'engagement', within: '30d', points: [{ event: 'page', add: 1 }] }],
  });

describe('rule compile errors', () => {
  const cases: Array<[string, unknown, string, string | RegExp]> = [
    [
      'a bad duration',
      {
        all: [{ traits: { a: 1 } }, { traits: { b: 1 } }, { count: 'View', within: '10 mn', is: { $gt: 3 } }],
      },
      'rule.all[2].within',
      '"10 mn" is not a duration (e.g. "30s", "10m", "48h", "7d")',
    ],
    [
      'a window under 1 s',
      { count: 'View', within: '500ms', is: { $gt: 3 } },
      'rule.within',
      'windows are 1s to 90d, got "500ms"',
    ],
    [
      'a window over 90 days',
      { none: 'Order', within: '91d' },
      'rule.within',
      'windows are 1s to 90d, got "91d"',
    ],
    [
      'a missing window',
      { count: 'View', is: { $gt: 3 } },
      'rule.within',
      'undefined is not a duration (e.g. "30s", "10m", "48h", "7d")',
    ],
    ['an unknown condition', { every: [] }, 'rule.every', /^unknown condition "every"/],
    [
      'two conditions in one object',
      { traits: { a: 1 }, context: { b: 1 } },
      'rule',
      'one condition per object, found traits and context: wrap them in "all" or "any"',
    ],
    [
      'an unknown option',
      { count: 'View', within: '1m', is: { $gt: 1 }, per_: 'x' },
      'rule.per_',
      'unknown field "per_" for count (allowed: within, per, is, enter, stay)',
    ],
    [
      'an unknown field operator',
      { traits: { plan: { $like: 'pro' } } },
      'rule.traits.plan.$like',
      'unknown operator $like',
    ],
    [
      'an unknown threshold operator',
      { count: 'View', within: '1m', is: { $in: [1] } },
      'rule.is.$in',
      'unknown operator $in here (use $eq $ne $gt $gte $lt $lte)',
    ],
    [
      'a non-numeric threshold',
      { count: 'View', within: '1m', is: { $gt: 'three' } },
      'rule.is.$gt',
      '"three" is not a finite number',
    ],
    [
      'an invalid regex',
      { context: { 'page.path': { $regex: '([a-z' } } },
      'rule.context.page.path.$regex',
      /^invalid regular expression/,
    ],
    [
      'a backreference',
      { traits: { email: { $regex: '(a)\\1' } } },
      'rule.traits.email.$regex',
      'backreferences (\\1) are not supported: patterns run on a linear-time engine (RE2)',
    ],
    [
      'a named backreference',
      { traits: { email: { $regex: '(?<n>a)\\k<n>' } } },
      'rule.traits.email.$regex',
      /^backreferences \(\\k\) are not supported/,
    ],
    [
      'a lookahead',
      { traits: { email: { $regex: '^(?!admin)[a-z]+$' } } },
      'rule.traits.email.$regex',
      'lookahead and lookbehind ((?!) are not supported: patterns run on a linear-time engine (RE2)',
    ],
    [
      'a lookbehind',
      { context: { 'page.path': { $regex: '(?<=/blog/)fr' } } },
      'rule.context.page.path.$regex',
      /^lookahead and lookbehind \(\(\?<=\) are not supported/,
    ],
    [
      'a costly counted repeat',
      { traits: { name: { $regex: '\\pL{1000}' } } },
      'rule.traits.name.$regex',
      /^pattern too costly: compiles to 1002 instructions \(at most 300/,
    ],
    [
      'a repeat count RE2 refuses',
      { traits: { name: { $regex: '(a{100}){100}' } } },
      'rule.traits.name.$regex',
      /^invalid regular expression \(invalid repeat count/,
    ],
    [
      'a too long regex',
      { traits: { email: { $regex: 'a'.repeat(257) } } },
      'rule.traits.email.$regex',
      'pattern longer than 256 characters',
    ],
    [
      'bad regex flags',
      { traits: { email: { $regex: 'a', $options: 'g' } } },
      'rule.traits.email.$regex',
      'flags "g" are not a subset of "imsu"',
    ],
    [
      'a prototype path',
      { traits: { '__proto__.polluted': true } },
      'rule.traits.__proto__.polluted',
      '"__proto__" is not allowed in a field path',
    ],
    [
      'a bad date',
      { traits: { signedUpAt: { $after: 'yesterday' } } },
      'rule.traits.signedUpAt.$after',
      '"yesterday" is not an ISO-8601 date or epoch milliseconds',
    ],
    ['an unknown score', { score: 'karma', is: { $gt: 1 } }, 'rule.score', 'unknown score "karma"'],
    ['an unknown segment', { any: [{ segment: 'ghost' }] }, 'rule.any[0].segment', 'unknown segment "ghost"'],
    ['an empty all', { all: [] }, 'rule.all', 'expected a non-empty array of conditions, got []'],
    [
      'hysteresis under not',
      { not: { score: 'engagement', enter: { $gte: 50 }, stay: { $gte: 40 } } },
      'rule.not.enter',
      'hysteresis cannot be used under "not" (membership would flap)',
    ],
    [
      'a stay stricter than enter',
      { score: 'engagement', enter: { $gte: 50 }, stay: { $gte: 60 } },
      'rule.stay',
      'must be at least as loose as "enter"',
    ],
    [
      'a stay on the other side',
      { score: 'engagement', enter: { $gte: 50 }, stay: { $lt: 60 } },
      'rule.stay',
      'must bound the same side as "enter" (both lower or both upper bounds)',
    ],
    [
      'both is and enter',
      { score: 'engagement', is: { $gt: 1 }, enter: { $gt: 2 }, stay: { $gt: 1 } },
      'rule.is',
      'use either "is" or "enter"/"stay", not both',
    ],
    [
      'a bad local time',
      { localTime: { from: '25:00', to: '23:00' } },
      'rule.localTime.from',
      '"25:00" is not a time of day "HH:MM" (00:00 to 23:59)',
    ],
    [
      'a bad weekday',
      { weekday: { $in: ['saturday'] } },
      'rule.weekday',
      '"saturday" is not a day (sun, mon, tue, wed, thu, fri, sat)',
    ],
    [
      'a lookback shorter than within',
      { noFollowUp: { after: 'A', then: 'B', within: '48h', lookback: '1d' } },
      'rule.noFollowUp.lookback',
      'must be longer than within (2d), or nobody could ever qualify',
    ],
    [
      'a selector without event',
      { none: { where: { a: 1 } } },
      'rule.none.event',
      'expected an event name of 1 to 100 characters or "*", got undefined',
    ],
    [
      'a distinct without property',
      { distinct: 'View', within: '1h', is: { $gt: 1 } },
      'rule.of',
      'expected a property path, got undefined',
    ],
    [
      'a duration threshold that is not one',
      { sinceLast: 'View', is: { $gt: 'soon' } },
      'rule.is.$gt',
      '"soon" is not a duration',
    ],
    ['a rule that is not an object', 'count > 3', 'rule', /^expected a condition object/],
  ];

  it.each(cases)('refuses %s', (_name, rule, path, message) => {
    const issues = one(rule);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.segment).toBe('s');
    expect(issues[0]!.path).toBe(path);
    if (typeof message === 'string') expect(issues[0]!.message).toBe(message);
    else expect(issues[0]!.message).toMatch(message);
  });

  it('reports every issue of every segment at once, and formats the message', () => {
    let error: RuleCompileError | undefined;
    try {
      compileRuleSet({
        segments: [
          segment('a', { count: 'View', within: '10 mn', is: { $gt: 3 } }),
          segment('b', { all: [{ traits: { x: { $bad: 1 } } }, { none: 'X', within: 0 }] }),
          segment('a', { traits: { x: 1 } }),
          { key: 'Bad Key', name: 'x', priority: 1, enabled: true, rule: {} },
        ],
      });
    } catch (caught) {
      error = caught as RuleCompileError;
    }
    expect(error?.issues).toEqual([
      { segment: 'a', path: 'key', message: 'duplicate segment key "a"' },
      { path: 'segments[3].key', message: 'expected a slug (a-z, 0-9, "-", "_"; 1 to 64), got "Bad Key"' },
      {
        segment: 'a',
        path: 'rule.within',
        message: '"10 mn" is not a duration (e.g. "30s", "10m", "48h", "7d")',
      },
      { segment: 'b', path: 'rule.all[0].traits.x.$bad', message: 'unknown operator $bad' },
      { segment: 'b', path: 'rule.all[1].within', message: 'windows are 1s to 90d, got 0' },
    ]);
    expect(error?.message.split('\n')[2]).toBe(
      'segment "a": rule.within: "10 mn" is not a duration (e.g. "30s", "10m", "48h", "7d")',
    );
  });

  it('reports score definition problems under scores[<key>]', () => {
    const issues = issuesOf({
      segments: [segment('fan', { score: 'engagement', is: { $gte: 10 } })],
      scores: [
        {
          key: 'engagement',
          within: '100d',
          halfLife: 'weekly',
          points: [
            { event: 'page', add: 0 },
            { event: '', add: 1 },
            { event: 'x', add: 1, weight: 2 },
          ],
        },
        { key: 'engagement', within: '1d', points: [{ event: 'page', add: 1 }] },
      ],
    });
    expect(issues).toEqual([
      { path: 'scores[engagement].within', message: 'windows are 1s to 90d, got "100d"' },
      { path: 'scores[engagement].halfLife', message: '"weekly" is not a duration of at least 1s' },
      { path: 'scores[engagement].points[0].add', message: 'expected a non-zero finite number, got 0' },
      {
        path: 'scores[engagement].points[1].event',
        message: 'expected an event name of 1 to 100 characters or "*", got ""',
      },
      {
        path: 'scores[engagement].points[2].weight',
        message: 'unknown field "weight" (allowed: event, where, add)',
      },
      { path: 'scores[engagement].key', message: 'duplicate score key "engagement"' },
    ]);
  });

  it('refuses segment keys that name Object.prototype members', () => {
    expect(issuesOf({ segments: [segment('constructor', { traits: { a: 1 } })] })).toEqual([
      { path: 'segments[0].key', message: '"constructor" is reserved' },
    ]);
  });

  it('refuses a source that is not a rule set', () => {
    expect(issuesOf({ segments: 'all' } as unknown as RuleSetSource)).toEqual([
      { path: 'segments', message: 'expected an array of segments, got "all"' },
    ]);
  });

  it('accepts safe regexes and the documented operators', () => {
    expect(() =>
      compileRuleSet({
        segments: [
          segment('ok', {
            all: [
              {
                traits: {
                  email: { $regex: '^[a-z0-9._%+-]+@example\\.(com|org)$', $options: 'i' },
                  tags: 'news',
                  age: { $gte: 18, $lt: 65 },
                },
              },
              {
                context: {
                  'page.path': { $regex: '^/(?:fr|en)/' },
                  locale: { $nin: ['de'] },
                  campaign: { $exists: true },
                },
              },
              { traits: { signedUpAt: { $after: '2026-01-01', $before: '2026-12-31T23:59:59Z' } } },
            ],
          }),
        ],
      }),
    ).not.toThrow();
  });
});
