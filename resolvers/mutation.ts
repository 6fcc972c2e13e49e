/**
 * `Mutation`: sessions, events, identity, consent and erasure. Every operation but `startSession`
 * acts on the profile of the verified token, and only on it: no argument names a profile.
 */
import { randomUUID } from 'node:crypto';
import { EventValidationError, validateEvents } from '../engine/events';
import type { JsonObject } from '../engine/types';
import { ErrorCode, refusal } from '../server/errors';
import type { MutationResolvers } from './__generated__/types';
import { requireProfileId, type ResolverContext } from './context';
import type { TrackResultModel } from './models';

/** Keeps only the fields an `EventInput` gave a value (explicit nulls mean "not given"). */
function withoutNulls(event: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).filter(([, value]) => value !== null && value !== undefined),
  );
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Takes one `track` call from the per-address and per-profile buckets, or refuses. */
function admitTrack(context: ResolverContext, profileId: string): void {
  const { trackPerIp, trackPerProfile } = context.services;
  for (const [admission, who] of [
    [trackPerIp.take(context.remoteAddress ?? 'unknown'), 'this address'],
    [trackPerProfile.take(profileId), 'this profile'],
  ] as const) {
    if (!admission.ok)
      throw refusal(
        ErrorCode.RateLimited,
        `too many track calls from ${who}; retry in ${admission.retryAfterMs} ms`,
        {
          retryAfterMs: admission.retryAfterMs,
        },
      );
  }
}

export const Mutation: MutationResolvers = {
  startSession(_parent, _args, context) {
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
    admitTrack(context, profileId);
    let validated;
    try {
      validated = validateEvents(events.map(withoutNulls), clock.now(), { maxBatchSize: limits.maxBatch });
    } catch (error) {
      if (error instanceof EventValidationError)
        throw refusal(ErrorCode.BadUserInput, error.message, { path: error.path });
      throw error;
    }
    const outcome = await personalizer.track(profileId, validated.events);
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
    const profileId = requireProfileId(context.auth);
    if (traits !== undefined && traits !== null && !isJsonObject(traits))
      throw refusal(ErrorCode.BadUserInput, 'traits must be a JSON object');
    if (typeof proof !== 'string' || !(await context.services.identity.verify(proof, userId)))
      throw refusal(
        ErrorCode.Forbidden,
        proof
          ? 'the identity proof does not match this user id'
          : 'identify needs a proof that you are this user',
      );
    let profile;
    try {
      profile = await context.services.personalizer.identify(profileId, userId, (traits ?? {}) as JsonObject);
    } catch (error) {
      // The engine refuses unusable ids with a TypeError naming the problem.
      if (error instanceof TypeError) throw refusal(ErrorCode.BadUserInput, error.message);
      throw error;
    }
    // Open subscriptions of this visitor, on any instance, now follow the user's profile.
    if (profile.id !== profileId) await context.services.announceMerge(profileId, profile.id);
    return profile;
  },

  setConsent(_parent, { behavioral }, context) {
    return context.services.personalizer.setConsent(requireProfileId(context.auth), { behavioral });
  },

  async forgetMe(_parent, _args, context) {
    await context.services.personalizer.forget(requireProfileId(context.auth));
    return true;
  },
};
