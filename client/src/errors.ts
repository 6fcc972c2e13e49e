/**
 * One error type for everything the server or the network can answer, classified so callers (and
 * the event queue) know whether trying again can help.
 */

/** A GraphQL error as the server formats it (`errors[i]` of a response). */
export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** Why a request failed. */
export type RequestFailure =
  /** No answer: offline, DNS, connection refused, CORS, aborted. Retry. */
  | 'network'
  /** The server answered 5xx, 408 or 429: it may succeed later. Retry. */
  | 'unavailable'
  /** The token is missing, expired, forged or its profile was erased. Start a new session, then retry. */
  | 'unauthenticated'
  /** The request itself is wrong (validation, bad input). Retrying the same request cannot help. */
  | 'rejected';

/** Thrown by every client call that did not get data. */
export class PersonalizeRequestError extends Error {
  override readonly name = 'PersonalizeRequestError';

  constructor(
    message: string,
    /** Why it failed; decides whether the call is retried. */
    readonly failure: RequestFailure,
    /** HTTP status, when the server answered. */
    readonly status: number | null = null,
    /** GraphQL errors, when the server sent any. */
    readonly errors: ReadonlyArray<GraphQLErrorShape> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The first `extensions.code` of the errors (`RATE_LIMITED`, `BAD_USER_INPUT`...), if any. */
  get code(): string | undefined {
    const code = this.errors.find((error) => typeof error.extensions?.code === 'string')?.extensions?.code;
    return code as string | undefined;
  }

  /** How long the server asked to wait before trying again (`extensions.retryAfterMs`), if it said. */
  get retryAfterMs(): number | undefined {
    for (const error of this.errors) {
      const wait = error.extensions?.retryAfterMs;
      if (typeof wait === 'number' && Number.isFinite(wait) && wait >= 0) return wait;
    }
    return undefined;
  }

  /** Whether sending the same request again may succeed (events keep their ids, so it never double counts). */
  get retryable(): boolean {
    return this.failure === 'network' || this.failure === 'unavailable';
  }
}

/** GraphQL error codes that mean "your token is not good": a new session fixes them. */
const UNAUTHENTICATED_CODES = new Set(['UNAUTHENTICATED', 'INVALID_TOKEN']);
/** Codes that mean "not now": the same request may succeed later. */
const TRANSIENT_CODES = new Set(['RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);

/** Classifies an HTTP answer carrying GraphQL errors (or none). */
export function classifyResponse(status: number, errors: ReadonlyArray<GraphQLErrorShape>): RequestFailure {
  const codes = errors.map((error) => String(error.extensions?.code ?? ''));
  if (status === 401 || codes.some((code) => UNAUTHENTICATED_CODES.has(code))) return 'unauthenticated';
  if (status >= 500 || status === 408 || status === 429 || codes.some((code) => TRANSIENT_CODES.has(code)))
    return 'unavailable';
  // Anything else (403 FORBIDDEN included: a refused identity assertion is not a bad token) is final.
  return 'rejected';
}
