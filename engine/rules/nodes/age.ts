/**
 * Conditions on an age, a duration that grows with time: `sinceFirst` and `sinceLast` (time since
 * the first or last event matching a selector, all time) and `profileAge` (time since the profile
 * was first seen). With no matching event (or no first-seen time) there is no age and the
 * condition is false. An age `at - base` can only change truth where it crosses a comparand `c`,
 * that is at `base + c` or one millisecond later, so those are the only candidate times.
 */
import type { EpochMs } from '../../types';
import { formatDuration } from '../duration';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';
import type { StreamDefinition } from '../streams';
import type { NumericTest } from '../threshold';
import { streamOf } from './window';

/** Where an age is measured from. */
export type AgeOrigin = { kind: 'first' | 'last'; stream: StreamDefinition } | { kind: 'profile' };

export class AgeNode implements RuleNode {
  readonly timed = true;

  constructor(
    readonly path: string,
    private readonly origin: AgeOrigin,
    private readonly threshold: NumericTest,
  ) {}

  test(scope: EvaluationScope, at: EpochMs): boolean {
    const base = this.baseOf(scope);
    return base !== undefined && this.threshold.test(at - base);
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    const base = this.baseOf(scope);
    if (base === undefined) return null;
    const holds = this.threshold.test(at - base);
    let next: EpochMs | null = null;
    for (const bound of this.threshold.bounds)
      for (const candidate of [base + bound, base + bound + 1])
        if (
          candidate > at &&
          (next === null || candidate < next) &&
          this.threshold.test(candidate - base) !== holds
        )
          next = candidate;
    return next;
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const base = this.baseOf(scope);
    const subject =
      this.origin.kind === 'profile'
        ? 'profile age'
        : `time since the ${this.origin.kind} ${this.origin.stream.selector.description}`;
    if (base === undefined) {
      into.push({ path: this.path, text: `${subject}: never (not ${this.threshold.text})`, observed: null });
      return;
    }
    const age = at - base;
    const holds = this.threshold.test(age);
    into.push({
      path: this.path,
      text: `${subject} = ${formatDuration(Math.max(0, age))} (${holds ? '' : 'not '}${this.threshold.text})`,
      observed: age,
    });
  }

  private baseOf(scope: EvaluationScope): EpochMs | undefined {
    if (this.origin.kind === 'profile') return scope.facts.firstSeenAt;
    const stream = streamOf(scope.facts.streams, this.origin.stream.spec.id);
    if (this.origin.kind === 'first') return stream.firstSeen ?? stream.times[0];
    return stream.lastSeen ?? stream.times[stream.times.length - 1];
  }
}
