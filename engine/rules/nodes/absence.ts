/**
 * Absence conditions.
 *
 * `none`: no event matching the selector within the window (or ever, without a window). A windowed
 * absence starts holding exactly when the newest matching event turns `window` old.
 *
 * `noFollowUp`: an `after` event (within `lookback`) that has gone `within` with no `then` event
 * at or after it: "viewed a high-value product, no purchase within 48 h" holds from view + 48h,
 * and a purchase ends it. Formally, at time `at`, with `b` the newest `then` event: holds when
 * some `after` event `a > b` with `at - a < lookback` has `at - a >= within`. Such an `a`, if any,
 * is best taken as the oldest one, so the truth only changes at `a + within` or `a + lookback`.
 */
import type { EpochMs } from '../../types';
import { formatDuration } from '../duration';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';
import type { StreamDefinition } from '../streams';
import { firstAfter, streamOf, windowStart } from './window';

export class NoneNode implements RuleNode {
  readonly timed: boolean;

  constructor(
    readonly path: string,
    private readonly stream: StreamDefinition,
    /** `undefined`: never. */
    private readonly windowMs: number | undefined,
  ) {
    this.timed = windowMs !== undefined;
  }

  test(scope: EvaluationScope, at: EpochMs): boolean {
    return this.newest(scope, at) === undefined;
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    const newest = this.newest(scope, at);
    return newest === undefined || this.windowMs === undefined ? null : newest + this.windowMs;
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const newest = this.newest(scope, at);
    const span = this.windowMs === undefined ? 'ever' : `within ${formatDuration(this.windowMs)}`;
    into.push({
      path: this.path,
      text:
        newest === undefined
          ? `no ${this.stream.selector.description} ${span}`
          : `${this.stream.selector.description} ${formatDuration(Math.max(0, at - newest))} ago (none ${span} required)`,
      observed: newest === undefined ? null : new Date(newest).toISOString(),
    });
  }

  /** The newest matching event that still counts at `at`, if any. */
  private newest(scope: EvaluationScope, at: EpochMs): EpochMs | undefined {
    const stream = streamOf(scope.facts.streams, this.stream.spec.id);
    const last = stream.lastSeen ?? stream.times[stream.times.length - 1];
    if (last === undefined) return undefined;
    if (this.windowMs === undefined) return last;
    const { times } = stream;
    return windowStart(times, at, this.windowMs) < times.length ? times[times.length - 1] : undefined;
  }
}

export class NoFollowUpNode implements RuleNode {
  readonly timed = true;

  constructor(
    readonly path: string,
    private readonly after: StreamDefinition,
    private readonly then: StreamDefinition,
    private readonly withinMs: number,
    private readonly lookbackMs: number,
  ) {}

  test(scope: EvaluationScope, at: EpochMs): boolean {
    const trigger = this.pending(scope, at);
    return trigger !== undefined && at - trigger >= this.withinMs;
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    const holds = this.test(scope, at);
    const times = streamOf(scope.facts.streams, this.after.spec.id).times;
    // Only `after` events newer than the newest `then` matter; their milestones are the candidates.
    const candidates: EpochMs[] = [];
    for (let i = firstAfter(times, this.newestThen(scope)); i < times.length; i++) {
      const a = times[i]!;
      if (a + this.withinMs > at) candidates.push(a + this.withinMs);
      if (a + this.lookbackMs > at) candidates.push(a + this.lookbackMs);
    }
    candidates.sort((x, y) => x - y);
    for (const candidate of candidates) if (this.test(scope, candidate) !== holds) return candidate;
    return null;
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const trigger = this.pending(scope, at);
    const afterText = this.after.selector.description;
    const thenText = this.then.selector.description;
    const span = formatDuration(this.withinMs);
    let text: string;
    if (trigger === undefined)
      text = `no ${afterText} without ${thenText} since, in the last ${formatDuration(this.lookbackMs)}`;
    else if (at - trigger >= this.withinMs)
      text = `${afterText} ${formatDuration(at - trigger)} ago, no ${thenText} within ${span}`;
    else
      text = `${afterText} ${formatDuration(Math.max(0, at - trigger))} ago, waiting ${span} for ${thenText}`;
    into.push({
      path: this.path,
      text,
      observed: trigger === undefined ? null : new Date(trigger).toISOString(),
    });
  }

  /** The oldest `after` event within lookback with no `then` at or after it. */
  private pending(scope: EvaluationScope, at: EpochMs): EpochMs | undefined {
    const times = streamOf(scope.facts.streams, this.after.spec.id).times;
    const index = Math.max(
      firstAfter(times, this.newestThen(scope)),
      windowStart(times, at, this.lookbackMs),
    );
    return times[index];
  }

  /** The newest `then` event, or -Infinity. */
  private newestThen(scope: EvaluationScope): number {
    const stream = streamOf(scope.facts.streams, this.then.spec.id);
    return stream.lastSeen ?? stream.times[stream.times.length - 1] ?? -Infinity;
  }
}
