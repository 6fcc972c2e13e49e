/**
 * Push latency of one subscription: from the commit of a membership change (`SegmentChange.at`,
 * stamped by the committing instance) to the frame that carries its effect being handed to the
 * socket. The transport gives each operation's context a `ChangeStamp`, the subscription's
 * follower (follow.ts) marks it whenever a change reaches it, and the transport reads the stamp
 * around the subscription's results:
 *
 *   change ─▶ stamp.mark(at) ─▶ … execution … ─▶ produced: pending = stamp.take()
 *          ─▶ (live queries: equal results dropped) ─▶ sent: observe(now - pending)
 *
 * A result that is dropped as unchanged reports nothing (no frame was caused), and a push caused
 * by anything else (content published, rules edited) carries no stamp and reports nothing.
 */
import { wrapIterator } from './wrap-iterator';

/** The earliest commit time of the changes a subscription received and has not pushed yet. */
export class ChangeStamp {
  private earliest: number | null = null;

  mark(at: number): void {
    if (this.earliest === null || at < this.earliest) this.earliest = at;
  }

  /** The pending time, cleared. */
  take(): number | null {
    const at = this.earliest;
    this.earliest = null;
    return at;
  }
}

/**
 * Times the pushes of one subscription: `filter` sits between the execution results and the
 * socket (de-duplication of live results, or nothing), `observe` receives milliseconds.
 */
export function timedPushes<T>(
  results: AsyncIterator<T>,
  stamp: ChangeStamp,
  filter: (results: AsyncIterator<T>) => AsyncIterator<T>,
  observe: (ms: number) => void,
): AsyncIterableIterator<T> {
  let pending: number | null = null;
  const produced = wrapIterator(results, {
    seen: () => {
      pending = stamp.take();
    },
  });
  return wrapIterator(filter(produced), {
    seen: () => {
      // Clocks of two instances may differ slightly: never a negative latency.
      if (pending !== null) observe(Math.max(0, Date.now() - pending));
      pending = null;
    },
  });
}
