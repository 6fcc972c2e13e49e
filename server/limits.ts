/**
 * The bounds of the endpoint. Every one refuses with a clear error and leaves other callers
 * served. Rate limits are token buckets kept in this process: with N instances behind a load
 * balancer, a caller gets up to N times the rate (sticky sessions make it exact).
 */

/** A token bucket: `burst` tokens at most, refilled by `perSecond` (fractions allowed: 1/60 is one a minute). */
export interface Rate {
  burst: number;
  perSecond: number;
}

/**
 * The rate limit of each operation, one line each: `<operation>PerProfile` is keyed by the
 * caller's verified profile, `<operation>PerIp` by its client address (IPv4, or the /64 of an
 * IPv6 address; server/client-address.ts). A call costs one token, but `track`, which costs one
 * per event. Adding a line here, and one `admit(context, '<operation>')` in the resolver, limits
 * a new operation. Sized for people: a visitor starts one session per device, identifies at
 * login, changes consent now and then, and sends a few events a second at most; many people may
 * share an address (an office, a mobile carrier's NAT), so the per-address buckets are wider.
 */
const DEFAULT_RATES = {
  startSessionPerIp: { burst: 20, perSecond: 1 / 30 },
  trackPerProfile: { burst: 200, perSecond: 20 },
  trackPerIp: { burst: 2000, perSecond: 200 },
  refreshSessionPerProfile: { burst: 10, perSecond: 1 / 60 },
  refreshSessionPerIp: { burst: 100, perSecond: 1 },
  identifyPerProfile: { burst: 10, perSecond: 1 / 10 },
  identifyPerIp: { burst: 100, perSecond: 1 },
  setConsentPerProfile: { burst: 10, perSecond: 1 / 10 },
  setConsentPerIp: { burst: 100, perSecond: 1 },
  forgetMePerProfile: { burst: 5, perSecond: 1 / 60 },
  forgetMePerIp: { burst: 50, perSecond: 1 / 2 },
  mePerProfile: { burst: 120, perSecond: 10 },
  mePerIp: { burst: 1200, perSecond: 100 },
} as const satisfies Record<string, Rate>;

/** The names of the rate limits (`trackPerProfile`, `startSessionPerIp`, ...). */
export type RateName = keyof typeof DEFAULT_RATES;
/** The operations that have a rate limit. */
export type RateLimitedOperation = RateName extends `${infer Operation}Per${'Profile' | 'Ip'}`
  ? Operation
  : never;
export const RATE_NAMES = Object.keys(DEFAULT_RATES) as RateName[];

export interface Limits extends Record<RateName, Rate> {
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
  subscribePerSocket: Rate;
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

const freezeRates = (): Record<RateName, Rate> =>
  Object.fromEntries(RATE_NAMES.map((name) => [name, Object.freeze({ ...DEFAULT_RATES[name] })])) as Record<
    RateName,
    Rate
  >;

/** The defaults, sized for a storefront: generous for people, tight for scripts. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDepth: 10,
  maxCost: 5000,
  maxBatch: 100,
  maxBodyBytes: 256 * 1024,
  maxSubscriptionsPerSocket: 50,
  connectionInitTimeoutMs: 10_000,
  parseCacheSize: 500,
  ...freezeRates(),
  // Transport hardening.
  parseCacheBytes: 16 * 1024 * 1024,
  parseCacheMaxDocumentLength: 16 * 1024,
  subscribePerSocket: Object.freeze({ burst: 60, perSecond: 10 }),
  maxSocketsPerAddress: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSocketDocumentBytes: 4 * 1024 * 1024,
});

const SCALARS = [
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
] as const;

/** Rates that are not an operation's (no `admit`): the transport's own buckets. */
const TRANSPORT_RATES = ['subscribePerSocket'] as const;

/**
 * Defaults overridden by `partial`, each value checked (a typo must not switch a limit off):
 * unknown names, non-positive numbers and buckets that could never admit a call are refused.
 */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial))
    throw new TypeError('limits must be an object');
  const known = new Set<string>([...SCALARS, ...RATE_NAMES, ...TRANSPORT_RATES]);
  for (const name of Object.keys(partial))
    if (!known.has(name))
      throw new TypeError(`limits.${name} is not a limit (known: ${[...known].join(', ')})`);
  const limits: Limits = { ...DEFAULT_LIMITS, ...partial };
  const positive = (value: unknown, name: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`limits.${name} must be a positive number, got ${String(value)}`);
  };
  for (const name of SCALARS) positive(limits[name], name);
  for (const name of [...RATE_NAMES, ...TRANSPORT_RATES]) {
    const rate: unknown = limits[name];
    if (rate === null || typeof rate !== 'object')
      throw new TypeError(`limits.${name} must be { burst, perSecond }, got ${String(rate)}`);
    const extra = Object.keys(rate).filter((key) => key !== 'burst' && key !== 'perSecond');
    if (extra.length > 0)
      throw new TypeError(`limits.${name}.${extra[0]} is not part of a rate (burst, perSecond)`);
    const { burst, perSecond } = rate as Partial<Rate>;
    positive(burst, `${name}.burst`);
    positive(perSecond, `${name}.perSecond`);
    if (burst! < 1) throw new TypeError(`limits.${name}.burst must be at least 1, got ${burst}`);
  }
  // `track` is charged per event: a bucket smaller than a full batch would refuse that batch forever.
  for (const name of ['trackPerProfile', 'trackPerIp'] as const)
    if (limits[name].burst < limits.maxBatch)
      throw new TypeError(
        `limits.${name}.burst (${limits[name].burst}) must be at least limits.maxBatch (${limits.maxBatch}): track is charged per event`,
      );
  return limits;
}
