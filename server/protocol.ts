/**
 * The wire protocol of the endpoint as plain values: the `extensions.code` of every refusal, the
 * WebSocket close codes, the token cookie's name and the degraded reason. The one module server/
 * and resolvers/ both import (resolvers/ imports nothing else of server/), as graphql-ws's client
 * and server share `common.ts`. It holds no GraphQL or Node code, so nothing pulls a layer with it.
 */
import { CloseCode as GraphQLWsCloseCode } from 'graphql-ws';

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

/** Why a response was served in a degraded way (`extensions.personalize.degraded`). */
export const Degraded = {
  /** The profile store could not be read: content is the fallback (untagged) variant. */
  ProfileStoreUnavailable: 'profile-store-unavailable',
} as const;

export type Degraded = (typeof Degraded)[keyof typeof Degraded];

/** Close codes this endpoint uses (plus graphql-ws's own). */
export const CloseCode = {
  Unauthorized: GraphQLWsCloseCode.Unauthorized,
  Forbidden: GraphQLWsCloseCode.Forbidden,
  ConnectionInitialisationTimeout: GraphQLWsCloseCode.ConnectionInitialisationTimeout,
  /** Subscribe messages sent on after `subscribePerSocket.burst` refusals in a row. */
  SubscribeFlood: 1008,
  /** More than `maxSocketsPerAddress` open sockets from the caller's address. */
  TooManySockets: 1013,
  /** More than `maxBufferedBytes` queued unsent: the client does not read what it asked for. */
  SlowConsumer: 4413,
} as const;

/** The cookie carrying the profile token (the `Authorization: Bearer` header is preferred). */
export const TOKEN_COOKIE = 'pz_token';
