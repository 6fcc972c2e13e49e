/**
 * The GraphQL layer's HTTP side as a Koa handler (Strapi 5 runs Koa 2, which Apollo's own Koa
 * integration no longer supports): the request Strapi already parsed (`strapi::body`) goes to the
 * framework-neutral `handleHttp`, and its answer is written back as is.
 *
 * The address handed over is the socket peer, never Koa's `ctx.ip`: with Strapi's `proxy: true`
 * that is the leftmost `X-Forwarded-For` entry, which any client writes. The plugin's own
 * `trustProxy` setting decides how much of that header to believe (server/client-address.ts).
 */
import type { HttpRequest, HttpResponse, ServerApiRequest } from '../../../server';

/** The slice of Koa's context the handler reads and writes. */
export interface KoaContext {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  search: string;
  /** Node's request: its socket's peer is the address. */
  req: { socket: { remoteAddress?: string | undefined } };
  request: { body?: unknown };
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}

/** The framework-neutral request of a Koa context. */
function requestOf(ctx: KoaContext): HttpRequest {
  return {
    method: ctx.method,
    headers: ctx.headers,
    search: ctx.search,
    // koa-body leaves `{}` on bodiless requests; a GET's operation is in the query string.
    body: ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : ctx.request.body,
    remoteAddress: ctx.req.socket.remoteAddress,
  };
}

/** Answers every request with `handle`. */
export function koaGraphqlHandler(
  handle: (request: HttpRequest) => Promise<HttpResponse>,
): (ctx: KoaContext) => Promise<void> {
  return async (ctx) => writeResponse(ctx, await handle(requestOf(ctx)));
}

/** Answers server API requests (`/personalize/api/v1/…`) with `handle`, which reads the path too. */
export function koaServerApiHandler(
  handle: (request: ServerApiRequest) => Promise<HttpResponse>,
): (ctx: KoaContext & { path: string }) => Promise<void> {
  return async (ctx) => writeResponse(ctx, await handle({ ...requestOf(ctx), pathname: ctx.path }));
}

/** Writes a framework-neutral response (status, headers, body) to Koa's context. */
export function writeResponse(
  ctx: Pick<KoaContext, 'status' | 'body' | 'set'>,
  response: HttpResponse,
): void {
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = response.body;
}
