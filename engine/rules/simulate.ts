/**
 * `simulate`: replays a scripted history against one segment, for the admin "try it" panel and
 * for documentation. Each step happens at its time `at` (optionally with an event, trait changes
 * or a context); between steps, the time-based changes the segment announces through
 * `nextChangeAt` are played too, so the panel shows exits and deadlines when they happen.
 */
import type { EpochMs, JsonObject, MembershipState, Reason, RuleSetSource, VisitorEvent } from '../types';
import { EventValidationError } from '../events/errors';
import { validateEvent } from '../events/validate';
import { compileRuleSet } from './compile-rule-set';
import { factsFromEvents } from './facts';

/** One scripted step. */
export interface SimulationStep {
  at: EpochMs;
  /** A raw event (Segment call or shorthand), validated as the API would at `at`. */
  event?: unknown;
  /** Traits to merge (a `null` value removes the trait). */
  traits?: JsonObject;
  /** Context to merge (e.g. `{ "timezone": "Europe/Paris" }`). */
  context?: JsonObject;
}

/** The segment's state after one step or one time-based change. */
export interface SimulationResult {
  at: EpochMs;
  /** `step`: a scripted step; `time`: a change that happened with no new event. */
  cause: 'step' | 'time';
  member: boolean;
  reason: Reason;
  nextChangeAt: EpochMs | null;
}

/** Time-based changes played between two steps, at most (a fast-flapping rule cannot loop forever). */
const MAX_TIME_CHANGES_PER_STEP = 100;
const HOSTILE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Replays `steps` (sorted by time) against segment `segmentKey` of `source`. Throws
 * `RuleCompileError` for a bad rule set and `EventValidationError` (`steps[2].event.timestamp`)
 * for a bad event.
 */
export function simulate(
  source: RuleSetSource,
  segmentKey: string,
  steps: ReadonlyArray<SimulationStep>,
): SimulationResult[] {
  const ruleSet = compileRuleSet(source);
  if (!ruleSet.segments.some((segment) => segment.key === segmentKey))
    throw new RangeError(`unknown segment "${segmentKey}"`);
  const events: VisitorEvent[] = [];
  const traits: JsonObject = {};
  const context: JsonObject = {};
  let previous: Record<string, MembershipState> = {};
  const results: SimulationResult[] = [];

  const evaluateAt = (at: EpochMs, cause: SimulationResult['cause']): EpochMs | null => {
    const evaluation = ruleSet.evaluate(factsFromEvents(ruleSet, events, at, previous, traits, context), at);
    const next: Record<string, MembershipState> = {};
    for (const [key, result] of Object.entries(evaluation.segments))
      if (result.member) next[key] = previous[key] ?? { since: at };
    previous = next;
    const result = evaluation.segments[segmentKey];
    const reason = result
      ? { text: result.reason.text, conditions: result.reason.conditions }
      : { text: 'segment disabled', conditions: [] };
    const member = result?.member ?? false;
    // A time-based re-evaluation is only worth showing when this segment changed.
    if (cause === 'step' || results[results.length - 1]?.member !== member)
      results.push({ at, cause, member, reason, nextChangeAt: result?.nextChangeAt ?? null });
    return evaluation.nextChangeAt;
  };

  let due: EpochMs | null = null;
  let lastAt = -Infinity;
  steps.forEach((step, index) => {
    if (!(step.at >= lastAt)) throw new RangeError(`steps[${index}].at: steps must be in time order`);
    lastAt = step.at;
    for (let played = 0; due !== null && due < step.at && played < MAX_TIME_CHANGES_PER_STEP; played++)
      due = evaluateAt(due, 'time');
    if (step.event !== undefined) {
      try {
        events.push(validateEvent(step.event, step.at));
      } catch (error) {
        if (error instanceof EventValidationError) throw error.within(`steps[${index}].event`);
        throw error;
      }
    }
    for (const [key, value] of Object.entries(step.traits ?? {})) {
      if (HOSTILE_KEYS.has(key)) throw new RangeError(`steps[${index}].traits.${key}: not allowed as a key`);
      if (value === null) delete traits[key];
      else traits[key] = value;
    }
    for (const [key, value] of Object.entries(step.context ?? {})) {
      if (HOSTILE_KEYS.has(key)) throw new RangeError(`steps[${index}].context.${key}: not allowed as a key`);
      context[key] = value;
    }
    due = evaluateAt(step.at, 'step');
  });
  return results;
}
