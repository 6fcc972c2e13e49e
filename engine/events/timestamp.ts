/**
 * Event timestamps: ISO-8601 with an explicit zone (`2026-11-22T10:00:00.123Z`,
 * `...+01:00`) or integer epoch milliseconds; missing means "now". A timestamp outside the
 * accepted skew is refused with how far off it is: clamping would silently rewrite history.
 */
import type { EpochMs } from '../types';
import { EventValidationError } from './errors';
import type { EventLimits } from './limits';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The event time in epoch ms, checked against `now` and the skew limits. */
export function parseTimestamp(value: unknown, now: EpochMs, limits: Readonly<EventLimits>): EpochMs {
  let at: number;
  if (value === undefined || value === null) return now;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new EventValidationError('timestamp', `must be whole epoch milliseconds, got ${value}`);
    at = value;
  } else if (typeof value === 'string') {
    if (!ISO_WITH_ZONE.test(value))
      throw new EventValidationError(
        'timestamp',
        `must be ISO-8601 with a zone (e.g. 2026-11-22T10:00:00Z) or epoch milliseconds, got "${value.slice(0, 40)}"`,
      );
    at = Date.parse(value);
    if (Number.isNaN(at)) throw new EventValidationError('timestamp', `"${value}" is not a valid date`);
  } else
    throw new EventValidationError(
      'timestamp',
      `must be an ISO-8601 string or epoch milliseconds, got ${typeof value}`,
    );
  if (at > now + limits.maxFutureSkewMs)
    throw new EventValidationError(
      'timestamp',
      `is ${describe(at - now)} in the future (at most ${describe(limits.maxFutureSkewMs)} ahead of the server clock)`,
    );
  if (at < now - limits.maxPastSkewMs)
    throw new EventValidationError(
      'timestamp',
      `is ${describe(now - at)} in the past (at most ${describe(limits.maxPastSkewMs)} old)`,
    );
  return at;
}

function describe(ms: number): string {
  if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10}h`;
  if (ms >= 60_000) return `${Math.round(ms / 6_000) / 10}m`;
  return `${Math.round(ms / 100) / 10}s`;
}
