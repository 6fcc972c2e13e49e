/**
 * Reasons, built only when read. `evaluate` runs on every event for every segment, while reasons
 * are read for the few memberships that change or that someone inspects, so a `LazyReason` only
 * keeps what it needs to explain (the rule, the scope, the time) and walks the rule on first access.
 * `toJSON` makes it serialize as the plain `Reason` it stands for.
 */
import type { EpochMs, Reason } from '../types';
import type { Observation, RuleNode } from './node';
import type { EvaluationScope } from './scope';

export class LazyReason implements Reason {
  // Released once the explanation is built, so a kept reason does not keep the profile's facts.
  #rule: RuleNode | undefined;
  #scope: EvaluationScope | undefined;
  readonly #at: EpochMs;
  #conditions: Observation[] | undefined;

  constructor(rule: RuleNode, scope: EvaluationScope, at: EpochMs) {
    this.#rule = rule;
    this.#scope = scope;
    this.#at = at;
  }

  /** The conditions that decided, with their paths and observed values. */
  get conditions(): Observation[] {
    if (!this.#conditions) {
      const conditions: Observation[] = [];
      this.#rule!.explain(this.#scope!, this.#at, conditions);
      this.#conditions = conditions;
      this.#rule = undefined;
      this.#scope = undefined;
    }
    return this.#conditions;
  }

  /** The decisive conditions in one line (`4 × Article Viewed within 10m (> 3)`). */
  get text(): string {
    return this.conditions.map((condition) => condition.text).join('; ');
  }

  toJSON(): Reason {
    return { text: this.text, conditions: this.conditions };
  }
}
