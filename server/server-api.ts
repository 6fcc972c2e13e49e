/**
 * The server-to-server API, for a site's backend (CRM updates, plan changes), framework-neutral
 * like `handleHttp`: plain request in, plain response out. Every call carries an API key
 * (server/api-keys.ts) as `Authorization: Bearer pzk_…` with the scope its operation needs.
 *
 *   POST /personalize/api/v1/traits   { "userId": "u42", "traits": { "plan": "pro" } }   traits:write
 *     → 200 { "profileId": "user:u42", "segments": [{ "key", "name", "since", "expiresAt" }] }
 *
 * Traits set here are the ones rules can trust: they come from the site's server, never from a
 * browser. A userId maps to its `user:` profile (created if needed); the change is evaluated and
 * pushed to the user's live subscriptions on every instance, as any other membership change.
 *
 * Answers: 400 `BAD_USER_INPUT` with `path`, 401 `UNAUTHENTICATED` (no, malformed, unknown or
 * revoked key), 403 `FORBIDDEN` (scope), 404 (unknown operation, or no keys configured), 405,
 * 413 `PAYLOAD_TOO_LARGE`, 429 `RATE_LIMITED` (per key, `retry-after`), 503 `UNAVAILABLE`
 * (the profile store is away: retry; `retry-after`). Errors are `{ "error": { code, message, path? } }`.
 */
import {
  copyJsonObject,
  DEFAULT_EVENT_LIMITS,
  EventValidationError,
  isRedisUnavailable,
  ProfileLimitError,
} from '../engine';
import { isRecord } from '../engine/events/payload';
import { userProfileId } from '../engine/store/profile-id';
import type { Clock, MembershipView, Personalizer } from '../engine/types';
import { describeApiKeyRefusal, type ApiKeyRefusal, type ApiKeys, type ApiKeyScope } from './api-keys';
import { ErrorCode } from './protocol';
import { bodyBytes, type HttpRequest, type HttpResponse } from './http';
import { TokenBuckets } from './rate-limit';

/** Where the server API lives; every operation is below it. */
export const SERVER_API_PREFIX = '/personalize/api/v1/';

export interface ServerApiOptions {
  /** The keys in force (`ApiKeySet` from `API_KEYS`, or the plugin's stored keys). */
  keys: ApiKeys;
  /** Calls per key: token bucket; default burst 100, 50/s. Kept per process, like every rate limit. */
  ratePerKey?: { burst: number; perSecond: number };
  /** Largest request body, bytes; default 64 KiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_SERVER_API = Object.freeze({
  ratePerKey: Object.freeze({ burst: 100, perSecond: 50 }),
  maxBodyBytes: 64 * 1024,
});

/** Defaults completed and every value checked (a typo must not switch a limit off). */
export function resolveServerApiOptions(options: ServerApiOptions): Required<ServerApiOptions> {
  if (typeof options?.keys?.verify !== 'function')
    throw new TypeError('serverApi.keys must have a verify(presented, scope) method');
  for (const name of Object.keys(options))
    if (!['keys', 'ratePerKey', 'maxBodyBytes'].includes(name))
      throw new TypeError(`serverApi.${name} is not an option (keys, ratePerKey, maxBodyBytes)`);
  const resolved = {
    keys: options.keys,
    ratePerKey: options.ratePerKey ?? DEFAULT_SERVER_API.ratePerKey,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_SERVER_API.maxBodyBytes,
  };
  const positive = (value: unknown, name: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`serverApi.${name} must be a positive number, got ${String(value)}`);
  };
  positive(resolved.maxBodyBytes, 'maxBodyBytes');
  positive(resolved.ratePerKey?.burst, 'ratePerKey.burst');
  positive(resolved.ratePerKey?.perSecond, 'ratePerKey.perSecond');
  return resolved;
}

/** A server API request: the adapters hand over the path too (`/personalize/api/v1/traits`). */
export interface ServerApiRequest extends HttpRequest {
  pathname: string;
}

export interface ServerApi {
  /** Serves one request whose path is under `SERVER_API_PREFIX`. Never throws. */
  handle(request: ServerApiRequest): Promise<HttpResponse>;
  readonly maxBodyBytes: number;
}

type Logger = Pick<Console, 'error'>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

function failure(
  status: number,
  code: string,
  message: string,
  extra: { path?: string; retryAfterMs?: number; retryable?: boolean; limit?: string; max?: number } = {},
  headers: Record<string, string> = {},
): HttpResponse {
  return json(status, { error: { code, message, ...extra } }, headers);
}

/** The 400 answer to a body that is not UTF-8 (adapters that decode the body use it). */
export function serverApiNotUtf8(): HttpResponse {
  return badInput('', 'the request body is not valid UTF-8');
}

/** The 413 answer (adapters that stream the body use it too). */
export function serverApiTooLarge(maxBodyBytes: number): HttpResponse {
  return failure(413, ErrorCode.PayloadTooLarge, `the request body exceeds ${maxBodyBytes} bytes`);
}

function keyFromHeaders(headers: HttpRequest['headers']): string | null {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  return /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1] ?? value.trim();
}

function refused(refusal: ApiKeyRefusal, scope: ApiKeyScope): HttpResponse {
  const message = describeApiKeyRefusal(refusal, scope);
  return refusal === 'scope'
    ? failure(403, ErrorCode.Forbidden, message)
    : failure(
        401,
        ErrorCode.Unauthenticated,
        message,
        {},
        {
          'www-authenticate': 'Bearer realm="personalize-api"',
        },
      );
}

function badInput(path: string, message: string): HttpResponse {
  return failure(400, ErrorCode.BadUserInput, path ? `${path}: ${message}` : message, { path });
}

function segmentsOf(segments: readonly MembershipView[]) {
  return segments.map((segment) => ({
    key: segment.key,
    name: segment.name,
    since: new Date(segment.since).toISOString(),
    expiresAt: segment.expiresAt === null ? null : new Date(segment.expiresAt).toISOString(),
  }));
}

interface Operation {
  method: 'POST';
  scope: ApiKeyScope;
  run(body: unknown): Promise<HttpResponse>;
}

export function createServerApi(
  options: ServerApiOptions,
  personalizer: Personalizer,
  clock: Clock,
  logger: Logger,
): ServerApi {
  const { keys, ratePerKey, maxBodyBytes } = resolveServerApiOptions(options);
  const buckets = new TokenBuckets(ratePerKey.burst, ratePerKey.perSecond, clock);

  const operations: Record<string, Operation> = {
    traits: {
      method: 'POST',
      scope: 'traits:write',
      async run(body) {
        if (!isRecord(body)) return badInput('', 'the body must be a JSON object { "userId", "traits" }');
        const unknown = Object.keys(body).filter((name) => name !== 'userId' && name !== 'traits');
        if (unknown.length > 0) return badInput(unknown[0]!, 'is not a field (expected userId, traits)');
        if (typeof body.userId !== 'string') return badInput('userId', 'must be a string');
        try {
          userProfileId(body.userId);
        } catch (error) {
          return badInput('userId', (error as Error).message.replace(/^user id /, ''));
        }
        const traits = copyJsonObject(body.traits, 'traits', DEFAULT_EVENT_LIMITS);
        const view = await personalizer.setUserTraits(body.userId, traits);
        return json(200, { profileId: view.id, segments: segmentsOf(view.segments) });
      },
    },
  };

  return {
    maxBodyBytes,
    async handle(request) {
      try {
        const name = request.pathname.startsWith(SERVER_API_PREFIX)
          ? request.pathname.slice(SERVER_API_PREFIX.length)
          : '';
        const operation = Object.hasOwn(operations, name) ? operations[name]! : undefined;
        if (!operation) return failure(404, 'NOT_FOUND', 'no such server API operation');
        if (request.method.toUpperCase() !== operation.method)
          return failure(
            405,
            'METHOD_NOT_ALLOWED',
            `use ${operation.method}`,
            {},
            { allow: operation.method },
          );
        const declared = Number(
          (Array.isArray(request.headers['content-length'])
            ? request.headers['content-length'][0]
            : request.headers['content-length']) ?? 0,
        );
        if (declared > maxBodyBytes || bodyBytes(request.body) > maxBodyBytes)
          return serverApiTooLarge(maxBodyBytes);
        const check = await keys.verify(keyFromHeaders(request.headers), operation.scope);
        if (!check.ok) return refused(check.refusal, operation.scope);
        const admitted = buckets.take(check.key.id);
        if (!admitted.ok)
          return failure(
            429,
            ErrorCode.RateLimited,
            'too many calls with this API key; retry later',
            { retryAfterMs: admitted.retryAfterMs },
            { 'retry-after': String(Math.max(1, Math.ceil(admitted.retryAfterMs / 1000))) },
          );
        let body = request.body;
        if (typeof body === 'string') {
          try {
            body = JSON.parse(body);
          } catch {
            return badInput('', 'the request body is not valid JSON');
          }
        }
        return await operation.run(body);
      } catch (error) {
        // The store's own bounds on a profile (traits count, bytes) refuse with a path too.
        if (error instanceof EventValidationError) return badInput(error.path, error.reason);
        if (error instanceof ProfileLimitError)
          return failure(400, ErrorCode.BadUserInput, error.message, { limit: error.limit, max: error.max });
        if (isRedisUnavailable(error))
          return failure(
            503,
            ErrorCode.Unavailable,
            'the profile store is unavailable; retry shortly',
            { retryable: true },
            { 'retry-after': '1' },
          );
        // Rendered without the error's fields, which may carry request data (server/logger.ts).
        logger.error('personalize: unexpected error in a server API call', error);
        return failure(500, 'INTERNAL_SERVER_ERROR', 'internal server error');
      }
    },
  };
}
