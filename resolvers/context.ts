/**
 * The context every resolver receives: the caller (as proven by the token), the services of the
 * server, and the scope of one execution (memoized profile read, content snapshot).
 */
import { GraphQLError } from 'graphql';
import type { ProfileView } from '../engine/types';
import type { ContentSnapshot } from '../content/snapshot';
import { isRedisUnavailable } from '../engine';
import { isUserProfileId } from '../engine/store/profile-id';
import { Degraded, ErrorCode } from '../server/protocol';
import { describeRefusal, refusal, storeUnavailable } from './errors';
import type { Auth, ChangeMarker, ChargedOperation, Services } from './services';
import type { RequestScope, RootModel } from './models';

export type { Auth };

/**
 * How long a query waits for the caller's profile before serving the fallback content: the page
 * must render even when Redis is slow or unreachable (see engine/store/redis/connection.ts).
 */
export const PROFILE_READ_DEADLINE_MS = 1000;

export interface ResolverContext {
  services: Services;
  auth: Auth;
  /** The client's address key (IPv4, or IPv6 /64; server/client-address.ts), for per-address limits. */
  remoteAddress: string | undefined;
  /** The scope of a plain query or mutation (live executions bring their own through `RootModel`). */
  scope: RequestScope;
  /** Marks the changes a subscription receives, when the transport times pushes (WebSocket only). */
  changeStamp?: ChangeMarker;
}

/** The verified profile id of the caller, or the clear error why there is none. */
export function requireProfileId(auth: Auth): string {
  if (auth.kind === 'verified') return auth.profileId;
  if (auth.kind === 'refused') throw refusal(ErrorCode.InvalidToken, describeRefusal(auth.refusal));
  throw refusal(
    ErrorCode.Unauthenticated,
    'a profile token is required: call startSession and send the token as "Authorization: Bearer <token>"',
  );
}

/**
 * Charges one call of `operation` (or `cost` tokens: `track` pays per event) to the caller's
 * address and, with a verified token, its profile; throws `RATE_LIMITED` with `retryAfterMs`.
 */
export function admit(context: ResolverContext, operation: ChargedOperation, cost = 1): void {
  const { auth } = context;
  context.services.rates.admit(
    operation,
    {
      address: context.remoteAddress ?? 'unknown',
      profileId: auth.kind === 'verified' ? auth.profileId : undefined,
    },
    cost,
  );
}

/**
 * Refuses a request whose token names an anonymous profile that `identify` has since folded into
 * a user's (`canonicalId`, the id the store reports it read or wrote): after identify only the
 * token it returned stands for the user's profile. No extra read: every store operation already
 * answers with the canonical id.
 */
export function refuseReplacedToken(auth: Auth, canonicalId: string): void {
  if (auth.kind === 'verified' && isReplaced(auth.profileId, canonicalId))
    throw refusal(
      ErrorCode.InvalidToken,
      'this profile token was replaced when the visitor signed in: use the token identify returned (or call startSession)',
    );
}

/** Whether a token for `subject` no longer stands for `canonicalId` (see `refuseReplacedToken`). */
export function isReplaced(subject: string, canonicalId: string): boolean {
  return subject !== canonicalId && !isUserProfileId(subject) && isUserProfileId(canonicalId);
}

/** Throws when a token came but was refused (content for callers without a token is the fallback). */
export function refuseBadToken(auth: Auth): void {
  if (auth.kind === 'refused') throw refusal(ErrorCode.InvalidToken, describeRefusal(auth.refusal));
}

/** The scope for a `Query` field: the live execution's, else the request's. */
export function scopeOf(parent: RootModel | undefined | null, context: ResolverContext): RequestScope {
  return parent?.scope ?? context.scope;
}

/**
 * A fresh scope over `snapshot`: the profile is read once (or taken from `known`, what a live query
 * already learnt from the change that triggered it), and the audience derives from it.
 */
export function createScope(
  services: Services,
  auth: Auth,
  snapshot: ContentSnapshot,
  options: {
    known?: () => ProfileView | null;
    onRead?: (uid: string) => void;
    onProfile?: (p: ProfileView) => void;
    /** Deadline of the profile read (ms), then `UNAVAILABLE`; null = wait (live pushes can wait). */
    readDeadlineMs?: number | null;
    /**
     * Refuse a token replaced by identify (default). A live query that started before identify
     * passes false: it follows the merge until the client reconnects with its new token.
     */
    refuseReplaced?: boolean;
  } = {},
): RequestScope {
  let profile: Promise<ProfileView> | null = null;
  const readProfile = (): Promise<ProfileView> => {
    if (!profile) {
      const known = options.known?.();
      profile = known
        ? Promise.resolve(known)
        : withinDeadline(
            services.personalizer.getProfile(requireProfileId(auth)).then(
              (view) => {
                if (options.refuseReplaced !== false) refuseReplacedToken(auth, view.id);
                options.onProfile?.(view);
                return view;
              },
              (error: unknown) => {
                throw isRedisUnavailable(error) ? storeUnavailable() : error;
              },
            ),
            options.readDeadlineMs === undefined ? PROFILE_READ_DEADLINE_MS : options.readDeadlineMs,
          );
    }
    return profile;
  };
  let degraded: Degraded | null = null;
  return {
    profile: readProfile,
    get degraded() {
      return degraded;
    },
    content: {
      snapshot,
      async audience() {
        refuseBadToken(auth);
        if (auth.kind === 'none') return EMPTY_AUDIENCE;
        let view: ProfileView;
        try {
          view = await readProfile();
        } catch (error) {
          if (!isUnavailableRefusal(error)) throw error;
          // The page still renders: everyone's content (untagged variants), flagged in `extensions`.
          degraded = Degraded.ProfileStoreUnavailable;
          return EMPTY_AUDIENCE;
        }
        return new Map(view.segments.map((segment) => [segment.key, segment.priority]));
      },
      read(uid) {
        options.onRead?.(uid);
      },
    },
  };
}

/** `read`, or the `UNAVAILABLE` refusal if it has not settled within `deadlineMs`. */
function withinDeadline<T>(read: Promise<T>, deadlineMs: number | null): Promise<T> {
  if (deadlineMs === null) return read;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(storeUnavailable()), deadlineMs);
  });
  // `race` handles a late failure of `read` too: it never becomes an unhandled rejection.
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

/** Whether `error` is the refusal `storeUnavailable()` builds. */
export function isUnavailableRefusal(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions.code === ErrorCode.Unavailable;
}

/** What a response adds to its `extensions` when it was served degraded (else nothing). */
export function degradedExtensions(context: ResolverContext): Record<string, unknown> | undefined {
  const degraded = context.scope.degraded;
  return degraded ? { personalize: { degraded } } : undefined;
}

const EMPTY_AUDIENCE: ReadonlyMap<string, number> = new Map();
