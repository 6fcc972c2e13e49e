/**
 * Durations in rules: `"500ms"`, `"30s"`, `"10m"`, `"48h"`, `"7d"`, `"2w"`, or a whole number of
 * milliseconds. Parsed once at compile time; evaluation only ever sees milliseconds.
 */
import { IssueCollector, show } from './errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d{1,9})(ms|s|m|h|d|w)$/;

/** The shortest window a rule may use: below a second, network jitter decides membership. */
export const MIN_WINDOW_MS = 1_000;
/** The longest window a rule may use (90 days): bounds what a store keeps per profile. */
export const MAX_WINDOW_MS = 90 * UNIT_MS.d!;

/** Milliseconds of a duration, or `undefined` when `value` is not one (the caller reports the path). */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** The shortest exact spelling of `ms` (`600000` -> `10m`), for explanations. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A window (`within`, `lookback`): a duration between 1 s and 90 d; reports and returns `undefined` otherwise. */
export function compileWindow(value: unknown, path: string, issues: IssueCollector): number | undefined {
  const ms = parseDuration(value);
  if (ms === undefined)
    return issues.report(path, `${show(value)} is not a duration (e.g. "30s", "10m", "48h", "7d")`);
  if (ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS)
    return issues.report(
      path,
      `windows are ${formatDuration(MIN_WINDOW_MS)} to ${formatDuration(MAX_WINDOW_MS)}, got ${show(value)}`,
    );
  return ms;
}
