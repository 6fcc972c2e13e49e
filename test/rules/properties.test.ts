/**
 * Property-based tests: over random rules and random histories, the compiled evaluator agrees with
 * the reference reading of the raw event list, and `nextChangeAt` is exact: nothing flips before
 * it, and the result does flip at it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, factsFromEvents } from '../../engine/rules';
import type { JsonObject, MembershipState, SegmentDefinition, VisitorEvent } from '../../engine/types';
import { referenceMember, type ReferenceWorld } from './reference';

/** More runs for a deeper search: RULES_PROPERTY_RUNS=5000 npx vitest run test/rules. */
const RUNS = Number(process.env.RULES_PROPERTY_RUNS ?? 300);
const NOW = Date.parse('2026-03-29T00:40:00Z'); // an hour before the Paris DST jump
const TYPES = ['A', 'B', 'C'];
const WINDOWS = ['1s', '5s', '1m', '10m', '1h', '1d'];

const selector = fc.oneof(
  fc.constantFrom(...TYPES, '*'),
  fc.record({
    event: fc.constantFrom(...TYPES),
    where: fc.constantFrom<JsonObject>(
      { k: 'x' },
      { k: { $in: ['x', 'y'] } },
      { n: { $gte: 3 } },
      { k: { $exists: false } },
    ),
  }),
);
const numericIs = fc
  .tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte', '$eq', '$ne'), fc.integer({ min: 0, max: 6 }))
  .map(([op, bound]) => ({ [op]: bound }));
const durationIs = fc
  .tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), fc.constantFrom(...WINDOWS))
  .map(([op, d]) => ({ [op]: d }));
const threshold = (hysteresis: boolean) =>
  hysteresis
    ? fc.oneof(
        numericIs.map((is) => ({ is })),
        fc
          .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 3 }))
          .map(([enter, gap]) => ({ enter: { $gte: enter }, stay: { $gte: Math.max(0, enter - gap) } })),
      )
    : numericIs.map((is) => ({ is }));

const leaf = (hysteresis: boolean): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc
      .tuple(selector, fc.constantFrom(...WINDOWS), threshold(hysteresis))
      .map(([count, within, t]) => ({ count, within, ...t })),
    fc
      .tuple(selector, fc.constantFrom(...WINDOWS), threshold(hysteresis))
      .map(([count, within, t]) => ({ count, per: 'k', within, ...t })),
    fc
      .tuple(selector, fc.constantFrom(...WINDOWS), threshold(hysteresis))
      .map(([distinct, within, t]) => ({ distinct, of: 'k', within, ...t })),
    fc
      .tuple(selector, fc.constantFrom(...WINDOWS), threshold(hysteresis))
      .map(([sum, within, t]) => ({ sum, of: 'n', within, ...t })),
    fc.tuple(selector, durationIs).map(([sinceFirst, is]) => ({ sinceFirst, is })),
    fc.tuple(selector, durationIs).map(([sinceLast, is]) => ({ sinceLast, is })),
    fc
      .tuple(selector, fc.option(fc.constantFrom(...WINDOWS), { nil: undefined }))
      .map(([none, within]) => (within ? { none, within } : { none })),
    fc
      .tuple(selector, selector, fc.constantFrom('1s', '1m', '10m'), fc.constantFrom('1h', '1d'))
      .map(([after, then, within, lookback]) => ({ noFollowUp: { after, then, within, lookback } })),
    fc
      .tuple(fc.constantFrom('flat', 'decayed'), threshold(hysteresis))
      .map(([score, t]) => ({ score, ...t })),
    fc.constantFrom(
      { traits: { plan: { $in: ['pro', 'team'] } } },
      { traits: { age: { $gte: 18 } } },
      { context: { timezone: { $exists: true } } },
    ),
    fc.constantFrom(
      { localTime: { from: '01:30', to: '02:45' } },
      { localTime: { from: '23:00', to: '00:50' } },
      { weekday: { $in: ['sun'] } },
    ),
    durationIs.map((profileAge) => ({ profileAge })),
  );

const rule = (hysteresis: boolean): fc.Arbitrary<unknown> =>
  fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf(hysteresis),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
      // No hysteresis under `not` (the compiler refuses it).
      (hysteresis ? rule(false) : tie('node')).map((not) => ({ not })),
    ),
  })).node;

const SCORES: ReferenceWorld['scores'] = [
  {
    key: 'flat',
    within: '10m',
    points: [
      { event: 'A', add: 1 },
      { event: 'B', where: { k: 'x' }, add: 2 },
    ],
  },
  {
    key: 'decayed',
    within: '1h',
    halfLife: '5m',
    points: [
      { event: 'A', add: 4 },
      { event: 'C', add: -1 },
    ],
  },
];

const history = fc.array(
  fc.record({
    type: fc.constantFrom(...TYPES),
    // Mostly recent, some near window edges, a few slightly in the future (allowed skew).
    offset: fc.oneof(
      fc.integer({ min: -2 * 3_600_000, max: 0 }),
      fc.integer({ min: -70_000, max: 0 }),
      fc.integer({ min: 0, max: 60_000 }),
    ),
    k: fc.constantFrom('x', 'y', 'z', undefined),
    n: fc.integer({ min: 0, max: 5 }),
  }),
  { maxLength: 25 },
);

const world = fc.record({
  s0: rule(true),
  s1: fc.oneof(
    rule(true),
    rule(false).map((r) => ({ any: [r, { segment: 's0' }] })),
  ),
  disabled: fc.boolean(),
  events: history,
  traits: fc.constantFrom<JsonObject>({}, { plan: 'pro', age: 30 }, { plan: 'free', age: 12 }),
  timezone: fc.constantFrom('UTC', 'Europe/Paris', 'Asia/Kolkata', 'America/New_York', undefined),
  members: fc.subarray(['s0', 's1']),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function build(input: World) {
  const segments: SegmentDefinition[] = [
    { key: 's0', name: 's0', priority: 1, enabled: !input.disabled, rule: input.s0 },
    { key: 's1', name: 's1', priority: 1, enabled: true, rule: input.s1 },
  ];
  const rules = compileRuleSet({ segments, scores: SCORES });
  const events: VisitorEvent[] = input.events.map((e, i) => ({
    id: `e${i}`,
    type: e.type,
    timestamp: NOW + e.offset,
    properties: (e.k === undefined ? { n: e.n } : { k: e.k, n: e.n }) as JsonObject,
    context: {},
  }));
  const context: JsonObject = input.timezone ? { timezone: input.timezone } : {};
  const reference = (members: Set<string>): ReferenceWorld => ({
    segments,
    scores: SCORES,
    events,
    traits: input.traits,
    context,
    members,
  });
  const previous: Record<string, MembershipState> = Object.fromEntries(
    input.members.map((key) => [key, { since: NOW - 1 }]),
  );
  const evaluation = rules.evaluate(
    factsFromEvents(rules, events, NOW, previous, input.traits, context),
    NOW,
  );
  return { rules, evaluation, reference, previous };
}

describe('compiled rules against the reference evaluator', () => {
  it('agree on membership for random rules and histories', () => {
    fc.assert(
      fc.property(world, (input) => {
        const { evaluation, reference } = build(input);
        const before = reference(new Set(input.members));
        for (const key of Object.keys(evaluation.segments))
          expect(evaluation.segments[key]!.member, key).toBe(referenceMember(before, key, NOW));
      }),
      { numRuns: RUNS },
    );
  });

  it('announce nextChangeAt exactly: no flip before it, a flip at it', () => {
    fc.assert(
      fc.property(
        world,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (input, fractions) => {
          const { evaluation, reference } = build(input);
          // After this evaluation, the stored memberships are its results.
          const after = reference(
            new Set(
              Object.entries(evaluation.segments)
                .filter(([, r]) => r.member)
                .map(([key]) => key),
            ),
          );
          for (const [key, result] of Object.entries(evaluation.segments)) {
            const horizon = result.nextChangeAt ?? NOW + 100 * 86_400_000;
            expect(horizon, key).toBeGreaterThan(NOW);
            const samples = [
              NOW + 1,
              horizon - 1,
              ...fractions.map((f) => NOW + 1 + Math.floor(f * (horizon - NOW - 2))),
            ];
            for (const at of samples)
              if (at > NOW && at < horizon)
                expect(referenceMember(after, key, at), `${key} at +${at - NOW}ms`).toBe(result.member);
            // Exact, too: it flips there. (A rule that only looks timed, like "evening or not evening",
            // makes the look-ahead give up after 1,000 candidate instants, hundreds of days away: an
            // early answer there is unavoidable without deciding tautologies, and allowed.)
            if (result.nextChangeAt !== null && result.nextChangeAt < NOW + 100 * 86_400_000)
              expect(referenceMember(after, key, result.nextChangeAt), `${key} flips at nextChangeAt`).toBe(
                !result.member,
              );
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
