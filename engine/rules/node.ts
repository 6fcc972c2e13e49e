/**
 * What every compiled condition is: a node of the rule tree that can say whether it holds at a
 * given time, when it might stop (or start) holding without any new event, and why it decided.
 *
 * Every method is pure over the `EvaluationScope` (the profile's facts plus the membership state
 * hysteresis reads) and the time `at`, so the same node answers for "now" and for any future
 * instant, which is how `nextChangeAt` is found: by asking the rule itself at candidate times.
 */
import type { EpochMs, JsonValue } from '../types';
import type { EvaluationScope } from './scope';

/** One decisive condition of an explanation (see `Reason.conditions`). */
export interface Observation {
  /** Where the condition is in the segment (`rule.all[0]`). */
  path: string;
  /** What was observed against what was required, for people. */
  text: string;
  /** The observed value (a count, a sum, field values...). */
  observed: JsonValue;
}

/** A compiled condition. */
export interface RuleNode {
  /** The node's path in its segment, e.g. `rule.all[1]`. */
  readonly path: string;
  /** True when the node's truth can change with the passing of time alone (windows, ages, clock). */
  readonly timed: boolean;
  /** Whether the condition holds at `at`. */
  test(scope: EvaluationScope, at: EpochMs): boolean;
  /**
   * A time after `at` at or before which the node's truth may first differ from its truth at `at`,
   * or `null` when it cannot change without a new event. Leaves answer the exact flip time;
   * composites answer the earliest flip of any child (a candidate the caller checks). Never later
   * than the first real change. Only called on `timed` nodes.
   */
  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null;
  /** Appends the conditions that decided the node's outcome at `at`. Not on the hot path. */
  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void;
}

/** The earliest of two optional times. */
export function earliest(a: EpochMs | null, b: EpochMs | null): EpochMs | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
