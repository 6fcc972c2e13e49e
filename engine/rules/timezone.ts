/**
 * Local wall-clock time in the visitor's IANA timezone (`context.timezone`), through `Intl` (the
 * runtime's tz database): no dependency, DST-correct. An unknown or missing timezone means UTC.
 */
import type { EpochMs } from '../types';

/** The visitor's local clock at one instant. */
export interface LocalTime {
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
  /** Local time minus UTC, in milliseconds. */
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      formatter = formatterFor('UTC');
    }
    // Bounded: visitors sending random timezone names must not grow this map forever.
    if (formatters.size < 1_000) formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The visitor's timezone from a context object: `context.timezone` when a string, else UTC. */
export function timezoneOf(context: Record<string, unknown>): string {
  const timezone = Object.hasOwn(context, 'timezone') ? context.timezone : undefined;
  return typeof timezone === 'string' && timezone.length > 0 && timezone.length <= 64 ? timezone : 'UTC';
}

/**
 * Offsets are looked up per 15-minute slice of UTC time: every tz database transition since the
 * 1970s falls on a quarter hour, so one `Intl` call answers for the whole slice.
 */
const SLICE_MS = 15 * 60_000;
const MAX_CACHED_SLICES = 10_000;
const offsets = new Map<string, Map<number, number>>();

/** Local time minus UTC in `timezone` at `at`, in milliseconds. */
export function offsetAt(at: EpochMs, timezone: string): number {
  const slice = Math.floor(at / SLICE_MS);
  let cache = offsets.get(timezone);
  if (!cache) {
    if (offsets.size >= 1_000) offsets.clear();
    cache = new Map();
    offsets.set(timezone, cache);
  }
  let offset = cache.get(slice);
  if (offset === undefined) {
    if (cache.size >= MAX_CACHED_SLICES) cache.clear();
    offset = computeOffset(slice * SLICE_MS, timezone);
    cache.set(slice, offset);
  }
  return offset;
}

/** The local clock in `timezone` at `at`. */
export function localTime(at: EpochMs, timezone: string): LocalTime {
  const offsetMs = offsetAt(at, timezone);
  const local = at + offsetMs;
  const day = Math.floor(local / 86_400_000);
  return {
    // 1970-01-01 was a Thursday.
    weekday: (((day + 4) % 7) + 7) % 7,
    minuteOfDay: Math.floor((local - day * 86_400_000) / 60_000),
    offsetMs,
  };
}

function computeOffset(at: EpochMs, timezone: string): number {
  const parts = formatterFor(timezone).formatToParts(at);
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wholeSecond = at - (((at % 1000) + 1000) % 1000);
  return (
    Date.UTC(
      field('year'),
      field('month') - 1,
      field('day'),
      field('hour'),
      field('minute'),
      field('second'),
    ) - wholeSecond
  );
}

/**
 * The first instant after `at` when the local clock reads one of `boundaries` (minutes of the day)
 * or jumps (a DST transition), whichever comes first. Local time only moves continuously between
 * transitions, so crossings are found by offset arithmetic, and a transition by binary search on
 * the offset.
 */
export function nextLocalBoundary(at: EpochMs, timezone: string, boundaries: ReadonlyArray<number>): EpochMs {
  const { offsetMs } = localTime(at, timezone);
  const local = at + offsetMs;
  const dayStart = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  let next = Infinity;
  for (const minute of boundaries) {
    let crossing = dayStart + minute * 60_000;
    if (crossing <= local) crossing += 86_400_000;
    next = Math.min(next, crossing - offsetMs);
  }
  if (localTime(next, timezone).offsetMs === offsetMs) return next;
  // The offset changes before `next`: the first instant with the new offset is when the clock jumps.
  let low = at + 1;
  let high = next;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (localTime(middle, timezone).offsetMs !== offsetMs) high = middle;
    else low = middle + 1;
  }
  return low;
}
