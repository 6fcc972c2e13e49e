/**
 * Conditions on the visitor's local clock: `localTime` (a time-of-day range, `from` inclusive,
 * `to` exclusive, wrapping past midnight when `from > to`) and `weekday`. The timezone is the
 * profile's `context.timezone` (IANA), UTC when missing or unknown. Truth only changes when the
 * local clock crosses a boundary minute or jumps (DST), so the next flip is found by stepping
 * through those instants.
 */
import type { EpochMs } from '../../types';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';
import { localTime, nextLocalBoundary, timezoneOf, type LocalTime } from '../timezone';

/** Day names as written in rules, indexed like `Date#getDay`. */
export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Steps to look ahead before concluding the clock condition never changes (a week of boundaries). */
const MAX_STEPS = 32;

export class ClockNode implements RuleNode {
  readonly timed = true;

  constructor(
    readonly path: string,
    /** The condition on the local clock. */
    private readonly holdsAt: (local: LocalTime) => boolean,
    /** Minutes of the day where the truth may change (00:00 for weekdays). */
    private readonly boundaries: number[],
    /** `local time 17:00-23:00`, `weekday in [sat, sun]`. */
    private readonly text: string,
  ) {}

  test(scope: EvaluationScope, at: EpochMs): boolean {
    return this.holdsAt(localTime(at, timezoneOf(scope.facts.context)));
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    const timezone = timezoneOf(scope.facts.context);
    const holds = this.holdsAt(localTime(at, timezone));
    let time = at;
    for (let step = 0; step < MAX_STEPS; step++) {
      time = nextLocalBoundary(time, timezone, this.boundaries);
      if (this.holdsAt(localTime(time, timezone)) !== holds) return time;
    }
    return null;
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const timezone = timezoneOf(scope.facts.context);
    const local = localTime(at, timezone);
    const clock = `${DAY_NAMES[local.weekday]} ${pad(Math.floor(local.minuteOfDay / 60))}:${pad(local.minuteOfDay % 60)}`;
    into.push({
      path: this.path,
      text: `${clock} ${timezone} (${this.holdsAt(local) ? '' : 'not '}${this.text})`,
      observed: clock,
    });
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
