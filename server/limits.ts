/**
 * The bounds of the endpoint. Every one refuses with a clear error and leaves other callers
 * served. Rate limits are token buckets kept in this process: with N instances behind a load
 * balancer, a caller gets up to N times the rate (sticky sessions make it exact).
 */

export interface Limits {
  /** Deepest selection nesting accepted (fragments expanded). */
  maxDepth: number;
  /**
   * Highest estimated cost: one per field, list fields multiplied by their size (a literal `limit`,
   * 1,000 for a variable one, the default of an omitted one, 10 without a `limit` argument).
   */
  maxCost: number;
  /** Most events in one `track` call. */
  maxBatch: number;
  /** Largest HTTP request body, bytes. */
  maxBodyBytes: number;
  /** `track` rate per profile: bucket size and refill per second. */
  trackPerProfile: { burst: number; perSecond: number };
  /** `track` rate per client address: bucket size and refill per second. */
  trackPerIp: { burst: number; perSecond: number };
  /** Most concurrent subscriptions on one WebSocket. */
  maxSubscriptionsPerSocket: number;
  /** How long a socket may stay open without `connection_init`, ms (graphql-ws closes it with 4408). */
  connectionInitTimeoutMs: number;
  /** Most distinct query documents kept parsed and validated in memory. */
  parseCacheSize: number;
  // Transport hardening: the WebSocket operation cache, Subscribe messages, sockets and their buffers.
  /**
   * Memory the WebSocket operation cache may hold, bytes, as it accounts it: twice the query text
   * (UTF-16 at worst) plus 100 bytes per node of the parsed document (measured: 70-92 with
   * `noLocation`). The least recently used documents are evicted past it, or past `parseCacheSize`.
   */
  parseCacheBytes: number;
  /** Longest query text cached, characters; a longer document is parsed and validated per use. */
  parseCacheMaxDocumentLength: number;
  /**
   * Subscribe messages (every WebSocket operation: query, mutation or subscription) per socket:
   * bucket size and refill per second. Over it the operation is refused with `RATE_LIMITED`; a
   * socket refused more than `burst` times in a row is closed with 1008.
   */
  subscribePerSocket: { burst: number; perSecond: number };
  /** Most open WebSockets per client address; the next one is closed at once with 1013. */
  maxSocketsPerAddress: number;
  /**
   * Most bytes a WebSocket may have queued unsent (a reader that does not read); past it the socket
   * is closed with 4413.
   */
  maxBufferedBytes: number;
  /**
   * Most bytes of parsed documents the open subscriptions of one WebSocket may hold (as the
   * operation cache weighs them; a subscription keeps its document while open, cached or not).
   * A subscription past it is refused with `TOO_MANY_SUBSCRIPTIONS`.
   */
  maxSocketDocumentBytes: number;
}

/** The defaults, sized for a storefront: generous for people, tight for scripts. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDepth: 10,
  maxCost: 5000,
  maxBatch: 100,
  maxBodyBytes: 256 * 1024,
  trackPerProfile: Object.freeze({ burst: 60, perSecond: 10 }),
  trackPerIp: Object.freeze({ burst: 600, perSecond: 100 }),
  maxSubscriptionsPerSocket: 50,
  connectionInitTimeoutMs: 10_000,
  parseCacheSize: 500,
  // Transport hardening.
  parseCacheBytes: 16 * 1024 * 1024,
  parseCacheMaxDocumentLength: 16 * 1024,
  subscribePerSocket: Object.freeze({ burst: 60, perSecond: 10 }),
  maxSocketsPerAddress: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSocketDocumentBytes: 4 * 1024 * 1024,
});

/** Defaults overridden by `partial`, each value checked (a typo must not switch a limit off). */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ...partial };
  const positive = (value: unknown, name: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`limits.${name} must be a positive number, got ${String(value)}`);
  };
  for (const name of [
    'maxDepth',
    'maxCost',
    'maxBatch',
    'maxBodyBytes',
    'maxSubscriptionsPerSocket',
    'connectionInitTimeoutMs',
    'parseCacheSize',
    // Transport hardening.
    'parseCacheBytes',
    'parseCacheMaxDocumentLength',
    'maxSocketsPerAddress',
    'maxBufferedBytes',
    'maxSocketDocumentBytes',
  ] as const)
    positive(limits[name], name);
  for (const name of ['trackPerProfile', 'trackPerIp', 'subscribePerSocket'] as const) {
    positive(limits[name]?.burst, `${name}.burst`);
    positive(limits[name]?.perSecond, `${name}.perSecond`);
  }
  return limits;
}
