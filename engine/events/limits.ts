/**
 * Bounds on what one visitor may send. Every limit is configurable (pass a partial object to
 * `validateEvent`/`validateEvents`); the defaults suit browser and CDP traffic with room to spare.
 */

export interface EventLimits {
  /** Longest event name (`Article Viewed`), in characters. */
  maxTypeLength: number;
  /** Longest event id (`messageId`), in characters. */
  maxIdLength: number;
  /** Most keys in one object, and most elements in one array, inside `properties` or `context`. */
  maxKeysPerObject: number;
  /** Most keys and array elements in total, counted separately for `properties` and `context`. */
  maxTotalKeys: number;
  /** Deepest nesting inside `properties` or `context` (`{ a: { b: 1 } }` is depth 2). */
  maxDepth: number;
  /** Longest object key, in characters. */
  maxKeyLength: number;
  /** Longest string value, in characters. */
  maxStringLength: number;
  /** Largest normalized event, serialized as JSON, in bytes (UTF-8). */
  maxEventBytes: number;
  /** Most events in one batch. */
  maxBatchSize: number;
  /** How far ahead of the server clock a timestamp may be (sender clocks drift), in ms. */
  maxFutureSkewMs: number;
  /** How old a timestamp may be (offline queues flush late), in ms. */
  maxPastSkewMs: number;
}

/**
 * The default limits: names up to 100 characters, ids up to 128, 64 keys per object, 256 keys in
 * total, depth 5, keys up to 128 characters, strings up to 1,024, 8 KiB per event, 100 events per
 * batch, timestamps at most 5 minutes in the future and 24 hours in the past.
 */
export const DEFAULT_EVENT_LIMITS: Readonly<EventLimits> = Object.freeze({
  maxTypeLength: 100,
  maxIdLength: 128,
  maxKeysPerObject: 64,
  maxTotalKeys: 256,
  maxDepth: 5,
  maxKeyLength: 128,
  maxStringLength: 1_024,
  maxEventBytes: 8 * 1024,
  maxBatchSize: 100,
  maxFutureSkewMs: 5 * 60_000,
  maxPastSkewMs: 24 * 3_600_000,
});

/** `DEFAULT_EVENT_LIMITS` overridden by `limits`; refuses non-positive or non-integer values. */
export function resolveLimits(limits: Partial<EventLimits> | undefined): Readonly<EventLimits> {
  if (!limits) return DEFAULT_EVENT_LIMITS;
  const resolved = { ...DEFAULT_EVENT_LIMITS };
  for (const [name, value] of Object.entries(limits) as Array<[keyof EventLimits, unknown]>) {
    if (!(name in DEFAULT_EVENT_LIMITS)) throw new TypeError(`unknown event limit "${name}"`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new TypeError(`event limit "${name}" must be a non-negative integer, got ${String(value)}`);
    resolved[name] = value;
  }
  return Object.freeze(resolved);
}
