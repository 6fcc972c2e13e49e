/**
 * Listens to one visitor's membership changes wherever they happen (personalizer.subscribe goes
 * through the change bus, so changes made on any instance arrive), following merges: when the
 * anonymous profile is folded into a user's by `identify`, the listener moves to the user's
 * profile, where every device of that user listens.
 *
 * Two signals announce a merge: the engine's change with `mergedInto` (sent when the anonymous
 * profile had data), and the server's own `merge` broadcast after every `identify` (which also
 * covers a profile with nothing stored yet), both delivered to every instance.
 */
import type { Personalizer, SegmentChange } from '../../engine/types';
import type { ChangeMarker, MergeWatch } from '../../resolvers/services';

/** A follower of one visitor; `close` stops listening. */
export interface ProfileFollower {
  /** The canonical profile id currently listened to. */
  readonly profileId: string;
  /** Listen to `canonicalId` instead (the caller learnt it from `getProfile`). */
  moveTo(canonicalId: string): void;
  close(): void;
}

export interface FollowHandlers {
  /** Every change of the visitor's memberships. */
  change(change: SegmentChange): void;
  /** The visitor's profile was merged into another one (now followed) without a change notice. */
  moved(into: string): void;
}

/** Starts listening to `profileId`. */
export function followProfile(
  personalizer: Pick<Personalizer, 'subscribe'>,
  merges: MergeWatch,
  profileId: string,
  handlers: FollowHandlers,
  /** Marked with every change received (push timing), when given. */
  stamp?: ChangeMarker,
): ProfileFollower {
  let current = profileId;
  let closed = false;
  let stop: () => void = () => {};
  const listen = (id: string): void => {
    stop();
    current = id;
    const unsubscribe = personalizer.subscribe(id, onChange);
    const unwatch = merges.watch(id, onMerged);
    stop = () => {
      unsubscribe();
      unwatch();
    };
  };
  function onChange(change: SegmentChange): void {
    stamp?.mark(change.at);
    if (closed) return;
    if (change.mergedInto && change.mergedInto !== current) listen(change.mergedInto);
    handlers.change(change);
  }
  function onMerged(into: string): void {
    if (closed || into === current) return;
    listen(into);
    handlers.moved(into);
  }
  listen(profileId);
  return {
    get profileId() {
      return current;
    },
    moveTo(canonicalId) {
      if (!closed && canonicalId !== current) listen(canonicalId);
    },
    close() {
      closed = true;
      stop();
    },
  };
}

/** Merge notices on this instance, by merged profile id. */
export class MergeNotices implements MergeWatch {
  private readonly watchers = new Map<string, Set<(into: string) => void>>();

  watch(profileId: string, moved: (into: string) => void): () => void {
    let set = this.watchers.get(profileId);
    if (!set) this.watchers.set(profileId, (set = new Set()));
    set.add(moved);
    return () => {
      set.delete(moved);
      if (set.size === 0 && this.watchers.get(profileId) === set) this.watchers.delete(profileId);
    };
  }

  /** `from` was merged into `into` (announced by any instance). */
  merged(from: string, into: string): void {
    const set = this.watchers.get(from);
    if (set) for (const moved of [...set]) moved(into);
  }
}
