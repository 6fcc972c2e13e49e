/**
 * What the load bench's visitors do, shared by the parent (`bench/load.ts`) and its generator
 * processes (`generator.ts`): the operations, the per-visitor schedule and which `track` call is
 * expected to change the visitor's segments, and the IPC messages between the processes.
 *
 * The server runs the fixtures' rules (test/fixtures/content/rules.json): `reader` is 2+ article
 * views within 10 min, `breaking-news` is 3+ news article views within 10 min, and the home
 * banner has a variant for each. Every visitor sends `page` events (which no rule counts) except
 * for three consecutive news article views placed somewhere in its schedule: the second enters
 * `reader`, the third `breaking-news`, and each of those two `track` calls must produce exactly
 * one push on the visitor's live query (the banner's variant changes).
 */

/** The live query each visitor holds: the home banner and the news list, as a storefront shows them. */
export const LIVE_QUERY = `subscription Live {
  live {
    banner(placement: home) { title personalization { segment } }
    articles(filters: { category: { eq: "news" } }, limit: 10) { slug title }
  }
}`;

/** The plain query a visitor sends (a page load): personalized banner and article list. */
export const PAGE_QUERY = `query Page {
  banner(placement: home) { documentId title body ctaUrl personalization { segment } }
  articles(filters: { category: { eq: "news" } }, limit: 10) { slug title summary personalization { segment } }
}`;

export const TRACK_MUTATION =
  'mutation Track($events: [EventInput!]!) { track(events: $events) { accepted entered } }';

/** What one generator process is asked to run. */
export interface GeneratorSetup {
  httpUrl: string;
  wsUrl: string;
  /** Token secret shared with the server: visitors get signed tokens without a round trip. */
  secret: string;
  /** Visitors `first` to `first + count - 1` of the run (their global index drives the schedule). */
  first: number;
  count: number;
  /** Distinguishes this run's profile ids and event ids. */
  run: string;
  durationS: number;
  eventsPerMin: number;
  queriesPerMin: number;
  /** WebSocket handshakes in flight at once during the ramp. */
  connectBatch: number;
  /** Keep-alive HTTP connections of this generator. */
  maxSockets: number;
  /** How long to wait after the steady phase for requests in flight and expected pushes. */
  drainMs: number;
}

/** The figures one generator reports; latencies in ms. */
export interface GeneratorResult {
  connected: number;
  rampSeconds: number;
  tracks: number;
  queries: number;
  /** Non-2xx answers, GraphQL errors, refused or reset HTTP connections. */
  failedRequests: number;
  /** `track` answers whose `entered` names segments the schedule does not imply. */
  wrongOutcomes: number;
  /**
   * `track` answers without the change the schedule implies although it happened (and was pushed):
   * a concurrent read of the same profile (a page query) evaluated the new event first and
   * committed the change itself, which the engine allows (the newer writer decides). Not an error.
   */
  racedOutcomes: number;
  /** WebSocket handshakes that failed during the ramp. */
  refusedSockets: number;
  /** Sockets closed or errored by anything but the end of the run. */
  socketCloses: number;
  expectedPushes: number;
  missedPushes: number;
  /** Pushes no change explains (a duplicate, or a variant the schedule did not lead to). */
  unexpectedPushes: number;
  /** The first few failures as text, to say what went wrong. */
  errorSamples: string[];
  pushMs: number[];
  trackMs: number[];
  queryMs: number[];
  /** How late the generator sent each request compared to its schedule (its own saturation). */
  lagMs: number[];
  /** CPU time this process used during the steady phase (not the drain), ms. */
  cpuMs: number;
}

export type ToGenerator =
  | { type: 'setup'; setup: GeneratorSetup }
  | { type: 'warm' }
  | { type: 'start'; at: number }
  | { type: 'stop' };
export type FromGenerator =
  | { type: 'ready'; connected: number; refusedSockets: number; rampSeconds: number }
  | { type: 'warmed' }
  | { type: 'result'; result: GeneratorResult };

/** Events each visitor sends in the steady phase (one every `60 / eventsPerMin` s). */
export function eventsPerVisitor(durationS: number, eventsPerMin: number): number {
  return Math.floor((durationS * eventsPerMin) / 60);
}

/**
 * Where visitor `index`'s three news views start in its sequence of `events` events; they are
 * spread over the run so that segment changes arrive at a steady rate, not all at once.
 */
export function newsStart(index: number, events: number): number {
  return index % (events - 2);
}

/** The segment the visitor enters with its event `k` (the banner variant then pushed), or null. */
export function enteredBy(index: number, k: number, events: number): string | null {
  const start = newsStart(index, events);
  if (k === start + 1) return 'reader';
  if (k === start + 2) return 'breaking-news';
  return null;
}

/** The event `k` of visitor `index`: a news article view inside its news run, else a page view. */
export function eventOf(index: number, k: number, events: number, id: string): object {
  const start = newsStart(index, events);
  return k >= start && k <= start + 2
    ? { id, type: 'Article Viewed', properties: { category: 'news', articleId: `article-${k}` } }
    : { id, type: 'page', properties: { path: `/page/${k}` } };
}
