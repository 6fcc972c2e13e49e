/**
 * `Mutation`: sessions, events, identity, consent and erasure. Every operation but `startSession`
 * acts on the profile of the verified token, and only on it: no argument names a profile.
 */
import { randomUUID } from 'node:crypto';
import { isRedisUnavailable, ProfileLimitError } from '../engine';
import { copyJsonObject, DEFAULT_EVENT_LIMITS, EventValidationError, validateEvents } from '../engine/events';
import type { JsonObject } from '../engine/types';
import { ErrorCode, refusal, storeUnavailable } from '../server/errors';
import type { MutationResolvers } from './__generated__/types';
import { admit, requireProfileId } from './context';
import type { TrackResultModel } from './models';

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
    const { token, claims } = context.services.tokens.issue(`anon:${randomUUID()}`);
    return { token, profileId: claims.profileId, expiresAt: claims.expiresAt };
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
    const outcome = await withStore(personalizer.track(profileId, validated.events));
    return {
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      withheld: outcome.withheld ?? 0,
      entered: outcome.change?.entered ?? [],
      exited: outcome.change?.exited ?? [],
      segments: outcome.change?.segments ?? null,
    };
  },

  async identify(_parent, { userId, traits, proof }, context) {
    admit(context, 'identify');
    const profileId = requireProfileId(context.auth);
    const checked = checkedTraits(traits);
    if (typeof proof !== 'string' || !(await context.services.identity.verify(proof, userId)))
      throw refusal(
        ErrorCode.Forbidden,
        proof
          ? 'the identity proof does not match this user id'
          : 'identify needs a proof that you are this user',
      );
    let profile;
    try {
      profile = await withStore(context.services.personalizer.identify(profileId, userId, checked));
    } catch (error) {
      // The engine refuses unusable ids with a TypeError naming the problem.
      if (error instanceof TypeError) throw refusal(ErrorCode.BadUserInput, error.message);
      throw error;
    }
    // Open subscriptions of this visitor, on any instance, now follow the user's profile.
    if (profile.id !== profileId) await withStore(context.services.announceMerge(profileId, profile.id));
    return profile;
  },

  setConsent(_parent, { behavioral }, context) {
    admit(context, 'setConsent');
    return withStore(
      context.services.personalizer.setConsent(requireProfileId(context.auth), { behavioral }),
    );
  },

  async forgetMe(_parent, _args, context) {
    admit(context, 'forgetMe');
    await withStore(context.services.personalizer.forget(requireProfileId(context.auth)));
    return true;
  },
};
