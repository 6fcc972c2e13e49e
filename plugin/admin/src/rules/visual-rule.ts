/**
 * The visual rule builder's model, and its exact translation to and from the JSON rule language
 * (engine/rules). The builder shows a rule as a list of conditions joined by "all" or "any"; each
 * condition is one of the everyday kinds editors need. A rule that does not fit this shape (nested
 * groups, other operators) is not forced into it: `fromRule` returns `null` and the page shows the
 * JSON editor instead, so nothing an editor wrote is ever lost by switching views.
 *
 * Pure: no React, no fetch; tested in test/strapi/visual-rule.test.ts.
 */

/** A comparison operator of the rule language (MongoDB style). */
export type Comparison = '$gt' | '$gte' | '$lt' | '$lte' | '$eq' | '$ne';

export const COMPARISONS: Comparison[] = ['$gt', '$gte', '$lt', '$lte', '$eq', '$ne'];

/** One property filter on an event: `category` equals `news`. */
export interface PropertyFilter {
  property: string;
  value: string;
}

/** "Article Viewed (category = news) more than 3 times within 10m": `{ count, within, is }`. */
export interface EventCountCondition {
  kind: 'count';
  event: string;
  where: PropertyFilter[];
  within: string;
  comparison: Comparison;
  value: number;
}

/** "Trait plan equal to pro": `{ traits: { plan: { $eq: "pro" } } }`. */
export interface TraitCondition {
  kind: 'trait';
  trait: string;
  operator: Comparison;
  value: string;
}

/** "Score engagement at least 50, members stay while at least 40": `{ score, enter, stay }`. */
export interface ScoreCondition {
  kind: 'score';
  score: string;
  enterAtLeast: number;
  /** Hysteresis: members stay while the score is at least this; absent = the same as `enterAtLeast`. */
  stayAtLeast?: number;
}

/** "No Order Completed within 48h": `{ none, within }`. */
export interface AbsenceCondition {
  kind: 'absent';
  event: string;
  where: PropertyFilter[];
  within: string;
}

/** "Member of segment vip": `{ segment: "vip" }`. */
export interface SegmentCondition {
  kind: 'segment';
  segment: string;
}

export type VisualCondition =
  EventCountCondition | TraitCondition | ScoreCondition | AbsenceCondition | SegmentCondition;

export interface VisualRule {
  combinator: 'all' | 'any';
  conditions: VisualCondition[];
}

/** A blank condition of each kind, as the "add condition" buttons insert it. */
export function blankCondition(kind: VisualCondition['kind']): VisualCondition {
  switch (kind) {
    case 'count':
      return { kind, event: '', where: [], within: '10m', comparison: '$gt', value: 3 };
    case 'trait':
      return { kind, trait: '', operator: '$eq', value: '' };
    case 'score':
      return { kind, score: '', enterAtLeast: 50 };
    case 'absent':
      return { kind, event: '', where: [], within: '48h' };
    case 'segment':
      return { kind, segment: '' };
  }
}

/** The JSON rule for a visual rule. One condition is written on its own, without a group. */
export function toRule(visual: VisualRule): unknown {
  const conditions = visual.conditions.map(conditionToRule);
  if (conditions.length === 1) return conditions[0];
  return { [visual.combinator]: conditions };
}

/** The visual form of a JSON rule, or `null` when the rule uses anything the builder does not show. */
export function fromRule(rule: unknown): VisualRule | null {
  if (!isObject(rule)) return null;
  const keys = Object.keys(rule);
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
    const list = rule[keys[0]];
    if (!Array.isArray(list)) return null;
    const conditions = list.map(conditionFromRule);
    if (conditions.some((condition) => condition === null)) return null;
    return { combinator: keys[0], conditions: conditions as VisualCondition[] };
  }
  const single = conditionFromRule(rule);
  return single ? { combinator: 'all', conditions: [single] } : null;
}

function conditionToRule(condition: VisualCondition): unknown {
  switch (condition.kind) {
    case 'count':
      return {
        count: selector(condition.event, condition.where),
        within: condition.within,
        is: { [condition.comparison]: condition.value },
      };
    case 'trait':
      return { traits: { [condition.trait]: { [condition.operator]: scalar(condition.value) } } };
    case 'score':
      return condition.stayAtLeast === undefined
        ? { score: condition.score, is: { $gte: condition.enterAtLeast } }
        : {
            score: condition.score,
            enter: { $gte: condition.enterAtLeast },
            stay: { $gte: condition.stayAtLeast },
          };
    case 'absent':
      return { none: selector(condition.event, condition.where), within: condition.within };
    case 'segment':
      return { segment: condition.segment };
  }
}

function conditionFromRule(rule: unknown): VisualCondition | null {
  if (!isObject(rule)) return null;
  const keys = Object.keys(rule).sort().join(',');
  if (keys === 'count,is,within') {
    const event = selectorFrom(rule.count);
    const test = singleTest(rule.is);
    if (!event || !test || typeof test.value !== 'number' || typeof rule.within !== 'string') return null;
    return { kind: 'count', ...event, within: rule.within, comparison: test.operator, value: test.value };
  }
  if (keys === 'traits' && isObject(rule.traits)) {
    const entries = Object.entries(rule.traits);
    if (entries.length !== 1) return null;
    const [trait, value] = entries[0]!;
    if (isScalar(value)) return { kind: 'trait', trait, operator: '$eq', value: String(value) };
    const test = singleTest(value);
    return test ? { kind: 'trait', trait, operator: test.operator, value: String(test.value) } : null;
  }
  if (typeof rule.score === 'string' && keys === 'is,score') {
    const test = singleTest(rule.is);
    if (!test || test.operator !== '$gte' || typeof test.value !== 'number') return null;
    return { kind: 'score', score: rule.score, enterAtLeast: test.value };
  }
  if (typeof rule.score === 'string' && keys === 'enter,score,stay') {
    const enter = singleTest(rule.enter);
    const stay = singleTest(rule.stay);
    if (!enter || !stay || enter.operator !== '$gte' || stay.operator !== '$gte') return null;
    if (typeof enter.value !== 'number' || typeof stay.value !== 'number') return null;
    return { kind: 'score', score: rule.score, enterAtLeast: enter.value, stayAtLeast: stay.value };
  }
  if (keys === 'none,within' && typeof rule.within === 'string') {
    const event = selectorFrom(rule.none);
    return event ? { kind: 'absent', ...event, within: rule.within } : null;
  }
  if (keys === 'segment' && typeof rule.segment === 'string')
    return { kind: 'segment', segment: rule.segment };
  return null;
}

/** An event selector: just the name when there is no filter, as editors would write it. */
function selector(event: string, filters: PropertyFilter[]): unknown {
  const usable = filters.filter((filter) => filter.property.trim() !== '');
  if (usable.length === 0) return { event };
  return {
    event,
    where: Object.fromEntries(usable.map((filter) => [filter.property.trim(), scalar(filter.value)])),
  };
}

/** A selector with simple `{ property: value }` filters, or `null` for anything richer. */
function selectorFrom(spec: unknown): { event: string; where: PropertyFilter[] } | null {
  if (typeof spec === 'string') return { event: spec, where: [] };
  if (!isObject(spec) || typeof spec.event !== 'string') return null;
  if (Object.keys(spec).some((key) => key !== 'event' && key !== 'where')) return null;
  if (spec.where === undefined) return { event: spec.event, where: [] };
  if (!isObject(spec.where)) return null;
  const where: PropertyFilter[] = [];
  for (const [property, value] of Object.entries(spec.where)) {
    if (!isScalar(value)) return null;
    where.push({ property, value: String(value) });
  }
  return { event: spec.event, where };
}

/** `{ "$gt": 3 }` as an operator and its operand, or `null` for anything else. */
function singleTest(test: unknown): { operator: Comparison; value: string | number | boolean } | null {
  if (!isObject(test)) return null;
  const entries = Object.entries(test);
  if (entries.length !== 1) return null;
  const [operator, value] = entries[0]!;
  if (!(COMPARISONS as string[]).includes(operator) || !isScalar(value)) return null;
  return { operator: operator as Comparison, value };
}

/** What an editor types, as the JSON value it means: numbers and booleans are not strings. */
export function scalar(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed !== '' && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
