/**
 * `Mutation`: sessions, events, identity, consent and erasure. Every operation but `startSession`
 * acts on the profile of the verified token, and only on it: no argument names a profile.
 */
import { randomUUID } from 'node:crypto';
import {
  copyJsonObject,
  DEFAULT_EVENT_LIMITS,
  EventValidationError,
  isRedisUnavailable,
  ProfileLimitError,
  ReplacedProfileError,
  validateEvents,
} from '../engine';
import type { JsonObject } from '../engine/types';
import { ErrorCode } from '../server/protocol';
import { refusal, storeUnavailable } from './errors';
import type { MutationResolvers } from './__generated__/types';
import { AssertionRefusal } from './services';
import { isUserProfileId } from '../engine/store/profile-id';
import { admit, refuseReplacedToken, requireProfileId, type ResolverContext } from './context';
import type { SessionModel, TrackResultModel } from './models';

/** Keeps only the fields an `EventInput` gave a value (explicit nulls mean "not given"). */
function withoutNulls(event: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).filter(([, value]) => value !== null && value !== undefined),
  );
}

/**
 * The caller's traits, checked as event payloads are: traits are stored field by field and read
 * back into a plain object, so a `__proto__` key would replace its prototype (and hide every
 * trait from the rules), a lone surrogate would be rewritten by UTF-8, and sizes must be bounded.
 */
function checkedTraits(traits: unknown): JsonObject {
  if (traits === undefined || traits === null) return {};
  try {
    return copyJsonObject(traits, 'traits', DEFAULT_EVENT_LIMITS);
  } catch (error) {
    if (error instanceof EventValidationError)
      throw refusal(ErrorCode.BadUserInput, error.message, { path: error.path });
    throw error;
  }
}

/**
 * Awaits a store operation; an unreachable store (or one out of memory) becomes the retryable
 * `UNAVAILABLE` refusal (the client retries the same request later), never an internal error,
 * and a write past a per-profile bound becomes `BAD_USER_INPUT` naming the bound.
 */
async function withStore<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof ProfileLimitError)
      throw refusal(ErrorCode.BadUserInput, error.message, { limit: error.limit, max: error.max });
    throw isRedisUnavailable(error) ? storeUnavailable() : error;
  }
}

export const Mutation: MutationResolvers = {
  startSession(_parent, _args, context) {
    admit(context, 'startSession');
    return issueSession(context, `anon:${randomUUID()}`);
  },

  async track(_parent, { events }, context): Promise<TrackResultModel> {
    const profileId = requireProfileId(context.auth);
    const { limits, personalizer, clock } = context.services;
    if (events.length > limits.maxBatch)
      throw refusal(
        ErrorCode.BatchTooLarge,
        `a track batch holds at most ${limits.maxBatch} events, got ${events.length}`,
        {
          maxBatch: limits.maxBatch,
        },
      );
    // Charged per event (an empty batch costs one call): a batch of 100 costs 100.
    admit(context, 'track', Math.max(1, events.length));
    let validated;
    try {
      validated = validateEvents(events.map(withoutNulls), clock.now(), { maxBatchSize: limits.maxBatch });
    } catch (error) {
      if (error instanceof EventValidationError)
        throw refusal(ErrorCode.BadUserInput, error.message, { path: error.path });
      throw error;
    }
    let outcome;
    try {
      outcome = await withStore(personalizer.track(profileId, validated.events));
    } catch (error) {
      // Nothing was stored: the id now belongs to a user's profile, which only its new token reaches.
      if (error instanceof ReplacedProfileError) refuseReplacedToken(context.auth, error.profileId);
      throw error;
    }
    return {
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      withheld: outcome.withheld ?? 0,
      entered: outcome.change?.entered ?? [],
      exited: outcome.change?.exited ?? [],
      segments: outcome.change?.segments ?? null,
    };
  },

  refreshSession(_parent, _args, context) {
    admit(context, 'refreshSession');
    return issueSession(context, requireProfileId(context.auth));
  },

  async identify(_parent, { assertion, traits }, context) {
    admit(context, 'identify');
    const profileId = requireProfileId(context.auth);
    const { identity, personalizer } = context.services;
    let clientTraits: JsonObject | undefined;
    if (traits !== undefined && traits !== null) {
      if (identity.clientTraits === 'refuse')
        throw refusal(
          ErrorCode.BadUserInput,
          'identify takes no traits from the browser (identity.clientTraits is "refuse"): put them in the identity assertion\'s traits claim, or set identity.clientTraits to "separate"',
          { path: 'traits' },
        );
      clientTraits = checkedTraits(traits);
    }
    let asserted;
    try {
      asserted = await identity.verify(assertion, profileId);
    } catch (error) {
      if (error instanceof AssertionRefusal) {
        if (error.kind === 'bad-input')
          throw refusal(ErrorCode.BadUserInput, error.message, { path: error.path });
        if (error.kind === 'unavailable')
          throw refusal(ErrorCode.Unavailable, error.message, { retryable: true });
        throw refusal(ErrorCode.Forbidden, error.message);
      }
      throw isRedisUnavailable(error) ? storeUnavailable() : error;
    }
    let identified;
    try {
      identified = await withStore(
        personalizer.identify(profileId, asserted.userId, asserted.traits, clientTraits),
      );
    } catch (error) {
      // The engine refuses unusable ids with a TypeError naming the problem.
      if (error instanceof TypeError) throw refusal(ErrorCode.BadUserInput, error.message);
      throw error;
    }
    const { profile, merged } = identified;
    // Open subscriptions of this visitor, on any instance, now follow the user's profile.
    if (merged) await withStore(context.services.announceMerge(profileId, profile.id));
    return { session: issueSession(context, profile.id), profile };
  },

  async setConsent(_parent, { behavioral }, context) {
    admit(context, 'setConsent');
    const profileId = requireProfileId(context.auth);
    // Withdrawing drops the stored events for good: a replaced token must not do it even once.
    if (!behavioral && !isUserProfileId(profileId)) await refuseIfReplaced(context, profileId);
    const profile = await withStore(context.services.personalizer.setConsent(profileId, { behavioral }));
    refuseReplacedToken(context.auth, profile.id);
    return profile;
  },

  async forgetMe(_parent, _args, context) {
    admit(context, 'forgetMe');
    const profileId = requireProfileId(context.auth);
    // Erasure cannot be undone: check first that an anonymous token was not replaced by identify.
    if (!isUserProfileId(profileId)) await refuseIfReplaced(context, profileId);
    await withStore(context.services.personalizer.forget(profileId));
    return true;
  },
};

/** A new token for `profileId` (anonymous or a user's: user tokens live `tokens.userTtlMs`). */
function issueSession(context: ResolverContext, profileId: string): SessionModel {
  const { token, claims } = context.services.tokens.issue(profileId);
  return { token, profileId: claims.profileId, expiresAt: claims.expiresAt };
}

/** Reads the caller's profile and refuses a token replaced by identify (see `refuseReplacedToken`). */
async function refuseIfReplaced(context: ResolverContext, profileId: string): Promise<void> {
  const view = await withStore(context.services.personalizer.getProfile(profileId));
  refuseReplacedToken(context.auth, view.id);
}
