/**
 * The state machine of one `segmentsChanged` subscription: the current memberships first (once the
 * profile is read), then every change, folded while the subscriber is slow (one pending value, see
 * mailbox.ts); it follows the visitor across instances (the change bus) and merges (`mergedInto`),
 * and after a bus reconnect diffs the current state against what it last gave (a catch-up).
 */
import { isRedisUnavailable } from '../../engine';
import type { MembershipView } from '../../engine/types';
import { isReplaced, refuseReplacedToken } from '../../resolvers/context';
import type { SegmentChangeModel } from '../../resolvers/models';
import type { Auth, ChangeMarker, MembershipPush, Services } from '../../resolvers/services';
import type { GraphQLError } from 'graphql';
import {
  catchUpChange,
  changeModel,
  currentState,
  foldChanges,
  mergedState,
  sameMemberships,
} from './changes';
import { followProfile } from './follow';
import { Mailbox } from './mailbox';

/** Starts the subscription of `profileId` (the caller's verified token: `auth`). */
export function membershipChanges(
  services: Services,
  auth: Auth,
  profileId: string,
  stamp: ChangeMarker | undefined,
): Mailbox<MembershipPush> {
  const { personalizer, clock, live } = services;
  let ready = false;
  let early: SegmentChangeModel | null = null;
  /** The memberships the subscriber was last given: what a catch-up is diffed against. */
  let held: MembershipView[] = [];
  /** Counts changes delivered, so a catch-up read that raced a newer change is dropped. */
  let delivered = 0;
  const deliver = (model: SegmentChangeModel): void => {
    delivered += 1;
    if (ready) {
      // A catch-up after a reconnect may have announced this state already (the change's own
      // message was in flight on the subscriber connection meanwhile).
      if (sameMemberships(held, model.segments)) return;
      held = model.segments;
      mailbox.push({ segmentsChanged: model });
    } else early = early ? foldChanges(early, model) : model;
  };
  const follower = followProfile(
    personalizer,
    services.merges,
    profileId,
    {
      change: (change) => deliver(changeModel(change)),
      // Merged without a change notice: the user's memberships are the new state.
      moved: (into) =>
        void personalizer.getProfile(into).then(
          (profile) => deliver(mergedState(profile, clock.now())),
          () => {},
        ),
    },
    stamp,
  );
  let starting = false;
  const start = (): void => {
    if (starting) return;
    starting = true;
    personalizer.getProfile(profileId).then(
      (profile) => {
        if (isReplaced(profileId, profile.id)) {
          try {
            refuseReplacedToken(auth, profile.id);
          } catch (error) {
            mailbox.end({ refused: error as GraphQLError });
          }
          return;
        }
        follower.moveTo(profile.id);
        ready = true;
        held = profile.segments;
        mailbox.push({ segmentsChanged: currentState(profile, clock.now()) });
        if (early) deliver(early);
        early = null;
      },
      (error: unknown) => {
        starting = false;
        // Store unreachable: the subscription stays open and starts when the bus is back (catchUp).
        if (!isRedisUnavailable(error)) void mailbox.return();
      },
    );
  };
  /** After a bus reconnect: changes may have been missed, so diff the current state against `held`. */
  const catchUp = (): void => {
    if (!ready) return start();
    const before = delivered;
    personalizer.getProfile(follower.profileId).then(
      (profile) => {
        if (delivered !== before) return; // a newer change arrived meanwhile and is what holds
        const missed = catchUpChange(held, profile, clock.now());
        if (missed) deliver(missed);
      },
      () => {}, // still unreachable: the next reconnect catches up
    );
  };
  const removeFollower = live.addFollower(catchUp);
  const mailbox = new Mailbox<MembershipPush>(
    (pending, next) =>
      'refused' in pending || 'refused' in next
        ? pending
        : { segmentsChanged: foldChanges(pending.segmentsChanged, next.segmentsChanged) },
    () => {
      removeFollower();
      follower.close();
    },
  );
  start();
  return mailbox;
}
