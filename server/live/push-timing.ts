/**
 * Push latency of one subscription: from the commit of a membership change (`SegmentChange.at`,
 * stamped by the committing instance) to the frame that carries its effect being handed to the
 * socket. The resolvers know nothing of it: the subscription's personalizer marks a `ChangeStamp`
 * whenever a change reaches one of its listeners, and the transport reads the stamp around the
 * subscription's results:
 *
 *   change ─▶ stamp.mark(at) ─▶ … execution … ─▶ produced: pending = stamp.take()
 *          ─▶ (live queries: equal results dropped) ─▶ sent: observe(now - pending)
 *
 * A result that is dropped as unchanged reports nothing (no frame was caused), and a push caused
 * by anything else (content published, rules edited) carries no stamp and reports nothing.
 */
import type { Personalizer, SegmentChange } from '../../engine/types';
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

/** `personalizer` as one subscription sees it: every change delivered to its listeners marks `stamp`. */
export function stampingPersonalizer(personalizer: Personalizer, stamp: ChangeStamp): Personalizer {
  const subscribe = (profileId: string, listener: (change: SegmentChange) => void): (() => void) =>
    personalizer.subscribe(profileId, (change) => {
      stamp.mark(change.at);
      listener(change);
    });
  return new Proxy(personalizer, {
    get(target, property) {
      if (property === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: never[]) => unknown).bind(target) : value;
    },
  });
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
