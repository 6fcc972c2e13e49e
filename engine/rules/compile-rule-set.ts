/**
 * `compileRuleSet`: checks and compiles a whole rule set (segments and scores) at once. Segments
 * are compiled references first (a depth-first topological order); unknown references and cycles
 * are reported with the path of the reference. Any issue anywhere refuses the whole set, so a bad
 * edit never replaces a working rule set.
 */
import { createHash } from 'node:crypto';
import type { CompiledRuleSet, RuleSetSource } from '../types';
import { compileRule, referencesOf } from './compile-rule';
import { compileScores } from './compile-scores';
import { CompiledRules, type CompiledSegment } from './compiled-rule-set';
import { IssueCollector, RuleCompileError, show } from './errors';
import { isPlainObject } from './operators';
import { canonicalJson } from './selector';
import { StreamRegistry, buildRouter } from './streams';

/** Segment keys: slugs, as used in URLs, GraphQL results and Redis keys. */
const SEGMENT_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Slugs that name `Object.prototype` members: as record keys elsewhere they would read inherited values. */
const RESERVED_KEYS = new Set(['constructor', 'prototype']);
/** Segments per rule set, at most. */
export const MAX_SEGMENTS = 1_000;

interface CheckedSegment {
  key: string;
  name: string;
  priority: number;
  enabled: boolean;
  rule: unknown;
}

/**
 * Compiles `source` into an immutable `CompiledRuleSet`; throws `RuleCompileError` listing every
 * issue (with segment key and path) when anything is wrong.
 */
export function compileRuleSet(source: RuleSetSource): CompiledRuleSet {
  const issues = new IssueCollector();
  const segments = checkSegments(source, issues);
  const streams = new StreamRegistry();
  const scores = compileScores(isPlainObject(source) ? source.scores : undefined, issues, streams);
  const indexByKey = new Map(segments.map((segment, index) => [segment.key, index]));
  const order = evaluationOrder(segments, indexByKey, issues);

  const compiled = new Array<CompiledSegment | undefined>(segments.length);
  const contextPaths = new Set<string>();
  for (const index of order) {
    const segment = segments[index]!;
    issues.segment = segment.key;
    const rule = compileRule(segment.rule, {
      issues,
      streams,
      scores,
      segmentIndex: index,
      segment: (key) => {
        const target = indexByKey.get(key);
        if (target === undefined) return undefined;
        const found = compiled[target];
        return found ? { index: target, rule: found.rule, enabled: found.enabled } : null;
      },
      failed: () => undefined,
      contextPaths,
    });
    if (rule)
      compiled[index] = {
        key: segment.key,
        name: segment.name,
        priority: segment.priority,
        enabled: segment.enabled,
        rule,
      };
  }
  issues.segment = undefined;
  if (issues.issues.length > 0) throw new RuleCompileError(issues.issues);

  const version = createHash('sha256')
    .update(canonicalJson({ segments, scores: isPlainObject(source) ? (source.scores ?? []) : [] }))
    .digest('hex')
    .slice(0, 16);
  const definitions = streams.all();
  return new CompiledRules(
    version,
    compiled as CompiledSegment[],
    order,
    definitions.map((definition) => definition.spec),
    buildRouter(definitions),
    [...contextPaths].sort(),
  );
}

function checkSegments(source: RuleSetSource, issues: IssueCollector): CheckedSegment[] {
  if (!isPlainObject(source) || !Array.isArray(source.segments)) {
    issues.report(
      'segments',
      `expected an array of segments, got ${show(isPlainObject(source) ? source.segments : source)}`,
    );
    return [];
  }
  if (source.segments.length > MAX_SEGMENTS) {
    issues.report('segments', `at most ${MAX_SEGMENTS} segments`);
    return [];
  }
  const seen = new Set<string>();
  const checked: CheckedSegment[] = [];
  source.segments.forEach((segment: unknown, index) => {
    if (!isPlainObject(segment)) {
      issues.report(`segments[${index}]`, `expected a segment object, got ${show(segment)}`);
      return;
    }
    const { key, name, priority, enabled } = segment;
    if (typeof key === 'string' && RESERVED_KEYS.has(key)) {
      issues.report(`segments[${index}].key`, `"${key}" is reserved`);
      return;
    }
    if (typeof key !== 'string' || !SEGMENT_KEY.test(key)) {
      issues.report(
        `segments[${index}].key`,
        `expected a slug (a-z, 0-9, "-", "_"; 1 to 64), got ${show(key)}`,
      );
      return;
    }
    issues.segment = key;
    let ok = true;
    if (seen.has(key)) {
      issues.report('key', `duplicate segment key "${key}"`);
      ok = false;
    }
    if (typeof name !== 'string') {
      issues.report('name', `expected a string, got ${show(name)}`);
      ok = false;
    }
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      issues.report('priority', `expected a finite number, got ${show(priority)}`);
      ok = false;
    }
    if (typeof enabled !== 'boolean') {
      issues.report('enabled', `expected true or false, got ${show(enabled)}`);
      ok = false;
    }
    issues.segment = undefined;
    seen.add(key);
    if (ok)
      checked.push({
        key,
        name: name as string,
        priority: priority as number,
        enabled: enabled as boolean,
        rule: segment.rule,
      });
  });
  return checked;
}

/** Segment indexes, references first; reports cycles at the reference that closes them. */
function evaluationOrder(
  segments: CheckedSegment[],
  indexByKey: Map<string, number>,
  issues: IssueCollector,
): number[] {
  const order: number[] = [];
  const state = new Array<'visiting' | 'done' | undefined>(segments.length);
  const visit = (index: number, trail: string[]): void => {
    state[index] = 'visiting';
    const segment = segments[index]!;
    for (const reference of referencesOf(segment.rule)) {
      const target = indexByKey.get(reference.key);
      if (target === undefined) continue; // reported as unknown when the rule compiles
      if (state[target] === 'visiting') {
        const path = [...trail, segment.key];
        const cycle = [...path.slice(path.indexOf(reference.key)), reference.key];
        issues.issues.push({
          segment: segment.key,
          path: reference.path,
          message: `reference cycle: ${cycle.join(' -> ')}`,
        });
      } else if (state[target] === undefined) visit(target, [...trail, segment.key]);
    }
    state[index] = 'done';
    order.push(index);
  };
  for (let index = 0; index < segments.length; index++) if (state[index] === undefined) visit(index, []);
  return order;
}
