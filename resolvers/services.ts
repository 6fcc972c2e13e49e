/**
 * The services the resolvers use, as the resolvers need them: server/ implements each one
 * (server/tokens.ts, identity.ts, rate-limit.ts, live/registry.ts, live/follow.ts) and builds
 * `Services` (server/index.ts). The resolvers import nothing of server/ but its protocol module.
 */
import type { Clock, EpochMs, JsonObject, Personalizer } from '../engine/types';
import type { GraphQLError } from 'graphql';
import type { ContentSnapshot } from '../content/snapshot';
import type { RequestScope, SegmentChangeModel } from './models';

/** Who the caller is, as far as the token shows. */
export type Auth =
  | { kind: 'none' }
  | { kind: 'verified'; profileId: string; expiresAt: number }
  | { kind: 'refused'; refusal: TokenRefusal };

/** Why a token was refused (its message: `describeRefusal` in resolvers/errors.ts). */
export type TokenRefusal = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired';

/** Issues profile tokens (server/tokens.ts). */
export interface TokenIssuer {
  issue(profileId: string): {
    token: string;
    claims: { profileId: string; issuedAt: EpochMs; expiresAt: EpochMs };
  };
}

/** A verified assertion. */
export interface IdentityAssertion {
  userId: string;
  /** The anonymous profile it is bound to, or null. */
  profileId: string | null;
  /** The `traits` claim, checked as event payloads are (empty without one). */
  traits: JsonObject;
  jti: string;
  expiresAt: EpochMs;
}

/** Why an assertion was refused: a message for the caller (never the claims themselves). */
export class AssertionRefusal extends Error {
  constructor(
    message: string,
    /**
     * `bad-input` for a malformed traits claim (the signer's bug: `BAD_USER_INPUT`), `unavailable`
     * when the JWKS URL cannot be fetched (retryable `UNAVAILABLE`), else `FORBIDDEN`.
     */
    readonly kind: 'forbidden' | 'bad-input' | 'unavailable' = 'forbidden',
    readonly path?: string,
  ) {
    super(message);
    this.name = 'AssertionRefusal';
  }
}

/** Verifies the identity assertions `identify` takes (server/identity.ts); throws `AssertionRefusal`. */
export interface AssertionVerifier {
  /** Whether `identify` refuses traits from the browser or keeps them apart as `clientTraits`. */
  readonly clientTraits: 'refuse' | 'separate';
  verify(assertion: string, callerProfileId: string): Promise<IdentityAssertion>;
}

/** The operations the resolvers charge to a rate limit (server/limits.ts names their limits). */
export type ChargedOperation =
  'startSession' | 'track' | 'refreshSession' | 'identify' | 'setConsent' | 'forgetMe' | 'me';

/** Admits or refuses (`RATE_LIMITED`) one call by a caller (server/rate-limit.ts). */
export interface RateAdmission {
  admit(
    operation: ChargedOperation,
    caller: { address: string; profileId: string | undefined },
    cost?: number,
  ): void;
}

/** The limits a resolver checks itself (the others are enforced before execution). */
export interface ResolverLimits {
  /** Most events in one `track` batch. */
  maxBatch: number;
}

/** What the registry needs of one live query. */
export interface LiveQuery {
  /** Content type uids the last execution read. */
  readonly reads: ReadonlySet<string>;
  /** Re-executes (coalesced: several triggers before the next execution make one). */
  trigger(): void;
  /** Forgets what the query knew about the visitor's profile (rules changed: re-read it). */
  forgetProfile(): void;
}

/** The live queries and `segmentsChanged` followers open on this instance (server/live/registry.ts). */
export interface LiveQueries {
  /** Registers a live query; returns its removal. */
  add(query: LiveQuery): () => void;
  /** Registers a `segmentsChanged` subscription's re-read after a bus reconnect; returns its removal. */
  addFollower(resync: () => void): () => void;
}

/** Where merge notices are announced (see `MergeNotices`). */
export interface MergeWatch {
  /** Calls `moved(into)` when `profileId` is merged into another profile; returns the unwatch. */
  watch(profileId: string, moved: (into: string) => void): () => void;
}

/** A change to push, or the refusal that ends a `segmentsChanged` subscription (pushed as its error). */
export type MembershipPush = { segmentsChanged: SegmentChangeModel } | { refused: GraphQLError };

/**
 * What a `live` subscription yields on every trigger: always the same object, which builds the
 * scope of an execution when it runs (the resolver's `resolve`), so a coalesced trigger costs nothing.
 */
export interface LiveTick {
  newScope(): RequestScope;
}

/**
 * The state machines of the subscriptions (server/live/segments-changed.ts, live-query.ts), started
 * for a caller with a verified token; `stamp` marks the changes they receive when pushes are timed.
 */
export interface Subscriptions {
  segmentsChanged(
    services: Services,
    auth: Auth,
    profileId: string,
    stamp: ChangeMarker | undefined,
  ): AsyncIterableIterator<MembershipPush>;
  live(
    services: Services,
    auth: Auth,
    profileId: string,
    stamp: ChangeMarker | undefined,
  ): AsyncIterableIterator<LiveTick>;
}

/** Marks the commit time of each change a subscription receives (push timing: server/live/push-timing.ts). */
export interface ChangeMarker {
  mark(at: number): void;
}

/** Long-lived parts shared by every request of a server. */
export interface Services {
  personalizer: Personalizer;
  tokens: TokenIssuer;
  identity: AssertionVerifier;
  limits: ResolverLimits;
  /** The rate limit of each operation: use `admit` (resolvers/context.ts). */
  rates: RateAdmission;
  clock: Clock;
  /** Live queries open on this instance (content and rule changes trigger them). */
  live: LiveQueries;
  /** Merge notices received on this instance (followers move to the merged-into profile). */
  merges: MergeWatch;
  /** Tells every instance that `from` was merged into `into` (after `identify`). */
  announceMerge(from: string, into: string): Promise<void>;
  /** The content snapshot in force. */
  snapshot(): ContentSnapshot;
  subscriptions: Subscriptions;
}
