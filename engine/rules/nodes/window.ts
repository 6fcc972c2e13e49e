/**
 * Sliding-window arithmetic shared by windowed conditions. An entry at time `t` is inside a window
 * of `w` ms at time `at` when `at - t < w`: it leaves at exactly `t + w`, the instant it turns `w`
 * old (a view at 12:00:00.000 no longer counts in "within 10m" at 12:10:00.000).
 */
import type { EpochMs, StreamFacts } from '../../types';

/** Index of the first time in ascending `times` with `t > after` (`times.length` if none). */
export function firstAfter(times: ReadonlyArray<EpochMs>, after: EpochMs): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! > after) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Index of the first entry still inside a window of `windowMs` at `at`. */
export function windowStart(times: ReadonlyArray<EpochMs>, at: EpochMs, windowMs: number): number {
  return firstAfter(times, at - windowMs);
}

const EMPTY: StreamFacts = { times: [] };

/** The stream's facts, or an empty stream (a store omits streams without entries). */
export function streamOf(streams: Record<string, StreamFacts>, id: string): StreamFacts {
  return streams[id] ?? EMPTY;
}
