/**
 * `Subscription`: the caller's membership changes, and live queries. The resolvers check the
 * caller and resolve each value; the state machines behind them are server/live/segments-changed.ts
 * and live-query.ts (`services.subscriptions`).
 */
import type { SubscriptionResolvers } from './__generated__/types';
import { requireProfileId } from './context';
import type { RootModel, SegmentChangeModel } from './models';
import type { LiveTick, MembershipPush } from './services';

export const Subscription: SubscriptionResolvers = {
  segmentsChanged: {
    subscribe(_parent, _args, context) {
      const profileId = requireProfileId(context.auth);
      return context.services.subscriptions.segmentsChanged(
        context.services,
        context.auth,
        profileId,
        context.changeStamp,
      );
    },
    resolve(payload: MembershipPush): SegmentChangeModel {
      if ('refused' in payload) throw payload.refused;
      return payload.segmentsChanged;
    },
  },

  live: {
    subscribe(_parent, _args, context) {
      const profileId = requireProfileId(context.auth);
      return context.services.subscriptions.live(
        context.services,
        context.auth,
        profileId,
        context.changeStamp,
      );
    },
    resolve: (tick: LiveTick): RootModel => ({ scope: tick.newScope() }),
  },
};
