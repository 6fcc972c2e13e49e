/**
 * `Subscription`: the caller's membership changes, and live queries. Both follow the visitor
 * across instances (the change bus) and across merges (`mergedInto`), start with the current
 * state, and hold at most one pending value per subscription (see server/live/mailbox.ts).
 */
import type { ProfileView, SegmentChange } from '../engine/types';
import { changeModel, currentState, foldChanges, mergedState } from '../server/live/changes';
import { followProfile } from '../server/live/follow';
import { Mailbox } from '../server/live/mailbox';
import type { SubscriptionResolvers } from './__generated__/types';
import { createScope, requireProfileId, type RequestScope } from './context';
import type { RootModel, SegmentChangeModel } from './models';

type ChangePayload = { segmentsChanged: SegmentChangeModel };
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
      const { personalizer, clock } = context.services;
      let ready = false;
      let early: SegmentChangeModel | null = null;
      const deliver = (model: SegmentChangeModel): void => {
        if (ready) mailbox.push({ segmentsChanged: model });
        else early = early ? foldChanges(early, model) : model;
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
      const mailbox = new Mailbox<ChangePayload>(
        (pending, next) => ({ segmentsChanged: foldChanges(pending.segmentsChanged, next.segmentsChanged) }),
        () => follower.close(),
      );
      personalizer.getProfile(profileId).then(
        (profile) => {
          follower.moveTo(profile.id);
          ready = true;
          mailbox.push({ segmentsChanged: currentState(profile, clock.now()) });
          if (early) mailbox.push({ segmentsChanged: early });
          early = null;
        },
        () => void mailbox.return(),
      );
      return mailbox;
    },
  },

  live: {
    subscribe(_parent, _args, context) {
      const profileId = requireProfileId(context.auth);
      const { services, auth } = context;
      let known: ProfileView | null = null;
      let reads = new Set<string>();
      const tick: LiveTick = {
        newScope() {
          const readsOfThisRun = (reads = new Set());
          return createScope(services, auth, services.snapshot(), {
            known: () => known,
            onRead: (uid) => readsOfThisRun.add(uid),
            onProfile: (view) => {
              known = view;
              follower.moveTo(view.id);
            },
          });
        },
      };
      const follower = followProfile(services.personalizer, services.merges, profileId, {
        change(change) {
          // Segment changes patch what is known of the profile; other causes make the next run re-read it.
          known =
            known && PATCHABLE_CAUSES.has(change.cause) && !change.mergedInto
              ? { ...known, segments: change.segments }
              : null;
          mailbox.push(tick);
        },
        moved() {
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
