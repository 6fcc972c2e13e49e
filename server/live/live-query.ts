/**
 * The state machine of one `live` subscription: it yields the same tick on every trigger (the
 * visitor's membership changes, content or rules changed: registry.ts), coalesced while an
 * execution runs (mailbox.ts); each execution builds a fresh scope from the tick, with the
 * profile patched from the change that triggered it when a re-read is not needed.
 */
import type { ProfileView, SegmentChange } from '../../engine/types';
import { createScope } from '../../resolvers/context';
import type { Auth, ChangeMarker, LiveTick, Services } from '../../resolvers/services';
import { followProfile } from './follow';
import { Mailbox } from './mailbox';

/** Causes after which a profile read must be repeated (traits, consent, owner changed), not patched. */
const PATCHABLE_CAUSES = new Set<SegmentChange['cause']>(['event', 'time', 'rules']);

/** Starts the live query of `profileId` (the caller's verified token: `auth`). */
export function liveQuery(
  services: Services,
  auth: Auth,
  profileId: string,
  stamp: ChangeMarker | undefined,
): Mailbox<LiveTick> {
  let known: ProfileView | null = null;
  /** Counts changes heard, so a profile read that raced a newer change is not kept as known. */
  let heard = 0;
  let reads = new Set<string>();
  /** Set by the first profile read: from then on the subscription follows merges (identify). */
  let started = false;
  const tick: LiveTick = {
    newScope() {
      const readsOfThisRun = (reads = new Set());
      const heardBefore = heard;
      return createScope(services, auth, services.snapshot(), {
        known: () => known,
        onRead: (uid) => readsOfThisRun.add(uid),
        // A push can wait for a slow read; a fallback pushed meanwhile would flicker.
        readDeadlineMs: null,
        refuseReplaced: !started,
        onProfile: (view) => {
          started = true;
          if (heard === heardBefore) known = view;
          follower.moveTo(view.id);
        },
      });
    },
  };
  const follower = followProfile(
    services.personalizer,
    services.merges,
    profileId,
    {
      change(change) {
        heard += 1;
        // Segment changes patch what is known of the profile; other causes make the next run re-read it.
        known =
          known && PATCHABLE_CAUSES.has(change.cause) && !change.mergedInto
            ? { ...known, segments: change.segments }
            : null;
        mailbox.push(tick);
      },
      moved() {
        heard += 1;
        known = null;
        mailbox.push(tick);
      },
    },
    stamp,
  );
  const unregister = services.live.add({
    get reads() {
      return reads;
    },
    trigger: () => mailbox.push(tick),
    forgetProfile: () => {
      known = null;
    },
  });
  const mailbox = new Mailbox<LiveTick>(
    (pending) => pending,
    () => {
      unregister();
      follower.close();
    },
  );
  // The first execution is the current state.
  mailbox.push(tick);
  return mailbox;
}
