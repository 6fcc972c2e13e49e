/**
 * The last chance to send queued events: when the page is hidden (tab switched, app backgrounded,
 * page closed; `pagehide` alone is unreliable on mobile, `visibilitychange` to hidden is the signal
 * browsers guarantee). With a beacon endpoint the events go by `navigator.sendBeacon`, which the
 * browser delivers after the page is gone; without one, the queue flushes with a `keepalive` fetch.
 * Either way events keep their ids, so if the normal request also arrives nothing is counted twice.
 */
import type { EventQueue } from './event-queue.js';
import type { SessionManager } from './session.js';

/** What the page-hide handler needs. */
export interface PageHideOptions {
  queue: EventQueue;
  session: SessionManager;
  /** Absolute or page-relative URL of the server's beacon endpoint, if it has one. */
  beaconUrl?: string | undefined;
}

/** Installs the handlers; returns their removal. Does nothing outside a browser. */
export function installPageHideFlush(options: PageHideOptions): () => void {
  if (typeof document === 'undefined' || typeof addEventListener !== 'function') return () => undefined;
  const onHide = (): void => {
    if (document.visibilityState === 'hidden') sendRemaining(options);
  };
  const onPageHide = (): void => sendRemaining(options);
  document.addEventListener('visibilitychange', onHide);
  addEventListener('pagehide', onPageHide);
  return () => {
    document.removeEventListener('visibilitychange', onHide);
    removeEventListener('pagehide', onPageHide);
  };
}

/** Hands every unacknowledged event to the browser for delivery after unload. */
export function sendRemaining({ queue, session, beaconUrl }: PageHideOptions): void {
  const events = queue.pending();
  if (events.length === 0) return;
  const token = session.current();
  if (beaconUrl && token && typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function') {
    // text/plain is CORS-safelisted: a beacon to another origin goes without a preflight (which
    // sendBeacon cannot do). The body is JSON regardless; the token rides in it (no headers here).
    const body = new Blob([JSON.stringify({ token, events })], { type: 'text/plain;charset=UTF-8' });
    if (navigator.sendBeacon(beaconUrl, body)) {
      queue.remove(events);
      return;
    }
  }
  void queue.flush(true);
}
