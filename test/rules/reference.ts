/**
 * A plain, obviously-correct reading of the rule language over the raw event list: no streams,
 * no binary search, no incremental state, no look-ahead. The property tests hold the compiled
 * evaluator to it. It covers the subset of operators the generators produce.
 */
import type { EpochMs, JsonObject, VisitorEvent } from '../../engine/types';

type Rule = Record<string, unknown>;

export interface ReferenceWorld {
  segments: Array<{ key: string; enabled: boolean; rule: unknown }>;
  scores: Array<{
    key: string;
    within: string;
    halfLife?: string;
    points: Array<{ event: string; where?: JsonObject; add: number }>;
  }>;
  events: VisitorEvent[];
  traits: JsonObject;
  context: JsonObject;
  /** Keys of the segments the profile was a member of before this evaluation. */
  members: Set<string>;
}

const UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

export function ms(duration: unknown): number {
  if (typeof duration === 'number') return duration;
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(String(duration))!;
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Whether the profile is a member of segment `key` at `at`. */
export function referenceMember(world: ReferenceWorld, key: string, at: EpochMs): boolean {
  const segment = world.segments.find((s) => s.key === key)!;
  return segment.enabled && holds(world, segment.rule as Rule, key, at);
}

function holds(world: ReferenceWorld, rule: Rule, self: string, at: EpochMs): boolean {
  if ('all' in rule) return (rule.all as Rule[]).every((r) => holds(world, r, self, at));
  if ('any' in rule) return (rule.any as Rule[]).some((r) => holds(world, r, self, at));
  if ('not' in rule) return !holds(world, rule.not as Rule, self, at);
  if ('traits' in rule) return fieldsHold(rule.traits as Rule, world.traits);
  if ('context' in rule) return fieldsHold(rule.context as Rule, world.context);
  if ('segment' in rule) return referenceMember(world, rule.segment as string, at);
  if ('localTime' in rule) {
    const { from, to } = rule.localTime as { from: string; to: string };
    const now = clock(at, world.context).time;
    return from < to ? now >= from && now < to : now >= from || now < to;
  }
  if ('weekday' in rule)
    return ((rule.weekday as { $in: string[] }).$in ?? []).includes(clock(at, world.context).day);
  if ('profileAge' in rule) {
    if (world.events.length === 0) return false;
    return compare(at - Math.min(...world.events.map((e) => e.timestamp)), rule.profileAge as Rule, true);
  }
  const within = rule.within === undefined ? Infinity : ms(rule.within);
  const inWindow = (e: VisitorEvent) => at - e.timestamp < within;
  const threshold = (value: number) => {
    if (rule.is !== undefined) return compare(value, rule.is as Rule, false);
    return compare(value, (world.members.has(self) ? rule.stay : rule.enter) as Rule, false);
  };
  if ('count' in rule) {
    const matching = world.events.filter((e) => selects(rule.count, e) && inWindow(e));
    if (rule.per === undefined) return threshold(matching.length);
    const counts = new Map<string, number>();
    for (const e of matching) {
      const value = e.properties[rule.per as string];
      if (['string', 'number', 'boolean'].includes(typeof value))
        counts.set(JSON.stringify(value), (counts.get(JSON.stringify(value)) ?? 0) + 1);
    }
    return threshold(Math.max(0, ...counts.values()));
  }
  if ('distinct' in rule) {
    const values = new Set<string>();
    for (const e of world.events.filter((e) => selects(rule.distinct, e) && inWindow(e))) {
      const value = e.properties[rule.of as string];
      if (['string', 'number', 'boolean'].includes(typeof value)) values.add(JSON.stringify(value));
    }
    return threshold(values.size);
  }
  if ('sum' in rule) {
    let total = 0;
    for (const e of world.events.filter((e) => selects(rule.sum, e) && inWindow(e))) {
      const value = e.properties[rule.of as string];
      if (typeof value === 'number') total += value;
    }
    return threshold(total);
  }
  if ('sinceFirst' in rule || 'sinceLast' in rule) {
    const times = world.events
      .filter((e) => selects(rule.sinceFirst ?? rule.sinceLast, e))
      .map((e) => e.timestamp);
    if (times.length === 0) return false;
    const base = 'sinceFirst' in rule ? Math.min(...times) : Math.max(...times);
    return compare(at - base, rule.is as Rule, true);
  }
  if ('none' in rule) return !world.events.some((e) => selects(rule.none, e) && inWindow(e));
  if ('noFollowUp' in rule) {
    const spec = rule.noFollowUp as { after: unknown; then: unknown; within: string; lookback: string };
    return world.events.some(
      (a) =>
        selects(spec.after, a) &&
        at - a.timestamp < ms(spec.lookback) &&
        at - a.timestamp >= ms(spec.within) &&
        !world.events.some((b) => selects(spec.then, b) && b.timestamp >= a.timestamp),
    );
  }
  if ('score' in rule) {
    const score = world.scores.find((s) => s.key === rule.score)!;
    let value = 0;
    for (const e of world.events) {
      if (at - e.timestamp >= ms(score.within)) continue;
      for (const point of score.points)
        if (selects({ event: point.event, where: point.where }, e))
          value +=
            point.add * (score.halfLife === undefined ? 1 : 0.5 ** ((at - e.timestamp) / ms(score.halfLife)));
    }
    return threshold(value);
  }
  throw new Error(`reference evaluator: unsupported rule ${JSON.stringify(rule)}`);
}

function selects(selector: unknown, event: VisitorEvent): boolean {
  const { event: name, where } = (typeof selector === 'string' ? { event: selector } : selector) as {
    event: string;
    where?: Rule;
  };
  return (
    (name === '*' || name === event.type) && (where === undefined || fieldsHold(where, event.properties))
  );
}

function fieldsHold(fields: Rule, source: JsonObject): boolean {
  return Object.entries(fields).every(([path, condition]) => {
    let value: unknown = source;
    for (const part of path.split('.'))
      value =
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? (value as JsonObject)[part]
          : undefined;
    return fieldHolds(value, condition);
  });
}

function fieldHolds(value: unknown, condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object') return value === condition;
  return Object.entries(condition).every(([op, operand]) => {
    switch (op) {
      case '$eq':
        return value === operand;
      case '$ne':
        return value !== operand;
      case '$in':
        return (operand as unknown[]).includes(value);
      case '$nin':
        return !(operand as unknown[]).includes(value);
      case '$exists':
        return (value !== undefined) === operand;
      case '$gt':
        return typeof value === typeof operand && (value as number) > (operand as number);
      case '$gte':
        return typeof value === typeof operand && (value as number) >= (operand as number);
      case '$lt':
        return typeof value === typeof operand && (value as number) < (operand as number);
      case '$lte':
        return typeof value === typeof operand && (value as number) <= (operand as number);
      default:
        throw new Error(`reference evaluator: unsupported operator ${op}`);
    }
  });
}

function compare(value: number, spec: Rule, durations: boolean): boolean {
  return Object.entries(spec).every(([op, operand]) => {
    const bound = durations ? ms(operand) : (operand as number);
    switch (op) {
      case '$eq':
        return value === bound;
      case '$ne':
        return value !== bound;
      case '$gt':
        return value > bound;
      case '$gte':
        return value >= bound;
      case '$lt':
        return value < bound;
      default:
        return value <= bound;
    }
  });
}

/** The local day name and `HH:MM` at `at` in the context's timezone (UTC when unknown). */
function clock(at: EpochMs, context: JsonObject): { day: string; time: string } {
  let timeZone = typeof context.timezone === 'string' ? context.timezone : 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
  } catch {
    timeZone = 'UTC';
  }
  const text = new Date(at).toLocaleString('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const [day, time] = text.split(' ') as [string, string];
  return { day: day.toLowerCase(), time };
}
