/**
 * `$regex` runs in linear time (RE2): the patterns behind catastrophic backtracking compile and
 * evaluate on the longest value a visitor can send (1,024 characters) in well under 10 ms, and
 * the flags and the common syntax keep their meaning.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, factsFromEvents, RuleCompileError } from '../../engine/rules';
import { DEFAULT_EVENT_LIMITS } from '../../engine/events';
import type { CompiledRuleSet, JsonObject } from '../../engine/types';
import { segment, T0 } from './helpers';

const LENGTH = DEFAULT_EVENT_LIMITS.maxStringLength;

/** A rule set of one segment holding when trait `value` matches `pattern`. */
function rulesFor(pattern: string, options?: string): CompiledRuleSet {
  const condition = options === undefined ? { $regex: pattern } : { $regex: pattern, $options: options };
  return compileRuleSet({ segments: [segment('s', { traits: { value: condition } })] });
}

function matches(rules: CompiledRuleSet, value: string | string[]): boolean {
  const traits: JsonObject = { value };
  return rules.evaluate(factsFromEvents(rules, [], T0, {}, traits), T0).segments.s!.member;
}

/** The shortest of several timings of `run` (ms): a busy machine only ever makes a run slower. */
function fastest(run: () => void, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** Inputs that make a backtracking engine try every way to split them, and near misses. */
const INPUTS = [
  'a'.repeat(LENGTH),
  `${'a'.repeat(LENGTH - 1)}!`,
  'ab'.repeat(LENGTH / 2),
  `${'x'.repeat(LENGTH - 1)}y`,
  `${'a '.repeat(LENGTH / 2 - 1)}!!`,
  `${'é'.repeat(LENGTH - 1)}\n`,
];

const REDOS = [
  '.*.*.*.*x', // adjacent quantifiers (≈ n⁴ with backtracking)
  '.*.*.*.*.*.*.*.*.*.*x',
  '(a+)+$', // nested quantifiers
  '(a*)*b',
  '((a+)+)+$',
  '(a|a)*b', // alternation under a repeat
  '(a|aa)+$',
  '(\\w+\\s?)*$',
  '([a-z]+)*$',
  '(.*a){12}', // a counted repeat of a greedy group
  '^(a?){25}a{25}$',
  '(?:a+|b)*c',
  '\\s*\\s*\\s*\\s*$',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  `${'a*'.repeat(100)}b`,
  '\\pL{250}!', // a counted repeat near the program-size bound
];

describe('linear-time $regex', () => {
  it.each(REDOS)('%s compiles and evaluates on 1,024 characters in under 10 ms', (pattern) => {
    const rules = rulesFor(pattern);
    for (const input of INPUTS) {
      expect(input.length).toBe(LENGTH);
      expect(
        fastest(() => matches(rules, input)),
        `${pattern} on ${input.slice(0, 8)}…`,
      ).toBeLessThan(10);
    }
    // Compiling is cheap too (the admin compiles on every save and every "try it").
    expect(fastest(() => rulesFor(pattern))).toBeLessThan(10);
  });

  it('keeps the meaning of the ReDoS patterns', () => {
    expect(matches(rulesFor('.*.*.*.*x'), 'abcx')).toBe(true);
    expect(matches(rulesFor('.*.*.*.*x'), 'a'.repeat(200))).toBe(false);
    expect(matches(rulesFor('(a+)+$'), 'baaa')).toBe(true);
    expect(matches(rulesFor('^(a+)+$'), `${'a'.repeat(LENGTH - 1)}!`)).toBe(false);
    expect(matches(rulesFor('(a|a)*b'), 'aaab')).toBe(true);
    expect(matches(rulesFor('(.*a){12}'), 'a'.repeat(12))).toBe(true);
    expect(matches(rulesFor('(.*a){12}'), 'a'.repeat(11))).toBe(false);
  });

  it('maps the flags i, m, s and u', () => {
    expect(matches(rulesFor('^news$'), 'NEWS')).toBe(false);
    expect(matches(rulesFor('^news$', 'i'), 'NEWS')).toBe(true);
    expect(matches(rulesFor('^b$'), 'a\nb')).toBe(false);
    expect(matches(rulesFor('^b$', 'm'), 'a\nb')).toBe(true);
    expect(matches(rulesFor('a.b'), 'a\nb')).toBe(false);
    expect(matches(rulesFor('a.b', 's'), 'a\nb')).toBe(true);
    expect(matches(rulesFor('^.$', 'u'), '😀')).toBe(true);
    expect(matches(rulesFor('^.$', 'imsu'), '😀')).toBe(true);
    // Inline flags are RE2's too.
    expect(matches(rulesFor('(?i)^news$'), 'News')).toBe(true);
  });

  it('keeps the common syntax', () => {
    const email = rulesFor('^[a-z0-9._%+-]+@example\\.(com|org)$', 'i');
    expect(matches(email, 'Ann.Lee@Example.org')).toBe(true);
    expect(matches(email, 'ann@example.net')).toBe(false);
    expect(matches(rulesFor('^/(?:fr|en)/blog/'), '/fr/blog/x')).toBe(true);
    expect(matches(rulesFor('^\\d{4}-\\d{2}-\\d{2}$'), '2026-12-08')).toBe(true);
    expect(matches(rulesFor('\\bpro\\b'), 'the pro plan')).toBe(true);
    expect(matches(rulesFor('\\bpro\\b'), 'product')).toBe(false);
    expect(matches(rulesFor('^(?<lang>fr|en)-'), 'fr-FR')).toBe(true);
    expect(matches(rulesFor('^\\p{Lu}'), 'Émile')).toBe(true);
    expect(matches(rulesFor('ab+?c'), 'xabbc')).toBe(true);
    // An array matches when an element does; a non-string never matches.
    expect(matches(rulesFor('^news$'), ['sport', 'news'])).toBe(true);
    const rules = rulesFor('1');
    expect(rules.evaluate(factsFromEvents(rules, [], T0, {}, { value: 1 }), T0).segments.s!.member).toBe(
      false,
    );
  });

  it('compiles any pattern or refuses it with a RuleCompileError at its path, and evaluates without throwing', () => {
    const alphabet = fc.constantFrom(...'ab.*+?|()[]{}^$\\-,0123456789dwsbBpLk<>=!:PuxiU'.split(''));
    const pattern = fc.array(alphabet, { maxLength: 24 }).map((chars) => chars.join(''));
    const flags = fc.constantFrom('', 'i', 'ms', 'u', 'imsu', 'g', 'ii', 'y');
    fc.assert(
      fc.property(pattern, flags, fc.string({ maxLength: 64 }), (source, options, value) => {
        let rules: CompiledRuleSet;
        try {
          rules = rulesFor(source, options);
        } catch (error) {
          expect(error).toBeInstanceOf(RuleCompileError);
          const issues = (error as RuleCompileError).issues;
          expect(issues.map((issue) => issue.path)).toEqual(['rule.traits.value.$regex']);
          return;
        }
        expect(typeof matches(rules, value)).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });
});
