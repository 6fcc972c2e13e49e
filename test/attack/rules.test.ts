/**
 * Hostile rule sets against a running server (real Redis): whatever an editor, a script or a
 * compromised admin account hands `setRules` (wrong types, prototype keys at any depth, nesting
 * and sizes past the limits, non-finite numbers, catastrophic regexes, lone surrogates), it either
 * compiles or is refused with a `RuleCompileError` whose every issue has a path and a reason; a
 * refused set changes nothing: the rules in force, what the endpoint serves, the stored profiles.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RuleCompileError } from '../../engine/rules';
import type { RuleSetSource } from '../../engine/types';
import { fixtureRules, TestServer } from '../graphql/support/harness';
import { HOSTILE_KEYS, loneSurrogate, own, prototypeFingerprint } from './support/hostile';
import { startInspected, type ProfileInspector } from './support/profile-state';

const redis = inject('redisUrl');
const keyPrefix = `atk-rules-${process.pid}`;
const SEGMENTS = '{ segments { key name priority } }';

let t: TestServer;
let inspect: ProfileInspector;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, inspect, close } = await startInspected(redis, keyPrefix));
});
afterAll(() => close?.());

const nested = (depth: number, leaf: unknown): unknown => {
  let node = leaf;
  for (let level = 0; level < depth; level++) node = level % 2 ? { not: node } : { all: [node] };
  return node;
};
const COUNT = { count: 'page', within: '10m', is: { $gte: 1 } };

/** A hostile replacement for one segment's rule. */
const hostileRule: fc.Arbitrary<unknown> = fc.oneof(
  fc.oneof(
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
  ),
  fc.constantFrom(...HOSTILE_KEYS).map((key) => own(key, COUNT)),
  fc.constantFrom(...HOSTILE_KEYS).map((key) => ({ traits: own(key, { polluted: true }) })),
  fc.constantFrom(...HOSTILE_KEYS).map((key) => ({ traits: { [`a.${key}.b`]: 1 } })),
  fc.constantFrom(...HOSTILE_KEYS).map((key) => ({ ...COUNT, is: own(key, 1) })),
  fc
    .constantFrom(...HOSTILE_KEYS)
    .map((key) => ({ count: { event: 'page', where: own(key, 1) }, within: '1m', is: { $gt: 0 } })),
  fc.integer({ min: 33, max: 400 }).map((depth) => nested(depth, COUNT)),
  fc.integer({ min: 501, max: 3_000 }).map((count) => ({ any: Array.from({ length: count }, () => COUNT) })),
  fc
    .constantFrom(NaN, Infinity, -Infinity, Number('1e400'), -0.5, 2 ** 60, '3', null)
    .map((threshold) => ({ ...COUNT, is: { $gte: threshold } })),
  fc
    .constantFrom('', '-1m', '0s', '1e400m', '10 mn', 'NaNs', '999999999d', 'Infinity', '10m10m', 10, null)
    .map((within) => ({ ...COUNT, within })),
  fc
    .constantFrom('(a+)+$', '(a|aa)+$', '([a-z]+)*$', '(.*a){20}', '[', '(?<n>a)\\k<n>', 'a'.repeat(5_000))
    .map((pattern) => ({ traits: { email: { $regex: pattern } } })),
  fc
    .constantFrom('$where', '$function', '$expr', '$eval', '__proto__')
    .map((operator) => ({ traits: { a: own(operator, 'return 1') } })),
  loneSurrogate.map((event) => ({ ...COUNT, count: event })),
  fc
    .constantFrom('unknown-segment', '__proto__', 'constructor', 'reader')
    .map((segment) => ({ segment, extra: 1 })),
  fc.record({
    count: fc.anything({ maxDepth: 2 }),
    within: fc.anything({ maxDepth: 1 }),
    is: fc.anything({ maxDepth: 2 }),
  }),
);

/** A hostile change of the fixture rule set. */
const hostileRuleSet: fc.Arbitrary<{ label: string; source: unknown }> = fc.oneof(
  fc.tuple(fc.nat({ max: 2 }), hostileRule).map(([index, rule]) => {
    const source = fixtureRules();
    (source.segments[index] as unknown as Record<string, unknown>).rule = rule;
    return { label: `segments[${index}].rule`, source };
  }),
  fc
    .tuple(
      fc.nat({ max: 2 }),
      fc.constantFrom('key', 'name', 'priority', 'enabled'),
      fc.oneof(
        fc.constantFrom(...HOSTILE_KEYS, '', 'A B', 'x'.repeat(65), 'reader', NaN, Infinity, null, {}, []),
        loneSurrogate,
      ),
    )
    .map(([index, field, value]) => {
      const source = fixtureRules();
      (source.segments[index] as unknown as Record<string, unknown>)[field] = value;
      return { label: `segments[${index}].${field} = ${String(value)}`, source };
    }),
  fc
    .constantFrom<unknown>(
      null,
      'rules',
      [],
      { segments: 'all' },
      { segments: [null] },
      own('__proto__', { segments: [] }),
    )
    .map((source) => ({ label: `source ${String(source)}`, source })),
  fc.constant(null).map(() => ({
    label: '1001 segments',
    source: {
      segments: Array.from({ length: 1_001 }, (_, index) => ({
        key: `s${index}`,
        name: 'S',
        priority: 1,
        enabled: true,
        rule: COUNT,
      })),
    },
  })),
  fc
    .constantFrom<unknown>(
      'none',
      [null],
      [{ key: '__proto__' }],
      [own('__proto__', {})],
      [{ key: 'x', name: 'X', within: '1m', points: [{ event: 'page', add: NaN }] }],
    )
    .map((scores) => ({ label: `scores ${String(scores)}`, source: { ...fixtureRules(), scores } })),
);

describe('hostile rule sets', () => {
  it('are refused with a path and a reason per issue, leaving the rules, the endpoint and the profiles as they were', async () => {
    const fingerprint = prototypeFingerprint();
    const { token, profileId } = await t.session();
    await t.view(token, 3);
    const rulesBefore = t.personalizer.rules.version;
    const served = await t.gql(SEGMENTS);
    const stored = await inspect.state(profileId);
    let refused = 0;
    let compiled = 0;
    await fc.assert(
      fc.asyncProperty(hostileRuleSet, async ({ label, source }) => {
        let error: unknown;
        try {
          t.personalizer.setRules(source as RuleSetSource);
        } catch (caught) {
          error = caught;
        }
        if (error === undefined) {
          // A change that happens to be valid (a new name): put the fixture back.
          compiled++;
          t.personalizer.setRules(fixtureRules());
          return;
        }
        refused++;
        expect(error, label).toBeInstanceOf(RuleCompileError);
        const issues = (error as RuleCompileError).issues;
        expect(issues.length, label).toBeGreaterThan(0);
        for (const issue of issues) {
          expect(issue.path, label).toMatch(/\S/);
          expect(issue.message, label).toMatch(/\S/);
        }
        expect(t.personalizer.rules.version, label).toBe(rulesBefore);
        expect(prototypeFingerprint(), label).toBe(fingerprint);
      }),
      { numRuns: 200 },
    );
    expect(refused).toBeGreaterThan(compiled);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(t.personalizer.rules.version).toBe(rulesBefore);
    expect(await t.gql(SEGMENTS)).toMatchObject({ data: served.data });
    expect(await inspect.state(profileId)).toEqual(stored);
    expect((await t.gql('{ me { segments { key } } }', {}, token)).data).toEqual({
      me: { segments: [{ key: 'breaking-news' }, { key: 'reader' }] },
    });
  });
});
