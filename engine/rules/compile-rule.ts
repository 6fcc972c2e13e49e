/**
 * Compiles one segment's rule (JSON, see README.md) into a tree of `RuleNode`s, reporting every
 * problem with its path. Each rule object has exactly one kind key (`all`, `count`, `traits`...)
 * plus the options of that kind; anything else is an error.
 */
import { compileWindow, formatDuration } from './duration';
import { IssueCollector, show } from './errors';
import { compileFieldMap, compileFieldPath } from './field-map';
import type { RuleNode } from './node';
import { isPlainObject } from './operators';
import { compileSelector } from './selector';
import type { Carry, StreamDefinition, StreamRegistry } from './streams';
import { compileNumericTest, compileThreshold } from './threshold';
import { NoneNode, NoFollowUpNode } from './nodes/absence';
import { AgeNode } from './nodes/age';
import { AggregateNode } from './nodes/aggregate';
import { AttributeNode } from './nodes/attributes';
import { AllNode, AnyNode, NotNode } from './nodes/boolean';
import { ClockNode, DAY_NAMES } from './nodes/clock';
import { SegmentReferenceNode } from './nodes/reference';
import { ScoreNode } from './nodes/score';
import type { ScoreSource } from './compile-scores';

/** What compiling a rule needs from the rule set around it. */
export interface RuleCompileContext {
  issues: IssueCollector;
  streams: StreamRegistry;
  /** Compiled scores by key; `null` for a score that is defined but failed to compile. */
  scores: ReadonlyMap<string, ScoreSource | null>;
  /** The index of the segment being compiled (hysteresis reads its membership). */
  segmentIndex: number;
  /**
   * Resolves a referenced segment (already compiled: references compile first); `undefined` for an
   * unknown key, `null` for a segment that exists but could not compile (already reported).
   */
  segment(key: string): { index: number; rule: RuleNode; enabled: boolean } | null | undefined;
  /** Marks the rule as failed without a new issue (the cause was reported elsewhere). */
  failed(): undefined;
  /** Collects every `context` dot path a rule reads (what the stores keep of event contexts). */
  contextPaths: Set<string>;
}

/** Where `localTime` and `weekday` read the visitor's timezone (see timezone.ts `timezoneOf`). */
const TIMEZONE_PATH = 'timezone';

/** Nesting deeper than this is refused (it is never needed, and bounds recursion). */
export const MAX_RULE_DEPTH = 32;
/** Conditions per segment, at most. */
export const MAX_RULE_NODES = 500;

/** Every kind of rule object, with the option keys it accepts. */
const KINDS: Record<string, ReadonlyArray<string>> = {
  all: [],
  any: [],
  not: [],
  traits: [],
  clientTraits: [],
  context: [],
  localTime: [],
  weekday: [],
  profileAge: [],
  segment: [],
  count: ['within', 'per', 'is', 'enter', 'stay'],
  distinct: ['of', 'within', 'is', 'enter', 'stay'],
  sum: ['of', 'within', 'is', 'enter', 'stay'],
  sinceFirst: ['is'],
  sinceLast: ['is'],
  none: ['within'],
  noFollowUp: [],
  score: ['is', 'enter', 'stay'],
};

const KIND_LIST = Object.keys(KINDS).join(', ');

/** Compiles a segment's rule; `undefined` when any issue was reported. */
export function compileRule(rule: unknown, context: RuleCompileContext): RuleNode | undefined {
  const before = context.issues.issues.length;
  const state = { nodes: 0 };
  const node = compileNode(rule, 'rule', context, { depth: 0, underNot: false, state });
  return context.issues.issues.length === before && node ? node : undefined;
}

interface Position {
  depth: number;
  underNot: boolean;
  state: { nodes: number };
}

function compileNode(
  rule: unknown,
  path: string,
  context: RuleCompileContext,
  position: Position,
): RuleNode | undefined {
  const { issues } = context;
  if (position.depth > MAX_RULE_DEPTH)
    return issues.report(path, `rules nest at most ${MAX_RULE_DEPTH} levels`);
  if (++position.state.nodes > MAX_RULE_NODES)
    return issues.report(path, `a rule has at most ${MAX_RULE_NODES} conditions`);
  if (!isPlainObject(rule))
    return issues.report(path, `expected a condition object (${KIND_LIST}), got ${show(rule)}`);
  const keys = Object.keys(rule);
  const kinds = keys.filter((key) => Object.hasOwn(KINDS, key));
  if (kinds.length !== 1) {
    if (kinds.length > 1)
      return issues.report(
        path,
        `one condition per object, found ${kinds.join(' and ')}: wrap them in "all" or "any"`,
      );
    const unknown = keys[0];
    return issues.report(
      unknown === undefined ? path : `${path}.${unknown}`,
      unknown === undefined
        ? `expected one of ${KIND_LIST}`
        : `unknown condition "${unknown}" (expected one of ${KIND_LIST})`,
    );
  }
  const kind = kinds[0]!;
  const allowed = KINDS[kind]!;
  let ok = true;
  for (const key of keys)
    if (key !== kind && !allowed.includes(key)) {
      issues.report(
        `${path}.${key}`,
        `unknown field "${key}" for ${kind}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      );
      ok = false;
    }
  const node = compileKind(kind, rule, path, context, position);
  return ok ? node : undefined;
}

function compileKind(
  kind: string,
  rule: Record<string, unknown>,
  path: string,
  context: RuleCompileContext,
  position: Position,
): RuleNode | undefined {
  const { issues } = context;
  const at = `${path}.${kind}`;
  const value = rule[kind];
  const child: Position = { ...position, depth: position.depth + 1 };
  switch (kind) {
    case 'all':
    case 'any': {
      if (!Array.isArray(value) || value.length === 0)
        return issues.report(at, `expected a non-empty array of conditions, got ${show(value)}`);
      const children = value.map((item, index) => compileNode(item, `${at}[${index}]`, context, child));
      if (children.some((node) => node === undefined)) return undefined;
      const nodes = children as RuleNode[];
      if (nodes.length === 1) return nodes[0];
      return kind === 'all' ? new AllNode(path, nodes) : new AnyNode(path, nodes);
    }
    case 'not': {
      const inner = compileNode(value, at, context, { ...child, underNot: true });
      return inner && new NotNode(path, inner);
    }
    case 'traits':
    case 'clientTraits':
    case 'context': {
      const map = compileFieldMap(value, at, issues);
      if (map && kind === 'context') for (const field of map.fields) context.contextPaths.add(field.name);
      return map && new AttributeNode(path, kind, map);
    }
    case 'localTime':
      context.contextPaths.add(TIMEZONE_PATH);
      return compileLocalTime(value, at, path, issues);
    case 'weekday':
      context.contextPaths.add(TIMEZONE_PATH);
      return compileWeekday(value, at, path, issues);
    case 'profileAge': {
      const test = compileNumericTest(value, at, issues, true);
      return test && new AgeNode(path, { kind: 'profile' }, test);
    }
    case 'segment': {
      if (typeof value !== 'string') return issues.report(at, `expected a segment key, got ${show(value)}`);
      const target = context.segment(value);
      if (target === undefined) return issues.report(at, `unknown segment "${value}"`);
      if (target === null) return context.failed();
      return new SegmentReferenceNode(path, value, target.index, target.rule, target.enabled);
    }
    case 'score':
      return compileScoreCondition(rule, path, context, position);
    case 'noFollowUp':
      return compileNoFollowUp(value, at, path, context);
    default:
      return compileStreamCondition(kind, rule, path, context, position);
  }
}

function compileStreamCondition(
  kind: string,
  rule: Record<string, unknown>,
  path: string,
  context: RuleCompileContext,
  position: Position,
): RuleNode | undefined {
  const { issues, streams } = context;
  const selector = compileSelector(rule[kind], `${path}.${kind}`, issues);
  const needsWindow = kind === 'count' || kind === 'distinct' || kind === 'sum';
  const windowMs =
    needsWindow || rule.within !== undefined
      ? compileWindow(rule.within, `${path}.within`, issues)
      : undefined;
  const property = kind === 'distinct' || kind === 'sum' ? rule.of : kind === 'count' ? rule.per : undefined;
  const propertyPath = kind === 'count' ? `${path}.per` : `${path}.of`;
  let carry: Carry | undefined = { kind: 'none' };
  if (kind === 'distinct' || kind === 'sum' || property !== undefined) {
    const read =
      typeof property === 'string'
        ? compileFieldPath(property, propertyPath, issues)
        : issues.report(propertyPath, `expected a property path, got ${show(property)}`);
    carry = read && { kind: kind === 'sum' ? 'number' : 'json', property: property as string, read };
  }
  if (kind === 'sinceFirst' || kind === 'sinceLast') {
    const test = compileNumericTest(rule.is, `${path}.is`, issues, true);
    if (!selector || !test) return undefined;
    const stream = streams.use(selector, { kind: 'none' }, 0, true);
    return new AgeNode(path, { kind: kind === 'sinceFirst' ? 'first' : 'last', stream }, test);
  }
  if (kind === 'none') {
    if (!selector || (rule.within !== undefined && windowMs === undefined)) return undefined;
    const stream = streams.use(selector, { kind: 'none' }, windowMs ?? 0, windowMs === undefined);
    return new NoneNode(path, stream, windowMs);
  }
  const threshold = compileThreshold(rule, path, issues, false, !position.underNot);
  if (!selector || windowMs === undefined || !carry || !threshold) return undefined;
  const stream = streams.use(selector, carry, windowMs, false);
  const aggregate =
    kind === 'count' ? (property === undefined ? 'count' : 'countPer') : (kind as 'distinct' | 'sum');
  return new AggregateNode(path, aggregate, stream, windowMs, threshold, context.segmentIndex);
}

function compileScoreCondition(
  rule: Record<string, unknown>,
  path: string,
  context: RuleCompileContext,
  position: Position,
): RuleNode | undefined {
  const { issues } = context;
  const key = rule.score;
  const threshold = compileThreshold(rule, path, issues, false, !position.underNot);
  if (typeof key !== 'string')
    return issues.report(`${path}.score`, `expected a score key, got ${show(key)}`);
  const score = context.scores.get(key);
  if (score === undefined) return issues.report(`${path}.score`, `unknown score "${key}"`);
  if (score === null || !threshold) return undefined;
  return new ScoreNode(path, score.use(), threshold, context.segmentIndex);
}

const NO_FOLLOW_UP_FIELDS = ['after', 'then', 'within', 'lookback'];

function compileNoFollowUp(
  value: unknown,
  at: string,
  path: string,
  context: RuleCompileContext,
): RuleNode | undefined {
  const { issues, streams } = context;
  if (!isPlainObject(value))
    return issues.report(at, `expected { after, then, within, lookback }, got ${show(value)}`);
  let ok = true;
  for (const key of Object.keys(value))
    if (!NO_FOLLOW_UP_FIELDS.includes(key)) {
      issues.report(`${at}.${key}`, `unknown field "${key}" (allowed: ${NO_FOLLOW_UP_FIELDS.join(', ')})`);
      ok = false;
    }
  const after = compileSelector(value.after, `${at}.after`, issues);
  const then = compileSelector(value.then, `${at}.then`, issues);
  const within = compileWindow(value.within, `${at}.within`, issues);
  const lookback = compileWindow(value.lookback, `${at}.lookback`, issues);
  if (within !== undefined && lookback !== undefined && lookback <= within) {
    issues.report(
      `${at}.lookback`,
      `must be longer than within (${formatDuration(within)}), or nobody could ever qualify`,
    );
    ok = false;
  }
  if (!ok || !after || !then || within === undefined || lookback === undefined) return undefined;
  const afterStream: StreamDefinition = streams.use(after, { kind: 'none' }, lookback, false);
  const thenStream: StreamDefinition = streams.use(then, { kind: 'none' }, lookback, false);
  return new NoFollowUpNode(path, afterStream, thenStream, within, lookback);
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function compileLocalTime(
  value: unknown,
  at: string,
  path: string,
  issues: IssueCollector,
): RuleNode | undefined {
  if (!isPlainObject(value))
    return issues.report(at, `expected { "from": "HH:MM", "to": "HH:MM" }, got ${show(value)}`);
  let ok = true;
  for (const key of Object.keys(value))
    if (key !== 'from' && key !== 'to') {
      issues.report(`${at}.${key}`, `unknown field "${key}" (allowed: from, to)`);
      ok = false;
    }
  const minutes = (field: 'from' | 'to'): number | undefined => {
    const match = typeof value[field] === 'string' ? CLOCK.exec(value[field]) : null;
    if (!match)
      return issues.report(
        `${at}.${field}`,
        `${show(value[field])} is not a time of day "HH:MM" (00:00 to 23:59)`,
      );
    return Number(match[1]) * 60 + Number(match[2]);
  };
  const from = minutes('from');
  const to = minutes('to');
  if (!ok || from === undefined || to === undefined) return undefined;
  if (from === to) return issues.report(`${at}.to`, 'must differ from "from"');
  const holds =
    from < to
      ? (local: { minuteOfDay: number }) => local.minuteOfDay >= from && local.minuteOfDay < to
      : (local: { minuteOfDay: number }) => local.minuteOfDay >= from || local.minuteOfDay < to;
  return new ClockNode(path, holds, [from, to], `local time ${value.from as string}-${value.to as string}`);
}

function compileWeekday(
  value: unknown,
  at: string,
  path: string,
  issues: IssueCollector,
): RuleNode | undefined {
  let names: unknown;
  let negate = false;
  if (typeof value === 'string') names = [value];
  else if (isPlainObject(value) && Object.keys(value).length === 1) {
    const [op] = Object.keys(value) as [string];
    if (op === '$in' || op === '$eq') names = op === '$eq' ? [value[op]] : value[op];
    else if (op === '$nin' || op === '$ne') {
      names = op === '$ne' ? [value[op]] : value[op];
      negate = true;
    } else return issues.report(`${at}.${op}`, `unknown operator ${op} here (use $eq $ne $in $nin)`);
  } else return issues.report(at, `expected a day ("sat") or { "$in": ["sat", "sun"] }, got ${show(value)}`);
  if (!Array.isArray(names) || names.length === 0)
    return issues.report(at, `expected a non-empty array of days, got ${show(names)}`);
  const days = new Set<number>();
  for (const name of names) {
    const day = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
    if (day < 0) return issues.report(at, `${show(name)} is not a day (${DAY_NAMES.join(', ')})`);
    days.add(day);
  }
  const list = [...days].map((day) => DAY_NAMES[day]).join(', ');
  return new ClockNode(
    path,
    negate ? (local) => !days.has(local.weekday) : (local) => days.has(local.weekday),
    [0],
    `weekday ${negate ? 'not in' : 'in'} [${list}]`,
  );
}

/**
 * The segment keys a rule refers to, with their paths, read along the grammar (so a property named
 * `segment` inside a `where` is not mistaken for a reference). Used to order and check segments
 * before compiling them.
 */
export function referencesOf(
  rule: unknown,
  path = 'rule',
  found: Array<{ key: string; path: string }> = [],
  depth = 0,
): Array<{ key: string; path: string }> {
  if (!isPlainObject(rule) || depth > MAX_RULE_DEPTH) return found;
  if (typeof rule.segment === 'string') found.push({ key: rule.segment, path: `${path}.segment` });
  for (const kind of ['all', 'any'] as const) {
    const children = rule[kind];
    if (Array.isArray(children))
      children.forEach((item, index) => referencesOf(item, `${path}.${kind}[${index}]`, found, depth + 1));
  }
  if (rule.not !== undefined) referencesOf(rule.not, `${path}.not`, found, depth + 1);
  return found;
}
