/**
 * Field conditions in the MongoDB/GrowthBook style, compiled once into plain predicates.
 *
 * A condition is either a literal (`"mobile"`, `3`, `true`, `null`: equality) or an object of
 * operators, all of which must hold: `$eq $ne $gt $gte $lt $lte $in $nin $exists $regex` (with
 * `$options`; RE2 syntax, linear-time: see regex.ts), and `$after`/`$before` for dates (ISO-8601
 * strings or epoch milliseconds).
 *
 * Semantics, chosen to match GrowthBook and MongoDB where they agree:
 * - A missing field (`undefined`) matches only `$exists: false`, `$ne` and `$nin`.
 * - On an array field, a positive operator matches when any element matches (`tags: "news"` holds
 *   for `["sport", "news"]`); `$ne`/`$nin` hold when no element matches; `$exists` looks at the field.
 * - `$gt`-style operators compare numbers with numbers and strings with strings; other pairs fail.
 */
import { compileRulePattern } from './regex';
import { IssueCollector, show } from './errors';

/** A compiled test on one value (the value read from a field path). */
export type ValueTest = (value: unknown) => boolean;

/** A compiled condition: the test and its human wording (`in ["pro", "team"]`). */
export interface CompiledCondition {
  test: ValueTest;
  /** Reads after the field name: `= "news"`, `≥ 18`, `matches /^fr/i`. */
  text: string;
}

type Scalar = string | number | boolean | null;

const FIELD_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$options',
  '$after',
  '$before',
]);

/** Compiles one field condition; reports each problem under `path` and returns `undefined` then. */
export function compileFieldCondition(
  condition: unknown,
  path: string,
  issues: IssueCollector,
): CompiledCondition | undefined {
  if (isScalar(condition)) return equality(condition, false);
  if (!isPlainObject(condition))
    return issues.report(path, `expected a value or an object of operators, got ${show(condition)}`);
  const keys = Object.keys(condition);
  if (keys.length === 0) return issues.report(path, 'expected at least one operator');
  const parts: CompiledCondition[] = [];
  let failed = false;
  for (const key of keys) {
    const operand = condition[key];
    const at = `${path}.${key}`;
    if (!FIELD_OPERATORS.has(key)) {
      issues.report(at, key.startsWith('$') ? `unknown operator ${key}` : 'expected an operator such as $eq');
      failed = true;
      continue;
    }
    if (key === '$options') {
      if (!('$regex' in condition)) {
        issues.report(at, '$options needs $regex');
        failed = true;
      }
      continue;
    }
    const part = compileOperator(key, operand, condition.$options, at, issues);
    if (part) parts.push(part);
    else failed = true;
  }
  if (failed) return undefined;
  return allOf(parts);
}

function compileOperator(
  operator: string,
  operand: unknown,
  options: unknown,
  path: string,
  issues: IssueCollector,
): CompiledCondition | undefined {
  switch (operator) {
    case '$eq':
    case '$ne':
      if (!isScalar(operand))
        return issues.report(path, `expected a string, number, boolean or null, got ${show(operand)}`);
      return equality(operand, operator === '$ne');
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof operand !== 'number' && typeof operand !== 'string')
        return issues.report(path, `expected a number or a string, got ${show(operand)}`);
      if (typeof operand === 'number' && !Number.isFinite(operand))
        return issues.report(path, `expected a finite number, got ${show(operand)}`);
      return ordering(operator, operand);
    case '$in':
    case '$nin':
      if (!Array.isArray(operand) || !operand.every(isScalar))
        return issues.report(
          path,
          `expected an array of strings, numbers, booleans or null, got ${show(operand)}`,
        );
      return membership(operand, operator === '$nin');
    case '$exists':
      if (typeof operand !== 'boolean')
        return issues.report(path, `expected true or false, got ${show(operand)}`);
      return {
        test: operand ? (value) => value !== undefined : (value) => value === undefined,
        text: operand ? 'is set' : 'is not set',
      };
    case '$regex':
      return pattern(operand, options, path, issues);
    default: {
      // $after / $before
      const at = parseDate(operand);
      if (at === undefined)
        return issues.report(path, `${show(operand)} is not an ISO-8601 date or epoch milliseconds`);
      const after = operator === '$after';
      const iso = new Date(at).toISOString();
      return anyElement({
        test: (value) => {
          const date = parseDate(value);
          return date !== undefined && (after ? date > at : date < at);
        },
        text: `${after ? 'after' : 'before'} ${iso}`,
      });
    }
  }
}

function equality(expected: Scalar, negate: boolean): CompiledCondition {
  const positive = anyElement({ test: (value) => value === expected, text: `= ${show(expected)}` });
  return negate ? not(positive, `≠ ${show(expected)}`) : positive;
}

function ordering(operator: string, bound: number | string): CompiledCondition {
  const kind = typeof bound;
  const compare: ValueTest =
    operator === '$gt'
      ? (value) => typeof value === kind && (value as number) > (bound as number)
      : operator === '$gte'
        ? (value) => typeof value === kind && (value as number) >= (bound as number)
        : operator === '$lt'
          ? (value) => typeof value === kind && (value as number) < (bound as number)
          : (value) => typeof value === kind && (value as number) <= (bound as number);
  return anyElement({ test: compare, text: `${SYMBOL[operator]} ${show(bound)}` });
}

function membership(list: Scalar[], negate: boolean): CompiledCondition {
  const set = new Set<unknown>(list);
  const positive = anyElement({ test: (value) => set.has(value), text: `in ${show(list)}` });
  return negate ? not(positive, `not in ${show(list)}`) : positive;
}

function pattern(
  source: unknown,
  options: unknown,
  path: string,
  issues: IssueCollector,
): CompiledCondition | undefined {
  if (typeof source !== 'string')
    return issues.report(path, `expected a pattern string, got ${show(source)}`);
  if (options !== undefined && typeof options !== 'string')
    return issues.report(
      path.replace(/\$regex$/, '$options'),
      `expected a string of flags, got ${show(options)}`,
    );
  const regex = compileRulePattern(source, options ?? '');
  if (typeof regex === 'string') return issues.report(path, regex);
  return anyElement({
    test: (value) => typeof value === 'string' && regex.test(value),
    text: `matches /${source}/${options ?? ''}`,
  });
}

/** Lifts a scalar test to arrays: an array matches when any element does. */
function anyElement(condition: CompiledCondition): CompiledCondition {
  const { test } = condition;
  return {
    text: condition.text,
    test: (value) => (Array.isArray(value) ? value.some(test) : test(value)),
  };
}

function not(condition: CompiledCondition, text: string): CompiledCondition {
  const { test } = condition;
  return { text, test: (value) => !test(value) };
}

function allOf(parts: CompiledCondition[]): CompiledCondition {
  if (parts.length === 1) return parts[0]!;
  const tests = parts.map((part) => part.test);
  return {
    text: parts.map((part) => part.text).join(' and '),
    test: (value) => {
      for (const test of tests) if (!test(value)) return false;
      return true;
    },
  };
}

const SYMBOL: Record<string, string> = { $gt: '>', $gte: '≥', $lt: '<', $lte: '≤', $eq: '=', $ne: '≠' };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds of an ISO-8601 date string or of a finite number, else `undefined`. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

/** JSON scalars: what equality and `$in` compare. */
export function isScalar(value: unknown): value is Scalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** A non-null, non-array object (as parsed from JSON). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
