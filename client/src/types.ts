/**
 * Friendly names for the generated result types of the client's own operations (`operations.ts`,
 * generated into `__generated__/operations.ts` from the endpoint's schema).
 */
import type {
  IdentifyMutation,
  IdentifyMutationVariables,
  MembershipFieldsFragment,
  ProfileFieldsFragment,
  SegmentsChangedSubscription,
  StartSessionMutation,
  TrackMutation,
} from './__generated__/operations.js';

/** What `startSession` returns: the token, the anonymous profile id, and when the token expires. */
export type Session = StartSessionMutation['startSession'];

/** What `identify` returns: the user's profile and the token that now stands for it (the client keeps it). */
export type Identified = IdentifyMutation['identify'];

/** What `track` did with a batch (`withheld`: not stored because consent is off). */
export type TrackResult = TrackMutation['track'];

/** One current segment membership: key, name, priority, since, when it lapses (`expiresAt`), and why. */
export type SegmentMembership = MembershipFieldsFragment;

/** The caller's profile as the client reads it; segments highest priority first. */
export type Profile = ProfileFieldsFragment;

/** A change of the caller's segments, pushed by `segmentsChanged` (the current state first, cause `CURRENT`). */
export type SegmentChange = SegmentsChangedSubscription['segmentsChanged'];

/** Browser-sent traits passed to `identify` (refused unless the server keeps them apart as `clientTraits`). */
export type Traits = NonNullable<IdentifyMutationVariables['traits']>;

export type { ChangeCause, EventInput } from './__generated__/operations.js';
