/**
 * Keeps the plugin's `cors.origins` authoritative on its own path. Strapi's `strapi::cors`
 * middleware runs for every request and, with its default `origin: '*'`, answers any origin with
 * `Access-Control-Allow-Origin: <that origin>` and `Access-Control-Allow-Credentials: true`, which
 * would let any site read the visitor's personalized answers. This middleware is installed in
 * register() with `strapi.server.use`, so it runs before the app's middleware stack (loaded at
 * bootstrap), and only on the endpoint's path:
 *
 * - a preflight (OPTIONS) is answered here (server/http.ts `preflight`), never by `strapi::cors`;
 * - after any other request, CORS headers are removed unless the origin is in `cors.origins`
 *   (the GraphQL layer sets its own for allowed origins).
 *
 * The app's `strapi::cors` settings keep applying to every other route (REST, admin).
 */
import { corsAllowed, preflight } from '../../../server';
import { writeResponse } from './koa-handler';

/** The slice of Koa's context this middleware reads and writes. */
export interface CorsContext {
  path: string;
  method: string;
  status: number;
  body: unknown;
  get(name: string): string;
  set(headers: Record<string, string>): void;
  remove(name: string): void;
  vary(name: string): void;
}

const CORS_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Expose-Headers',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Max-Age',
];

export function corsGuard(
  path: string,
  origins: readonly string[],
): (ctx: CorsContext, next: () => Promise<unknown>) => Promise<void> {
  return async (ctx, next) => {
    if (ctx.path !== path) {
      await next();
      return;
    }
    const origin = ctx.get('Origin') || undefined;
    if (ctx.method === 'OPTIONS') {
      writeResponse(ctx, preflight(origin, origins));
      ctx.vary('Origin');
      return;
    }
    await next();
    if (!corsAllowed(origin, origins)) for (const name of CORS_HEADERS) ctx.remove(name);
  };
}
