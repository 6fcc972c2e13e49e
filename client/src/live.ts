/**
 * The WebSocket side: one graphql-ws connection per client, shared by every live query and
 * subscription. Lazy (opened by the first subscription, closed after the last), reconnecting
 * forever with jittered backoff, authenticated by the session token in `connection_init`.
 *
 * graphql-ws does not replay what was missed while a socket was down; the server makes every
 * (re)subscription start with the current state, so a reconnect alone brings the page up to date.
 */
import { createClient, type Client } from 'graphql-ws';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { SessionManager } from './session.js';

/** Close codes with which the server refuses a token in `connection_init` (graphql-ws `Forbidden`). */
const REFUSED_TOKEN_CLOSE_CODES = new Set([4403]);

/** Options of the shared socket. */
export interface LiveConnectionOptions {
  /** `ws://` or `wss://` URL of the endpoint. */
  url: string;
  session: SessionManager;
  backoff: BackoffOptions;
  /** A `WebSocket` implementation where there is no global one (Node before 22: `ws`). */
  webSocketImpl?: unknown;
  /** Told about connection errors; the connection keeps retrying regardless. */
  onError?: (error: unknown) => void;
}

/** Creates the shared graphql-ws client; `dispose` also stops following token changes. */
export function createLiveConnection(options: LiveConnectionOptions): {
  client: Client;
  dispose(): Promise<void>;
} {
  // The token the current socket was opened with: a refusal must invalidate that one, not a newer one.
  let socketToken: string | null = null;
  const client = createClient({
    url: options.url,
    lazy: true,
    // Keeps the socket through a client-side route change (one page's live queries end, the next
    // page's start a moment later) instead of closing and reopening it.
    lazyCloseTimeout: 3_000,
    retryAttempts: Infinity,
    // By default graphql-ws gives up on anything that is not a close event (e.g. startSession failing
    // while the server is down); a visitor's page should just come back when the server does.
    shouldRetry: () => true,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, backoffDelay(Math.min(retries, 30), options.backoff))),
    // Pings notice sockets that died silently (laptop sleep, NAT timeouts) so the reconnect starts.
    keepAlive: 15_000,
    connectionParams: async () => {
      socketToken = await options.session.token();
      return { token: socketToken };
    },
    webSocketImpl: options.webSocketImpl,
    on: {
      closed: (event) => {
        const code = (event as { code?: unknown } | null)?.code;
        if (typeof code === 'number' && REFUSED_TOKEN_CLOSE_CODES.has(code))
          options.session.invalidate(socketToken);
      },
      error: (error) => options.onError?.(error),
    },
  });
  // A new token (new session after forgetMe or a refusal, or another tab's) must reach the server:
  // reconnect with it; subscriptions resume on the new socket and get their current state first.
  const stopFollowing = options.session.onChange((token) => {
    if (socketToken !== null && token !== socketToken) client.terminate();
  });
  return {
    client,
    async dispose() {
      stopFollowing();
      await client.dispose();
    },
  };
}

/** Turns an `http(s)://` endpoint URL into its `ws(s)://` twin (same host, same path). */
export function webSocketUrlOf(httpUrl: string, base?: string): string {
  const url = new URL(httpUrl, base ?? (typeof location === 'undefined' ? undefined : location.href));
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else throw new TypeError(`endpoint URL must be http(s), got ${url.protocol}`);
  return url.toString();
}
