/**
 * Every refusal of the endpoint as a GraphQL error with a stable `extensions.code`, so clients act
 * on codes, not messages. WebSocket refusals before any operation use close codes instead
 * (see `CloseCode` in server/ws.ts).
 */
import { GraphQLError } from 'graphql';

/** The error codes of this endpoint (in `extensions.code`). */
export const ErrorCode = {
  /** No profile token came with a request that needs one. */
  Unauthenticated: 'UNAUTHENTICATED',
  /** The token is forged, malformed, signed with an unknown key, or expired. */
  InvalidToken: 'INVALID_TOKEN',
  /** The caller may not do this (e.g. `identify` with a refused identity assertion). */
  Forbidden: 'FORBIDDEN',
  /** Malformed input (events, arguments). */
  BadUserInput: 'BAD_USER_INPUT',
  /**
   * Over an operation's rate limit for this profile or address (`extensions.limit` names it, e.g.
   * `trackPerIp`); retry after `extensions.retryAfterMs`.
   */
  RateLimited: 'RATE_LIMITED',
  /** A `track` batch larger than `limits.maxBatch`. */
  BatchTooLarge: 'BATCH_TOO_LARGE',
  /** The query nests deeper than `limits.maxDepth`. */
  QueryTooDeep: 'QUERY_TOO_DEEP',
  /** The query's estimated cost exceeds `limits.maxCost`. */
  QueryTooCostly: 'QUERY_TOO_COSTLY',
  /**
   * More subscriptions on one socket than `limits.maxSubscriptionsPerSocket`, or more bytes of
   * documents held by its open subscriptions than `limits.maxSocketDocumentBytes`.
   */
  TooManySubscriptions: 'TOO_MANY_SUBSCRIPTIONS',
  /** The request body exceeds `limits.maxBodyBytes`. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The operation to run cannot be told from the document (`operationName` missing or unknown). */
  OperationResolutionFailure: 'OPERATION_RESOLUTION_FAILURE',
  /** Introspection is switched off by configuration. */
  IntrospectionDisabled: 'INTROSPECTION_DISABLED',
  /**
   * The profile store (Redis) cannot be reached now; `extensions.retryable` is true. Retry the same
   * request later: `track` keeps its event ids, so nothing is counted twice.
   */
  Unavailable: 'UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A GraphQL error carrying `code` (and any extra extensions). */
export function refusal(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Why a response was served in a degraded way (`extensions.personalize.degraded`). */
export const Degraded = {
  /** The profile store could not be read: content is the fallback (untagged) variant. */
  ProfileStoreUnavailable: 'profile-store-unavailable',
} as const;

export type Degraded = (typeof Degraded)[keyof typeof Degraded];

/** The retryable refusal of an operation that needed the profile store while it was unreachable. */
export function storeUnavailable(): GraphQLError {
  return refusal(ErrorCode.Unavailable, 'the profile store is unavailable; retry shortly', {
    retryable: true,
  });
}
