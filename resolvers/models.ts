/**
 * What the resolvers of the static schema receive as parents (codegen `mappers`): the engine's own
 * views, so nothing is copied between the engine and the schema.
 */
import type {
  ChangeCause,
  EpochMs,
  MembershipView,
  ProfileView,
  Reason,
  SegmentDefinition,
} from '../engine/types';
import type { ContentRequest } from '../content/schema';
import type { Degraded } from '../server/protocol';

export type ProfileModel = ProfileView;
export type MembershipModel = MembershipView;
export type SegmentModel = Pick<SegmentDefinition, 'key' | 'name' | 'priority'>;

/** A membership change as pushed; `current` is the state sent first on every (re)subscription. */
export interface SegmentChangeModel {
  entered: string[];
  exited: string[];
  segments: MembershipView[];
  reasons: Record<string, Reason>;
  cause: ChangeCause | 'current';
  at: EpochMs;
}

export interface TrackResultModel {
  accepted: number;
  duplicates: number;
  withheld: number;
  entered: string[];
  exited: string[];
  /** Memberships after the batch, when the batch changed them; else read from the profile. */
  segments: MembershipView[] | null;
}

export interface SessionModel {
  token: string;
  profileId: string;
  expiresAt: EpochMs;
}

export interface IdentifiedModel {
  session: SessionModel;
  profile: ProfileModel;
}

/**
 * The parent of `Query` fields. For plain queries it is empty and the scope is the request's; for
 * each re-execution of a `live` subscription it carries a fresh scope (a fresh profile read, the
 * snapshot of that moment, and the record of what content the execution read).
 */
export interface RootModel {
  scope?: RequestScope;
}

/** One execution's view: the caller's profile read at most once, and the content it reads. */
export interface RequestScope {
  /**
   * The caller's profile (one store read per execution). Throws the auth error without a valid
   * token, and the retryable `UNAVAILABLE` refusal when the store cannot be reached.
   */
  profile(): Promise<ProfileView>;
  content: ContentRequest;
  /** Set when content was served as the fallback because the profile could not be read. */
  readonly degraded: Degraded | null;
}
