/**
 * The visitor's session: a server-signed profile token, kept in a `TokenStore` and shared by every
 * request and socket of the client. Starting a session is single-flight: however many calls need a
 * token at the same moment, one `startSession` is sent. So is refreshing it: once a token is past
 * `refreshAfter` of its lifetime, the next call that needs it asks `refreshSession` for a new one
 * (and keeps using the current one meanwhile), so an active visitor's token never expires.
 */
import { postGraphQL } from './http.js';
import { REFRESH_SESSION, START_SESSION } from './operations.js';
import type { TokenStore } from './token-store.js';
import type { Session } from './types.js';

/**
 * Runs `task` while holding a lock shared by every tab of the origin (Web Locks API), so two tabs
 * opened at once by a new visitor do not start two sessions (two profiles) where there is one
 * visitor. Where the API is missing the task just runs; the `storage` event then reconciles.
 */
export async function acrossTabs<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks =
    typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return task();
  return locks.request(name, task) as Promise<T>;
}

/** Default share of a token's lifetime after which it is refreshed. */
export const DEFAULT_REFRESH_AFTER = 0.5;

/**
 * When a token was issued and expires (ms), read from its payload (`pz1.<kid>.<payload>.<sig>`,
 * the payload base64url JSON `{ sub, iat, exp }`). Not verified: the server does that; the client
 * only needs to know when to refresh. `null` for a token it cannot read.
 */
export function tokenLifetime(token: string): { issuedAt: number; expiresAt: number } | null {
  const payload = token.split('.')[2];
  if (!payload) return null;
  try {
    const text = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { iat, exp } = JSON.parse(text) as { iat?: unknown; exp?: unknown };
    return typeof iat === 'number' && typeof exp === 'number' && exp > iat
      ? { issuedAt: iat, expiresAt: exp }
      : null;
  } catch {
    return null;
  }
}

/** How a `SessionManager` refreshes tokens. */
export interface RefreshOptions {
  /** `refreshSession` with the token to refresh. */
  refresh: (token: string) => Promise<Session>;
  /** Share of the lifetime after which a token is refreshed (0-1); default 0.5. */
  after?: number;
  /** Told when a refresh fails (the current token stays in use until it is refused). */
  onError?: (error: unknown) => void;
  now?: () => number;
}

/** Holds the current token and gets a new one when there is none (or the server refused it). */
export class SessionManager {
  private starting: Promise<string> | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly listeners = new Set<(token: string | null) => void>();
  private readonly stopWatching: () => void;

  constructor(
    private readonly store: TokenStore,
    private readonly startSession: () => Promise<Session>,
    /** Serializes session starts across tabs (`acrossTabs` in browsers). */
    private readonly exclusive: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
    private readonly refresher: RefreshOptions | null = null,
  ) {
    const after = refresher?.after ?? DEFAULT_REFRESH_AFTER;
    if (!(after > 0 && after < 1)) throw new TypeError('refreshAfter must be between 0 and 1');
    // Another tab started (or dropped) the session: follow it, so both tabs are one visitor.
    this.stopWatching = store.onExternalChange?.((token) => this.emit(token)) ?? (() => undefined);
  }

  /** The stored token, without starting a session. */
  current(): string | null {
    return this.store.get();
  }

  /** A usable token: the stored one, else a new session's (one request for all concurrent callers). */
  async token(): Promise<string> {
    const stored = this.store.get();
    if (stored) {
      this.refreshIfDue(stored);
      return stored;
    }
    this.starting ??= this.startSession()
      .then((session) => {
        if (typeof session?.token !== 'string' || session.token === '')
          throw new Error('startSession returned no token');
        this.store.set(session.token);
        this.emit(session.token);
        return session.token;
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  /**
   * Puts `token` in place of the current one (the token `identify` returned): every request, every
   * tab and the live socket (reconnected) move to it.
   */
  replace(token: string): void {
    if (typeof token !== 'string' || token === '') throw new Error('no token to keep');
    this.store.set(token);
    this.emit(token);
  }

  /**
   * Forgets `rejected` (the token the server just refused) so the next `token()` starts a new
   * session. Comparing first means two requests failing with the same old token do not throw away
   * the new token the first one already obtained.
   */
  invalidate(rejected: string | null): void {
    if (rejected !== null && this.store.get() !== rejected) return;
    this.store.set(null);
    this.emit(null);
  }

  /** Called with the new token (or `null`) whenever it changes through this manager. */
  onChange(listener: (token: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following other tabs. */
  dispose(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  /** Starts one background refresh when `token` is past its share of its lifetime. */
  private refreshIfDue(token: string): void {
    const options = this.refresher;
    if (!options || this.refreshing) return;
    const lifetime = tokenLifetime(token);
    if (!lifetime) return;
    const after = options.after ?? DEFAULT_REFRESH_AFTER;
    const due = lifetime.issuedAt + after * (lifetime.expiresAt - lifetime.issuedAt);
    const now = (options.now ?? Date.now)();
    if (now < due || now >= lifetime.expiresAt) return;
    this.refreshing = options
      .refresh(token)
      .then((session) => {
        // Another tab, identify or a new session may have replaced the token meanwhile: keep theirs.
        if (this.store.get() === token && typeof session?.token === 'string' && session.token !== '')
          this.replace(session.token);
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        this.refreshing = null;
      });
  }

  private emit(token: string | null): void {
    for (const listener of this.listeners) listener(token);
  }
}

/** `refreshSession` over HTTP at `url`, authenticated by the token it refreshes. */
export function httpSessionRefresher(
  fetchImpl: typeof fetch,
  url: string,
): (token: string) => Promise<Session> {
  return async (token) =>
    (
      await postGraphQL<{ refreshSession: Session }>(
        fetchImpl,
        url,
        { query: REFRESH_SESSION, operationName: 'RefreshSession' },
        { token },
      )
    ).refreshSession;
}

/** `startSession` over HTTP at `url`. */
export function httpSessionStarter(fetchImpl: typeof fetch, url: string): () => Promise<Session> {
  return async () =>
    (
      await postGraphQL<{ startSession: Session }>(fetchImpl, url, {
        query: START_SESSION,
        operationName: 'StartSession',
      })
    ).startSession;
}
