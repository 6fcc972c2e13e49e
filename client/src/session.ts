/**
 * The visitor's session: a server-signed profile token, kept in a `TokenStore` and shared by every
 * request and socket of the client. Starting a session is single-flight: however many calls need a
 * token at the same moment, one `startSession` is sent.
 */
import { postGraphQL } from './http.js';
import { START_SESSION } from './operations.js';
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

/** Holds the current token and gets a new one when there is none (or the server refused it). */
export class SessionManager {
  private starting: Promise<string> | null = null;
  private readonly listeners = new Set<(token: string | null) => void>();
  private readonly stopWatching: () => void;

  constructor(
    private readonly store: TokenStore,
    private readonly startSession: () => Promise<Session>,
    /** Serializes session starts across tabs (`acrossTabs` in browsers). */
    private readonly exclusive: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
  ) {
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
    if (stored) return stored;
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

  private emit(token: string | null): void {
    for (const listener of this.listeners) listener(token);
  }
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
