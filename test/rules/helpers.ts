/** Small builders shared by the rule tests: segments, events and evaluation at a given time. */
import { compileRuleSet, factsFromEvents } from '../../engine/rules';
import type {
  CompiledRuleSet,
  EpochMs,
  JsonObject,
  MembershipState,
  SegmentDefinition,
  SegmentResult,
  VisitorEvent,
} from '../../engine/types';

export const T0 = Date.parse('2026-11-22T12:00:00Z');
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function segment(
  key: string,
  rule: unknown,
  extra: Partial<SegmentDefinition> = {},
): SegmentDefinition {
  return { key, name: key, priority: 1, enabled: true, rule, ...extra };
}

let counter = 0;
export function event(
  type: string,
  timestamp: EpochMs,
  properties: JsonObject = {},
  context: JsonObject = {},
): VisitorEvent {
  return { id: `e${++counter}`, type, timestamp, properties, context };
}

/**
 * A profile living through time: events happen, the rule set is evaluated at chosen instants, and
 * memberships carry over between evaluations as a store would keep them.
 */
export class Profile {
  readonly events: VisitorEvent[] = [];
  previous: Record<string, MembershipState> = {};

  constructor(
    readonly rules: CompiledRuleSet,
    readonly traits: JsonObject = {},
    readonly context: JsonObject = {},
  ) {}

  add(...events: VisitorEvent[]): this {
    this.events.push(...events);
    return this;
  }

  /** Evaluates at `at` and remembers the memberships (like a store writing them back). */
  at(at: EpochMs, key: string): SegmentResult {
    const evaluation = this.rules.evaluate(
      factsFromEvents(this.rules, this.events, at, this.previous, this.traits, this.context),
      at,
    );
    const next: Record<string, MembershipState> = {};
    for (const [name, result] of Object.entries(evaluation.segments))
      if (result.member) next[name] = this.previous[name] ?? { since: at };
    this.previous = next;
    return evaluation.segments[key]!;
  }

  /** Evaluates at `at` without remembering anything. */
  peek(at: EpochMs, key: string): SegmentResult {
    return this.rules.evaluate(
      factsFromEvents(this.rules, this.events, at, this.previous, this.traits, this.context),
      at,
    ).segments[key]!;
  }
}

export function rulesOf(segments: SegmentDefinition[], scores?: unknown[]): CompiledRuleSet {
  return compileRuleSet(scores ? { segments, scores } : { segments });
}
