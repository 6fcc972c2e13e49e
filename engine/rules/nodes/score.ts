/**
 * Weighted scores, defined once in `RuleSetSource.scores` and used by any number of segments:
 * `value(at) = Σ add × 0.5^((at - t) / halfLife)` over the events of each `points` entry still
 * within the score's window (no `halfLife`: no decay, each event weighs `add`).
 *
 * Per evaluation, each event's weight is computed once relative to the evaluation time `now`
 * (`add × 0.5^((now - t) / halfLife)`) and summed from the newest: then for any `at >= now`,
 * `value(at) = 0.5^((at - now) / halfLife) × (sum of the weights still in the window)`, one binary
 * search and one power. Between two instants where an event leaves the window that is a constant
 * times a monotone factor, so a threshold can only flip where an event leaves, or where the curve
 * crosses one of the threshold's comparands, which binary search finds to the millisecond with
 * the very function `test` uses (so the answer is never late). Factoring the decay out rounds
 * differently from summing each event's own decay, so where the value is within rounding of a
 * comparand, both `test` and the search use the direct sum (`exactAt`), which matches how the
 * value is defined.
 */
import type { EpochMs } from '../../types';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';
import type { StreamDefinition } from '../streams';
import type { NumericTest, Threshold } from '../threshold';
import { streamOf, windowStart } from './window';

/** A compiled score definition. */
export interface ScoreDefinition {
  key: string;
  name: string;
  windowMs: number;
  halfLifeMs: number | undefined;
  points: Array<{ stream: StreamDefinition; add: number }>;
  /** All `add`s have the same sign, so the value only moves toward 0 with time. */
  monotone: boolean;
}

/** A profile's score as a function of time, from one evaluation's facts. */
class ScoreCurve {
  /** Per points entry: its entry times and `suffix[i]` = the weights of entries `i..` at `origin`. */
  private readonly points: Array<{ times: ReadonlyArray<EpochMs>; suffix: Float64Array }>;
  #leaveTimes: EpochMs[] | undefined;
  /** When the last entry leaves the window (the value is 0 from then on), if any entry is in it. */
  readonly lastLeave: EpochMs | undefined;

  constructor(
    private readonly score: ScoreDefinition,
    scope: EvaluationScope,
    /** The instant weights are computed at (the evaluation time). */
    private readonly origin: EpochMs,
  ) {
    const { halfLifeMs, windowMs } = score;
    let lastLeave: EpochMs | undefined;
    this.points = score.points.map(({ stream, add }) => {
      const { times } = streamOf(scope.facts.streams, stream.spec.id);
      // Entries out of the window at `origin` never count again: weigh only the others.
      const start = windowStart(times, origin, windowMs);
      const suffix = new Float64Array(times.length + 1);
      for (let i = times.length - 1; i >= start; i--) {
        const weight =
          halfLifeMs === undefined ? add : add * Math.pow(0.5, (origin - times[i]!) / halfLifeMs);
        suffix[i] = suffix[i + 1]! + weight;
      }
      if (start < times.length)
        lastLeave = Math.max(lastLeave ?? -Infinity, times[times.length - 1]! + windowMs);
      return { times, suffix };
    });
    this.lastLeave = lastLeave;
  }

  /** Every instant after `origin` an entry leaves the window, ascending, distinct. */
  get leaveTimes(): EpochMs[] {
    if (!this.#leaveTimes) {
      const leaving = new Set<EpochMs>();
      for (const { times } of this.points)
        for (let i = windowStart(times, this.origin, this.score.windowMs); i < times.length; i++)
          leaving.add(times[i]! + this.score.windowMs);
      this.#leaveTimes = [...leaving].sort((a, b) => a - b);
    }
    return this.#leaveTimes;
  }

  /** The score at `at` (`at >= origin`), by the factored form: fast, within rounding of `exactAt`. */
  valueAt(at: EpochMs): number {
    let total = 0;
    for (const { times, suffix } of this.points)
      total += suffix[windowStart(times, at, this.score.windowMs)]!;
    const { halfLifeMs } = this.score;
    return halfLifeMs === undefined || at === this.origin
      ? total
      : total * Math.pow(0.5, (at - this.origin) / halfLifeMs);
  }

  /** The score at `at`, summing each event's own decay: the definition, for values near a comparand. */
  exactAt(at: EpochMs): number {
    const { halfLifeMs, windowMs } = this.score;
    let total = 0;
    this.score.points.forEach(({ add }, index) => {
      const { times } = this.points[index]!;
      const start = windowStart(times, at, windowMs);
      if (halfLifeMs === undefined) total += add * (times.length - start);
      else
        for (let i = start; i < times.length; i++)
          total += add * Math.pow(0.5, (at - times[i]!) / halfLifeMs);
    });
    return total;
  }

  /** The score at `at`: the fast form, or the exact sum when within rounding of one of `bounds`. */
  valueNear(at: EpochMs, bounds: ReadonlyArray<number>): number {
    const value = this.valueAt(at);
    if (this.score.halfLifeMs === undefined) return value;
    for (const bound of bounds)
      if (Math.abs(value - bound) <= 1e-9 * Math.max(1, Math.abs(bound))) return this.exactAt(at);
    return value;
  }
}

export class ScoreNode implements RuleNode {
  readonly timed = true;

  constructor(
    readonly path: string,
    private readonly score: ScoreDefinition,
    private readonly threshold: Threshold,
    private readonly segmentIndex: number,
  ) {}

  test(scope: EvaluationScope, at: EpochMs): boolean {
    const threshold = this.testFor(scope);
    return threshold.test(this.curve(scope).valueNear(at, threshold.bounds));
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    const threshold = this.testFor(scope);
    const curve = this.curve(scope);
    const valueAt = (time: EpochMs): number => curve.valueNear(time, threshold.bounds);
    const holds = threshold.test(valueAt(at));
    const last = curve.lastLeave;
    if (last === undefined || last <= at) return null;
    // With points all of one sign, decay and departures both shrink the value: it is monotone over
    // the whole future, and a binary search over it finds every crossing at once.
    if (this.score.monotone) return this.crossing(valueAt, threshold, at, last + 1, holds);
    let from = at;
    for (const leaveAt of curve.leaveTimes) {
      if (leaveAt <= at) continue;
      const crossing =
        this.score.halfLifeMs === undefined ? null : this.crossing(valueAt, threshold, from, leaveAt, holds);
      if (crossing !== null) return crossing;
      if (threshold.test(valueAt(leaveAt)) !== holds) return leaveAt;
      from = leaveAt;
    }
    // After the last event leaves, the value is 0 for good.
    return null;
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const threshold = this.testFor(scope);
    const value = this.curve(scope).valueNear(at, threshold.bounds);
    const label = this.threshold.hysteresis ? `${threshold === this.threshold.stay ? 'stay' : 'enter'} ` : '';
    into.push({
      path: this.path,
      text: `${this.score.name} score = ${Math.round(value * 100) / 100} (${threshold.test(value) ? '' : 'not '}${label}${threshold.text})`,
      observed: value,
    });
  }

  private curve(scope: EvaluationScope): ScoreCurve {
    return scope.remember(this.score, () => new ScoreCurve(this.score, scope, scope.now));
  }

  private testFor(scope: EvaluationScope): NumericTest {
    return this.threshold.hysteresis && scope.wasMember(this.segmentIndex)
      ? this.threshold.stay
      : this.threshold.enter;
  }

  /**
   * The first instant in `(from, until)` where the truth differs from `holds`, given a value
   * monotone over that interval: found where it crosses a comparand; `null` if it does not.
   */
  private crossing(
    valueAt: (time: EpochMs) => number,
    threshold: NumericTest,
    from: EpochMs,
    until: EpochMs,
    holds: boolean,
  ): EpochMs | null {
    const changes: EpochMs[] = [];
    for (const bound of threshold.bounds) {
      // The comparison with `bound` can change twice (above -> equal -> below): follow both steps.
      let start = from;
      for (let step = 0; step < 2; step++) {
        const side = Math.sign(valueAt(start) - bound);
        const change = firstTime(start + 1, until - 1, (time) => Math.sign(valueAt(time) - bound) !== side);
        if (change === null) break;
        changes.push(change);
        start = change;
      }
    }
    changes.sort((a, b) => a - b);
    for (const change of changes) if (threshold.test(valueAt(change)) !== holds) return change;
    return null;
  }
}

/** The first integer in `[low, high]` where the monotone `changed` holds, or `null`. */
function firstTime(low: number, high: number, changed: (time: number) => boolean): number | null {
  if (low > high || !changed(high)) return null;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (changed(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
