/**
 * Thresholds on numbers: the `is` of aggregates and scores (`{ "$gt": 3 }`), or the hysteresis
 * pair `enter`/`stay` (`"enter": { "$gte": 50 }, "stay": { "$gte": 40 }`): a profile that is not a
 * member must pass `enter`; a member stays while it passes `stay`. Durations are accepted as
 * comparands where the value is a duration (`sinceLast`, `profileAge`).
 */
import { parseDuration, formatDuration } from './duration';
import { IssueCollector, show } from './errors';
import { isPlainObject } from './operators';

/** A compiled numeric test with its wording and the constants it compares with. */
export interface NumericTest {
  test(value: number | undefined): boolean;
  /** `> 3`, `≥ 50 and < 80`, `< 30m`. */
  text: string;
  /** The comparands: a monotone value can only change truth where it crosses one of these. */
  bounds: number[];
}

/** A threshold: plain, or with hysteresis (then `stay` applies to current members). */
export interface Threshold {
  enter: NumericTest;
  /** Same object as `enter` when there is no hysteresis. */
  stay: NumericTest;
  hysteresis: boolean;
}

const SYMBOL: Record<string, string> = { $eq: '=', $ne: '≠', $gt: '>', $gte: '≥', $lt: '<', $lte: '≤' };

/**
 * Compiles `is`, or `enter` + `stay`, from `rule` (the aggregate's object) at `path`.
 * `durations` allows `"30m"`-style comparands (values in milliseconds).
 */
export function compileThreshold(
  rule: Record<string, unknown>,
  path: string,
  issues: IssueCollector,
  durations: boolean,
  allowHysteresis: boolean,
): Threshold | undefined {
  const hasIs = rule.is !== undefined;
  const hasEnter = rule.enter !== undefined || rule.stay !== undefined;
  if (hasIs && hasEnter) return issues.report(`${path}.is`, 'use either "is" or "enter"/"stay", not both');
  if (hasIs) {
    const test = compileNumericTest(rule.is, `${path}.is`, issues, durations);
    return test && { enter: test, stay: test, hysteresis: false };
  }
  if (!hasEnter) return issues.report(path, 'expected "is" (or "enter" and "stay")');
  if (!allowHysteresis)
    return issues.report(`${path}.enter`, 'hysteresis cannot be used under "not" (membership would flap)');
  if (rule.enter === undefined) return issues.report(`${path}.enter`, 'expected "enter" with "stay"');
  if (rule.stay === undefined) return issues.report(`${path}.stay`, 'expected "stay" with "enter"');
  const enter = compileBound(rule.enter, `${path}.enter`, issues, durations);
  const stay = compileBound(rule.stay, `${path}.stay`, issues, durations);
  if (!enter || !stay) return undefined;
  if (enter.direction !== stay.direction)
    return issues.report(
      `${path}.stay`,
      'must bound the same side as "enter" (both lower or both upper bounds)',
    );
  // Everything that enters must be able to stay, or a new member would leave at once.
  const looser = enter.direction === 'lower' ? stay.bound <= enter.bound : stay.bound >= enter.bound;
  if (!looser) return issues.report(`${path}.stay`, 'must be at least as loose as "enter"');
  return { enter: enter.test, stay: stay.test, hysteresis: true };
}

/** A numeric operator map such as `{ "$gt": 3, "$lte": 10 }` (all must hold). */
export function compileNumericTest(
  spec: unknown,
  path: string,
  issues: IssueCollector,
  durations: boolean,
): NumericTest | undefined {
  if (typeof spec === 'number' || (durations && typeof spec === 'string'))
    return compileNumericTest({ $eq: spec }, path, issues, durations);
  if (!isPlainObject(spec) || Object.keys(spec).length === 0)
    return issues.report(path, `expected an object of comparisons such as { "$gt": 3 }, got ${show(spec)}`);
  const parts: Array<{ op: string; bound: number }> = [];
  for (const [op, operand] of Object.entries(spec)) {
    if (!(op in SYMBOL)) {
      issues.report(
        `${path}.${op}`,
        op.startsWith('$')
          ? `unknown operator ${op} here (use $eq $ne $gt $gte $lt $lte)`
          : `expected an operator such as $gt`,
      );
      continue;
    }
    const bound = durations
      ? parseDuration(operand)
      : typeof operand === 'number' && Number.isFinite(operand)
        ? operand
        : undefined;
    if (bound === undefined) {
      issues.report(
        `${path}.${op}`,
        `${show(operand)} is not ${durations ? 'a duration' : 'a finite number'}`,
      );
      continue;
    }
    parts.push({ op, bound });
  }
  if (parts.length !== Object.keys(spec).length) return undefined;
  const tests = parts.map(({ op, bound }) => comparison(op, bound));
  const test =
    tests.length === 1
      ? tests[0]!
      : (value: number | undefined) => {
          for (const single of tests) if (!single(value)) return false;
          return true;
        };
  return {
    test,
    text: parts
      .map(({ op, bound }) => `${SYMBOL[op]} ${durations ? formatDuration(bound) : bound}`)
      .join(' and '),
    bounds: parts.map(({ bound }) => bound),
  };
}

function compileBound(
  spec: unknown,
  path: string,
  issues: IssueCollector,
  durations: boolean,
): { test: NumericTest; direction: 'lower' | 'upper'; bound: number } | undefined {
  const test = compileNumericTest(spec, path, issues, durations);
  if (!test) return undefined;
  const [op, ...rest] = Object.keys(spec as object);
  if (rest.length > 0 || !op || !['$gt', '$gte', '$lt', '$lte'].includes(op))
    return issues.report(path, 'expected a single bound: $gt, $gte, $lt or $lte');
  return { test, direction: op.startsWith('$g') ? 'lower' : 'upper', bound: test.bounds[0]! };
}

function comparison(op: string, bound: number): (value: number | undefined) => boolean {
  switch (op) {
    case '$eq':
      return (value) => value === bound;
    case '$ne':
      return (value) => value !== undefined && value !== bound;
    case '$gt':
      return (value) => value !== undefined && value > bound;
    case '$gte':
      return (value) => value !== undefined && value >= bound;
    case '$lt':
      return (value) => value !== undefined && value < bound;
    default:
      return (value) => value !== undefined && value <= bound;
  }
}
