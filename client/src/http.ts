/**
 * GraphQL over HTTP (`POST`, JSON in, JSON out) with the profile token as a bearer token. The only
 * place the client touches `fetch`.
 */
import { classifyResponse, PersonalizeRequestError, type GraphQLErrorShape } from './errors.js';

/** One GraphQL request. */
export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

/** Options of one HTTP call. */
export interface PostOptions {
  /** Profile token; omitted for `startSession`. */
  token?: string | null;
  /** Lets the request outlive the page (`fetch` `keepalive`), for the last flush on page hide. */
  keepalive?: boolean;
  signal?: AbortSignal;
}

/**
 * Posts `request` to `url` and returns `data`. Throws `PersonalizeRequestError` when there is no
 * data or any error (a partial result is treated as a failure: the client's own operations are all
 * or nothing, and SPA queries surface errors instead of half a page).
 */
export async function postGraphQL<TData>(
  fetchImpl: typeof fetch,
  url: string,
  request: GraphQLRequest,
  options: PostOptions = {},
): Promise<TData> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(request),
      keepalive: options.keepalive ?? false,
      signal: options.signal ?? null,
      // The token travels in a header, never as an ambient cookie: no CSRF surface.
      credentials: 'omit',
    });
  } catch (cause) {
    throw new PersonalizeRequestError(
      `${label(request)}: network error (${String(cause)})`,
      'network',
      null,
      [],
      { cause },
    );
  }
  let body: GraphQLResponseBody<TData> | null;
  try {
    body = (await response.json()) as GraphQLResponseBody<TData> | null;
  } catch (cause) {
    // A 200 without JSON is usually a misrouted URL answered by an HTML fallback: retrying cannot help.
    throw new PersonalizeRequestError(
      `${label(request)}: HTTP ${response.status} without a JSON body`,
      classifyResponse(response.status, []),
      response.status,
      [],
      {
        cause,
      },
    );
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  if (errors.length === 0 && response.ok && body?.data != null) return body.data;
  const failure = classifyResponse(response.status, errors);
  const detail = errors.map((error) => error.message).join('; ') || `HTTP ${response.status}`;
  throw new PersonalizeRequestError(`${label(request)}: ${detail}`, failure, response.status, errors);
}

/** The JSON body of a GraphQL over HTTP response. */
interface GraphQLResponseBody<TData> {
  data?: TData | null;
  errors?: GraphQLErrorShape[];
}

function label(request: GraphQLRequest): string {
  return request.operationName ?? 'GraphQL request';
}
