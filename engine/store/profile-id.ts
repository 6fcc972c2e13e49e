/**
 * Profile ids are opaque strings from verified tokens, but they end up inside Redis key names
 * between `{}` hash-tag braces, so a few characters are refused outright rather than escaped.
 */

const MAX_LENGTH = 200;
// Braces would break the hash tag; whitespace and control characters have no business in an id.
// Lone surrogates become U+FFFD in UTF-8: two different ids would share one profile's keys (and
// an identity assertion signed for one would sign the other in).
const FORBIDDEN = /[{}\s\p{Cc}\p{Cs}]/u;

/** Throws a `TypeError` naming the problem when `id` cannot be a profile id. */
export function assertProfileId(id: unknown, what = 'profile id'): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`${what} must be a non-empty string`);
  if (id.length > MAX_LENGTH) throw new TypeError(`${what} is longer than ${MAX_LENGTH} characters`);
  if (FORBIDDEN.test(id))
    throw new TypeError(`${what} must not contain braces, whitespace, control characters or lone surrogates`);
}

const USER_PREFIX = 'user:';

/** The canonical profile id of a known user: namespaced so it never collides with anonymous ids. */
export function userProfileId(userId: string): string {
  assertProfileId(userId, 'user id');
  return `${USER_PREFIX}${userId}`;
}

/** Whether `id` is a user's profile id (`userProfileId`), as opposed to an anonymous visitor's. */
export function isUserProfileId(id: string): boolean {
  return id.startsWith(USER_PREFIX);
}

/**
 * Thrown when events are sent for an anonymous id that `identify` folded into a user's profile:
 * the id still resolves (reads name the user's profile, so the caller can be told), but it no
 * longer writes there. Only the token identify returned stands for the user.
 */
export class ReplacedProfileError extends Error {
  constructor(readonly profileId: string) {
    super('this anonymous profile was folded into a user profile by identify: it takes no more events');
    this.name = 'ReplacedProfileError';
  }
}

/** Throws `ReplacedProfileError` when `id` is anonymous and `target` (its alias) a user's profile. */
export function refuseReplacedWrite(id: string, target: string): void {
  if (!isUserProfileId(id) && isUserProfileId(target)) throw new ReplacedProfileError(target);
}
