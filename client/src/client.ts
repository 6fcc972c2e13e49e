/**
 * `createPersonalizeClient`: the one object a front end holds. It owns the session token, the event
 * queue and the shared WebSocket, and exposes the operations of the personalize GraphQL endpoint:
 * tracking, identity, consent, erasure, plain requests, live queries and segment changes.
 */
import { print, type DocumentNode } from 'graphql';
import type { Client as WsClient } from 'graphql-ws';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { PersonalizeRequestError } from './errors.js';
import { EventQueue, type EventQueueOptions } from './event-queue.js';
import { createEvent, type TrackedEvent } from './events.js';
import { postGraphQL } from './http.js';
import { liveSubscriptionText, operationName } from './live-document.js';
import { createLiveConnection, webSocketUrlOf } from './live.js';
import { FORGET_ME, IDENTIFY, ME, SEGMENTS_CHANGED, SET_CONSENT, TRACK } from './operations.js';
import { installPageHideFlush } from './page-hide.js';
import { acrossTabs, httpSessionRefresher, httpSessionStarter, SessionManager } from './session.js';
import { localStorageTokenStore, type TokenStore } from './token-store.js';
import type { Identified, Profile, SegmentChange, TrackResult } from './types.js';

/** A query or mutation: a parsed document (typed by GraphQL Code Generator) or its text. */
export type Operation<TData = unknown, TVariables = Record<string, unknown>> =
  (DocumentNode & { __apiType?: (variables: TVariables) => TData }) | string;

/** Receives pushes of a live query or subscription. */
export interface Observer<TData> {
  next(data: TData): void;
  /** A GraphQL error in a push, or a fatal socket error. Transient disconnects are retried silently. */
  error?(error: unknown): void;
}

/** How to reach the server and how to behave. Only `url` is required. */
export interface PersonalizeClientOptions {
  /** HTTP URL of the GraphQL endpoint, absolute or page-relative, e.g. `/personalize/graphql`. */
  url: string;
  /** WebSocket URL; by default the `ws(s)://` twin of `url` (the server serves both on one path). */
  wsUrl?: string;
  /** The server's beacon endpoint for events left at page hide; without it a keepalive fetch is used. */
  beaconUrl?: string;
  /** Where the token lives; default `localStorage` (shared by the tabs of a site). */
  tokenStore?: TokenStore;
  /** Batching and limits of the event queue. */
  events?: Omit<EventQueueOptions, 'onError' | 'backoff'>;
  /** Retry timing for event sends and reconnects. */
  backoff?: BackoffOptions;
  /** Context added to every event (it overrides what the client gathers from the browser). */
  context?: Record<string, unknown>;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** `WebSocket` implementation where there is no global one. */
  webSocketImpl?: unknown;
  /**
   * Share of a token's lifetime after which the client asks `refreshSession` for a new one, at its
   * next request (0-1, default 0.5). An active visitor's token never expires.
   */
  refreshAfter?: number;
  /** Told about failures the client handles itself (retried sends, dropped events, socket errors). */
  onError?: (error: unknown) => void;
}

/** The client. Every method is safe to call before the session exists: it is started on demand. */
export interface PersonalizeClient {
  /** Queues an event (`Article Viewed`, `Product Added`...) and returns its id. Sent in batches, retried, never counted twice. */
  track(type: string, properties?: Record<string, unknown>, context?: Record<string, unknown>): string;
  /** Sends queued events now; resolves when they are acknowledged or a retry is scheduled. */
  flush(): Promise<void>;
  /** Events not yet acknowledged by the server, oldest first. */
  pendingEvents(): TrackedEvent[];
  /** A query or mutation as the current visitor. Starts a new session once if the server refuses the token. */
  request<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
    operation: Operation<TData, TVariables>,
    variables?: TVariables,
  ): Promise<TData>;
  /** The visitor's profile and segments. */
  me(): Promise<Profile>;
  /**
   * Signs this visitor in as the user of `assertion` (a short-lived JWT your backend signed, see
   * server/README.md). Queued events are flushed first, so they count for the user; the token the
   * server returns replaces the anonymous one, in every tab and on the live socket. `traits` from
   * the browser are refused unless the server keeps them apart (`identity.clientTraits`).
   */
  identify(assertion: string, traits?: Record<string, unknown>): Promise<Profile>;
  /**
   * Signs out: sends what is queued (it belongs to the user), drops the token and starts a new
   * anonymous session; the live socket reconnects with it. The user's profile stays on the server.
   */
  logout(): Promise<void>;
  /** As `logout`, but queued events are dropped, not sent. */
  reset(): Promise<void>;
  /** Grants or withdraws consent to behavioural tracking. */
  setConsent(behavioral: boolean): Promise<Profile>;
  /** Erases the profile on the server, drops queued events and the token; the next call starts afresh. */
  forgetMe(): Promise<boolean>;
  /** Runs `query` live: `next` gets its data now and again whenever it changes. Returns the unsubscribe. */
  live<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
    query: Operation<TData, TVariables>,
    variables: TVariables | undefined,
    observer: Observer<TData>,
  ): () => void;
  /** Any subscription of the schema. Returns the unsubscribe. */
  subscribe<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
    subscription: Operation<TData, TVariables>,
    variables: TVariables | undefined,
    observer: Observer<TData>,
  ): () => void;
  /** Called with every change of the visitor's segments (enter, exit, by event or by time). */
  onSegmentsChanged(listener: (change: SegmentChange) => void): () => void;
  /** The current token, if a session was started. */
  token(): string | null;
  /** Closes the socket and stops timers; queued events are abandoned (flush first to keep them). */
  dispose(): Promise<void>;
}

/** Creates a client. Nothing is sent until the first call that needs the server. */
export function createPersonalizeClient(options: PersonalizeClientOptions): PersonalizeClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const url = resolveUrl(options.url);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const report = options.onError ?? (() => undefined);
  const session = new SessionManager(
    options.tokenStore ?? localStorageTokenStore(),
    httpSessionStarter(fetchImpl, url),
    (task) => acrossTabs(`personalize.session ${url}`, task),
    { refresh: httpSessionRefresher(fetchImpl, url), after: options.refreshAfter, onError: report },
  );

  /** One authenticated request; on a refused token, one new session and one more try. */
  async function authenticated<TData>(
    query: string,
    variables: Record<string, unknown> | undefined,
    name: string | undefined,
    keepalive = false,
  ): Promise<TData> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await session.token();
      try {
        return await postGraphQL<TData>(
          fetchImpl,
          url,
          { query, variables, operationName: name },
          { token, keepalive },
        );
      } catch (error) {
        if (
          attempt === 0 &&
          error instanceof PersonalizeRequestError &&
          error.failure === 'unauthenticated'
        ) {
          session.invalidate(token);
          continue;
        }
        throw error;
      }
    }
  }

  const queue = new EventQueue(
    async (events, { keepalive }) => {
      await authenticated<{ track: TrackResult }>(TRACK, { events }, 'Track', keepalive);
    },
    { ...options.events, backoff, onError: report },
  );
  const removePageHide = installPageHideFlush({
    queue,
    session,
    beaconUrl: options.beaconUrl === undefined ? undefined : resolveUrl(options.beaconUrl),
  });

  let socket: ReturnType<typeof createLiveConnection> | null = null;
  const ws = (): WsClient =>
    (socket ??= createLiveConnection({
      url: options.wsUrl ?? webSocketUrlOf(url),
      session,
      backoff,
      webSocketImpl: options.webSocketImpl,
      onError: report,
    })).client;

  function subscribeText<TData>(
    query: string,
    variables: Record<string, unknown> | undefined,
    name: string | undefined,
    observer: Observer<TData>,
  ): () => void {
    return ws().subscribe<TData>(
      { query, variables: variables ?? {}, operationName: name ?? null },
      {
        next: (result) => {
          if (result.errors?.length)
            observer.error?.(
              new PersonalizeRequestError(
                result.errors.map((error) => error.message).join('; '),
                'rejected',
                null,
                result.errors,
              ),
            );
          else if (result.data != null) observer.next(result.data as TData);
        },
        error: (error) => observer.error?.(error),
        complete: () => undefined,
      },
    );
  }

  /** Drops the token and starts a new anonymous session (the socket follows the new token). */
  async function startAnonymous(): Promise<void> {
    session.invalidate(session.current());
    await session.token();
  }

  const client: PersonalizeClient = {
    track(type, properties = {}, context = {}) {
      const event = createEvent(type, properties, { ...options.context, ...context });
      queue.enqueue(event);
      return event.id;
    },
    flush: () => queue.flush(),
    pendingEvents: () => queue.pending(),
    request(operation, variables) {
      const { text, name } = textOf(operation);
      return authenticated(text, variables, name);
    },
    async me() {
      return (await authenticated<{ me: Profile }>(ME, undefined, 'Me')).me;
    },
    async identify(assertion, traits) {
      if (typeof assertion !== 'string' || assertion.trim() === '')
        throw new TypeError('identify needs the identity assertion your backend signed');
      await queue.flush();
      const { session: signedIn, profile } = (
        await authenticated<{ identify: Identified }>(
          IDENTIFY,
          { assertion, ...(traits === undefined ? {} : { traits }) },
          'Identify',
        )
      ).identify;
      // The old token no longer stands for the user's profile. Replacing it reconnects the socket:
      // every live query starts again from the user's profile's current state.
      session.replace(signedIn.token);
      return profile;
    },
    async logout() {
      await queue.flush().catch(report);
      await startAnonymous();
    },
    async reset() {
      queue.clear();
      await startAnonymous();
    },
    async setConsent(behavioral) {
      if (!behavioral) queue.clear(); // withdrawn consent: what is still queued must not be sent
      return (await authenticated<{ setConsent: Profile }>(SET_CONSENT, { behavioral }, 'SetConsent'))
        .setConsent;
    },
    async forgetMe() {
      queue.clear();
      const token = session.current();
      if (token === null) return true; // no session, nothing stored about this visitor
      const erased = (
        await postGraphQL<{ forgetMe: boolean }>(
          fetchImpl,
          url,
          { query: FORGET_ME, operationName: 'ForgetMe' },
          { token },
        )
      ).forgetMe;
      session.invalidate(token);
      return erased;
    },
    live(query, variables, observer) {
      return subscribeText(
        liveSubscriptionText(query),
        variables,
        typeof query === 'string' ? undefined : operationName(query),
        {
          next: (data) => observer.next((data as Record<string, unknown>).live as never),
          error: (error) => observer.error?.(error),
        },
      );
    },
    subscribe(subscription, variables, observer) {
      const { text, name } = textOf(subscription);
      return subscribeText(text, variables, name, observer);
    },
    onSegmentsChanged(listener) {
      return subscribeText<{ segmentsChanged: SegmentChange }>(
        SEGMENTS_CHANGED,
        undefined,
        'SegmentsChanged',
        { next: (data) => listener(data.segmentsChanged), error: report },
      );
    },
    token: () => session.current(),
    async dispose() {
      removePageHide();
      queue.dispose();
      session.dispose();
      await socket?.dispose();
      socket = null;
    },
  };
  return client;
}

const printed = new WeakMap<DocumentNode, { text: string; name: string | undefined }>();

/** The text and operation name of an operation; documents are printed once, not per request. */
function textOf(operation: Operation<unknown, never>): { text: string; name: string | undefined } {
  if (typeof operation === 'string') return { text: operation, name: undefined };
  let entry = printed.get(operation);
  if (!entry) printed.set(operation, (entry = { text: print(operation), name: operationName(operation) }));
  return entry;
}

/** Page-relative URLs (`/personalize/graphql`) resolve against the page; absolute ones stay. */
function resolveUrl(url: string): string {
  if (typeof url !== 'string' || url === '')
    throw new TypeError('the personalize client needs the endpoint url');
  return new URL(url, typeof location === 'undefined' ? undefined : location.href).toString();
}
