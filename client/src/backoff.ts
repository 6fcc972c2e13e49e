/**
 * Retry delays: exponential growth, capped, with jitter so that many browsers that lost the same
 * server do not come back in lock-step (the "thundering herd" a plain doubling produces).
 */

/** How retry delays grow. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  initialMs: number;
  /** Upper bound of any delay, before jitter. */
  maxMs: number;
}

/** Defaults suited to a browser talking to its own site: first retry after ~0.5 s, never more than ~30 s apart. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (0 for the first retry): `min(maxMs, initialMs * 2^attempt)`,
 * then "equal jitter": half of it fixed, half random, so a delay never collapses to zero (no hot
 * loop against a server that is down) yet retries spread out.
 *
 * @param random source of randomness in [0, 1); injectable so the function stays pure under test.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new RangeError(`backoff attempt must be a non-negative integer, got ${attempt}`);
  if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
    throw new RangeError(
      `backoff needs 0 < initialMs <= maxMs, got initialMs=${options.initialMs} maxMs=${options.maxMs}`,
    );
  }
  // 2 ** attempt overflows to Infinity for large attempts; Math.min keeps that harmless.
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
