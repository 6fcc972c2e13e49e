/**
 * GraphQL over HTTP, framework-neutral: the Koa middleware of the Strapi plugin and the node:http
 * server of the standalone mode both hand `handleHttp` a plain request and write back the plain
 * response. Apollo Server (`executeHTTPGraphQLRequest`) does the GraphQL-over-HTTP part: GET and
 * POST, CSRF prevention, status codes, masked errors; this module adds CORS, the body size limit
 * and the caller's context.
 */
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, Kind, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { ErrorCode } from './protocol';

/** A request as adapters hand it over. `body` is the parsed JSON body, or the raw text. */
export interface HttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The query string including `?` (or empty). */
  search: string;
  body: unknown;
  /** The socket peer's address (never a forwarded header: the server's `trustProxy` reads those). */
  remoteAddress?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpOptions {
  introspection: boolean;
  landingPage: boolean;
  maxBodyBytes: number;
  /** Origins allowed to call from a browser on another origin; none = same-origin only. */
  corsOrigins: readonly string[];
  logger: Pick<Console, 'error'>;
  /** Extra top-level `extensions` of a response, from its context (e.g. a degraded answer says so). */
  responseExtensions?: (context: BaseContext) => Record<string, unknown> | undefined;
}

/** Builds and starts an Apollo Server for one schema. */
export async function startApollo(
  schema: GraphQLSchema,
  options: HttpOptions,
  validationRules: ConstructorParameters<typeof ApolloServer>[0]['validationRules'],
): Promise<ApolloServer<BaseContext>> {
  const apollo = new ApolloServer<BaseContext>({
    schema,
    introspection: options.introspection,
    validationRules,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      // Personalized answers are per caller and never cacheable; this also spares per-field instrumentation.
      ApolloServerPluginCacheControlDisabled(),
      options.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              const extra = options.responseExtensions?.(contextValue);
              if (!extra || response.body.kind !== 'single') return;
              const result = response.body.singleResult;
              result.extensions = { ...result.extensions, ...extra };
            },
          };
        },
      },
    ],
    formatError: (formatted, error) => maskInternal(formatted, error, options.logger),
  });
  await apollo.start();
  return apollo;
}

/** Unexpected errors are logged and shown as a generic message: internals never reach callers. */
export function maskInternal(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Pick<Console, 'error'>,
): GraphQLFormattedError {
  // Apollo re-labels validation errors GRAPHQL_VALIDATION_FAILED; ours (depth, cost) keep their own code.
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original instanceof GraphQLError && typeof original.extensions.code === 'string')
    return { ...formatted, extensions: { ...formatted.extensions, code: original.extensions.code } };
  if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  logger.error('personalize: unexpected error in a GraphQL operation', error);
  return { ...formatted, message: 'internal server error' };
}

/**
 * An error of a WebSocket operation, formatted and masked as Apollo and `maskInternal` do over
 * HTTP: a coded error keeps its code, a variable that does not coerce is `BAD_USER_INPUT` (Apollo
 * tells them by their one node, the variable's definition), anything else is an internal error,
 * logged and shown as `internal server error`.
 */
export function maskedError(error: GraphQLError, logger: Pick<Console, 'error'>): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (typeof formatted.extensions?.code === 'string') return maskInternal(formatted, error, logger);
  const badVariable = error.nodes?.length === 1 && error.nodes[0]!.kind === Kind.VARIABLE_DEFINITION;
  const code = badVariable ? ErrorCode.BadUserInput : 'INTERNAL_SERVER_ERROR';
  return maskInternal({ ...formatted, extensions: { ...formatted.extensions, code } }, error, logger);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** CORS headers for `origin` if it is allowed. */
function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || !(allowed.includes(origin) || allowed.includes('*'))) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  };
}

/**
 * The answer to a CORS preflight (OPTIONS): allowed methods and headers for an allowed origin,
 * nothing for another (the browser then refuses to send the request). The Strapi plugin answers
 * preflights of its path with it before `strapi::cors` can (plugin/server/http/cors.ts).
 */
export function preflight(origin: string | undefined, allowed: readonly string[]): HttpResponse {
  const cors = corsHeaders(origin, allowed);
  return {
    status: 204,
    headers: {
      ...cors,
      ...(Object.keys(cors).length > 0
        ? {
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers':
              'authorization, content-type, apollo-require-preflight, x-apollo-operation-name',
            'access-control-max-age': '600',
          }
        : {}),
    },
    body: '',
  };
}

/** Whether `origin` may call from a browser with credentials (`cors.origins`, or `*` there). */
export function corsAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return Object.keys(corsHeaders(origin, allowed)).length > 0;
}

function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string>,
): HttpResponse {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ errors: [{ message, extensions: { code } }] }),
  };
}

/** The 413 response for a body over `maxBodyBytes` (adapters that stream the body use it too). */
export function payloadTooLarge(maxBodyBytes: number, headers: Record<string, string> = {}): HttpResponse {
  return errorResponse(
    413,
    ErrorCode.PayloadTooLarge,
    `the request body exceeds ${maxBodyBytes} bytes`,
    headers,
  );
}

/**
 * The 403 for a request authenticated by the `pz_token` cookie from a page of another origin
 * (`cookieOriginAllowed` in server/auth.ts said no): refused before anything runs.
 */
export function crossSiteCookie(request: HttpRequest, options: HttpOptions): HttpResponse {
  return errorResponse(
    403,
    ErrorCode.Forbidden,
    'a request authenticated by the pz_token cookie must come from this site or an origin of cors.origins ' +
      '(Origin header); send the token as Authorization: Bearer instead',
    corsHeaders(firstHeader(request.headers.origin), options.corsOrigins),
  );
}

/** Runs one HTTP request through `apollo` with the context `contextFor` builds. */
export async function handleGraphQLHttp(
  apollo: ApolloServer<BaseContext>,
  request: HttpRequest,
  options: HttpOptions,
  contextFor: () => Promise<BaseContext>,
): Promise<HttpResponse> {
  const cors = corsHeaders(firstHeader(request.headers.origin), options.corsOrigins);
  const method = request.method.toUpperCase();
  if (method === 'OPTIONS') return preflight(firstHeader(request.headers.origin), options.corsOrigins);
  const declared = Number(firstHeader(request.headers['content-length']) ?? 0);
  let body = request.body;
  if (declared > options.maxBodyBytes || bodyBytes(body) > options.maxBodyBytes)
    return payloadTooLarge(options.maxBodyBytes, cors);
  if (typeof body === 'string' && body !== '') {
    try {
      body = JSON.parse(body);
    } catch {
      return errorResponse(400, ErrorCode.BadUserInput, 'the request body is not valid JSON', cors);
    }
  }
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: request.search, body },
    context: contextFor,
  });
  const responseHeaders: Record<string, string> = { ...cors };
  for (const [name, value] of result.headers) responseHeaders[name] = value;
  let text = '';
  if (result.body.kind === 'complete') text = result.body.string;
  else for await (const chunk of result.body.asyncIterator) text += chunk;
  return { status: result.status ?? 200, headers: responseHeaders, body: text };
}

/** Size of the body as sent: bytes of the text, or of the parsed JSON re-serialized. */
export function bodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body)) return body.length;
  try {
    return Buffer.byteLength(JSON.stringify(body));
  } catch {
    return Infinity;
  }
}
