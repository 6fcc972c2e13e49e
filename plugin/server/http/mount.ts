/**
 * Mounts the GraphQL layer (server/) on Strapi's own HTTP server, at the configured path
 * (`/personalize/graphql` by default):
 *
 * - HTTP through Strapi's Koa router, as a root route (no `/api` prefix) with Strapi's auth off:
 *   the layer checks its own profile tokens;
 * - WebSocket (graphql-ws) by listening to upgrades on `strapi.server.httpServer` for this path only,
 *   so the admin's own upgrades (Vite's live reload in `strapi develop`) are left alone;
 * - the server API (`/personalize/api/v1/:operation`, server/server-api.ts) as root routes too,
 *   Strapi's auth off: it checks its own API keys (services/api-keys.ts).
 *
 * Both are undone in destroy(), before the personalizer closes: sockets first, then the layer.
 */
import type { Core } from '@strapi/strapi';
import { createPersonalizeServer, SERVER_API_PREFIX, type PersonalizeServer } from '../../../server';
import type { ApiKeys } from '../../../server/api-keys';
import type { Personalizer } from '../../../engine/types';
import type { PersonalizeMetrics } from '../../../server/metrics';
import type { PluginConfig } from '../config/schema';
import { pluginLogger } from '../logger';
import { koaGraphqlHandler, koaServerApiHandler } from './koa-handler';
import { getService } from '../get-service';

/** Starts the layer, adds the route and the upgrade listener, and registers their teardown. */
export async function mountGraphql(
  strapi: Core.Strapi,
  personalizer: Personalizer,
  config: PluginConfig,
  metrics: PersonalizeMetrics,
  onStop: (teardown: () => void | Promise<void>) => void,
  apiKeys: ApiKeys,
): Promise<PersonalizeServer> {
  const { ratePerKey, maxBodyBytes } = config.serverApi;
  const server = createPersonalizeServer({
    personalizer,
    content: getService(strapi, 'content-source'),
    path: config.path,
    tokens: config.tokens,
    identity: config.identity,
    ...(config.limits ? { limits: config.limits } : {}),
    trustProxy: config.trustProxy,
    cors: { origins: config.cors.origins },
    defaultLocale: await defaultLocale(strapi),
    logger: pluginLogger(strapi),
    observer: metrics.observer,
    serverApi: {
      keys: apiKeys,
      ...(ratePerKey ? { ratePerKey } : {}),
      ...(maxBodyBytes ? { maxBodyBytes } : {}),
    },
  });
  await server.start();
  onStop(() => server.close());
  onStop(metrics.watch(server));

  let open = true;
  const handle = koaGraphqlHandler(async (request) => {
    if (!open) return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'shutting down' };
    return server.handleHttp(request);
  });
  // CORS preflights (OPTIONS) never reach the router: Strapi's `strapi::cors` middleware answers
  // them for every route, by the app's config/middlewares settings.
  strapi.server.routes(
    (['GET', 'POST'] as const).map((method) => ({
      method,
      path: config.path,
      handler: handle,
      config: { auth: false },
    })),
  );
  const serveApi = koaServerApiHandler(async (request) => {
    if (!open) return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'shutting down' };
    return server.handleServerApi(request);
  });
  strapi.server.routes(
    (['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({
      method,
      path: `${SERVER_API_PREFIX}:operation`,
      handler: serveApi,
      config: { auth: false },
    })),
  );
  const detach = server.attach(strapi.server.httpServer);
  onStop(() => {
    open = false;
    detach();
  });
  return server;
}

/**
 * The site's default locale (Settings → Internationalization), served when a query names none;
 * `en`, Strapi's own default, when the i18n plugin is absent.
 */
async function defaultLocale(strapi: Core.Strapi): Promise<string> {
  const locales = strapi.plugin('i18n')?.service('locales') as
    { getDefaultLocale(): Promise<unknown> } | undefined;
  const code = locales ? await locales.getDefaultLocale() : undefined;
  return typeof code === 'string' && code !== '' ? code : 'en';
}
