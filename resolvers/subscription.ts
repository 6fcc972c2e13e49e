/**
 * `Subscription`: the caller's membership changes, and live queries. Both follow the visitor
 * across instances (the change bus) and across merges (`mergedInto`), start with the current
 * state, and hold at most one pending value per subscription (see server/live/mailbox.ts).
 */
import { isRedisUnavailable } from '../engine';
import type { MembershipView, ProfileView, SegmentChange } from '../engine/types';
import {
  catchUpChange,
  changeModel,
  currentState,
  foldChanges,
  mergedState,
  sameMemberships,
} from '../server/live/changes';
import { followProfile } from '../server/live/follow';
import { Mailbox } from '../server/live/mailbox';
import type { SubscriptionResolvers } from './__generated__/types';
import { GraphQLError } from 'graphql';
import { createScope, isReplaced, refuseReplacedToken, requireProfileId } from './context';
import type { RequestScope, RootModel, SegmentChangeModel } from './models';

/** A change to push, or the refusal that ends the subscription (pushed as its error). */
type ChangePayload = { segmentsChanged: SegmentChangeModel } | { refused: GraphQLError };
/**
 * What a live subscription yields on every trigger: always the same object, which builds the
 * scope of an execution when it runs (`resolve` below), so a coalesced trigger costs nothing.
 */
interface LiveTick {
  newScope(): RequestScope;
}

/** Causes after which a profile read must be repeated (traits, consent, owner changed), not patched. */
const PATCHABLE_CAUSES = new Set<SegmentChange['cause']>(['event', 'time', 'rules']);

export const Subscription: SubscriptionResolvers = {
  segmentsChanged: {
    subscribe(_parent, _args, context) {
      const profileId = requireProfileId(context.auth);
      const { personalizer, clock, live } = context.services;
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
      const follower = followProfile(personalizer, context.services.merges, profileId, {
        change: (change) => deliver(changeModel(change)),
        // Merged without a change notice: the user's memberships are the new state.
        moved: (into) =>
          void personalizer.getProfile(into).then(
            (profile) => deliver(mergedState(profile, clock.now())),
            () => {},
          ),
      });
      let starting = false;
      const start = (): void => {
        if (starting) return;
        starting = true;
        personalizer.getProfile(profileId).then(
          (profile) => {
            if (isReplaced(profileId, profile.id)) {
              try {
                refuseReplacedToken(context.auth, profile.id);
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
      const mailbox = new Mailbox<ChangePayload>(
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
    },
    resolve(payload: ChangePayload): SegmentChangeModel {
      if ('refused' in payload) throw payload.refused;
      return payload.segmentsChanged;
    },
  },

  live: {
    subscribe(_parent, _args, context) {
      const profileId = requireProfileId(context.auth);
      const { services, auth } = context;
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
      const follower = followProfile(services.personalizer, services.merges, profileId, {
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
      });
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
    },
    resolve: (tick: LiveTick): RootModel => ({ scope: tick.newScope() }),
  },
};
