/**
 * Building events in the browser: a unique id per event (the server's idempotency key, so a retried
 * or beaconed batch is never counted twice) and the context the rules look at (device type, time
 * zone, page), gathered once per event from the environment.
 */

/** An event as the `track` mutation takes it (`EventInput`). */
export interface TrackedEvent {
  /** Unique per event, ever; retries reuse it. */
  id: string;
  /** Event name, e.g. `Article Viewed`, `Product Added`, `Order Completed`, `page`. */
  type: string;
  /** When it happened, ISO 8601 with milliseconds, by this browser's clock. */
  timestamp: string;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
}

/**
 * A new event id: `crypto.randomUUID()` where available. That function only exists in secure contexts
 * (HTTPS or localhost); on plain HTTP (a demo opened by LAN address) a v4 UUID is built from
 * `crypto.getRandomValues`, which exists everywhere.
 */
export function newEventId(): string {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.randomUUID === 'function') return cryptoApi.randomUUID();
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Coarse device class from the user agent: what "mobile visitor" rules compare against. */
export type DeviceType = 'mobile' | 'tablet' | 'desktop';

/** Classifies a user agent string. Tablets first: iPad and Android tablets also say "Mobile" sometimes. */
export function deviceTypeOf(userAgent: string): DeviceType {
  if (/iPad|Tablet|PlayBook|Silk|(Android(?!.*Mobile))/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|BlackBerry|IEMobile|Opera Mini/i.test(userAgent)) return 'mobile';
  return 'desktop';
}

/**
 * The Segment-style `context` of an event sent from this page: device, locale, IANA time zone (rules
 * about the visitor's local time use it), and the page. Safe outside a browser (returns what exists).
 */
export function browserContext(): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  try {
    context.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    // Intl without time zone data: rules on local time then fall back to UTC on the server.
  }
  if (typeof navigator !== 'undefined') {
    context.userAgent = navigator.userAgent;
    context.locale = navigator.language;
    context.device = { type: deviceTypeOf(navigator.userAgent) };
  }
  if (typeof location !== 'undefined' && typeof document !== 'undefined') {
    context.page = {
      path: location.pathname,
      url: location.href,
      title: document.title,
      referrer: document.referrer,
    };
  }
  if (typeof screen !== 'undefined') context.screen = { width: screen.width, height: screen.height };
  return context;
}

/** Builds an event stamped now, with a fresh id; `context` overrides the gathered context key by key. */
export function createEvent(
  type: string,
  properties: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
  gather: () => Record<string, unknown> = browserContext,
): TrackedEvent {
  if (typeof type !== 'string' || type.trim() === '')
    throw new TypeError('event type must be a non-empty string');
  return {
    id: newEventId(),
    type,
    timestamp: new Date().toISOString(),
    properties,
    context: { ...gather(), ...context },
  };
}
