'use strict';

/** HTTP server. `APP_KEYS` signs Koa cookies: set real keys outside the demo. */
module.exports = ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  app: { keys: env.array('APP_KEYS', ['demo-app-key-1', 'demo-app-key-2']) },
  // Behind a reverse proxy Koa's `ctx.ip` follows X-Forwarded-For. The personalize plugin does not
  // use it: its own `trustProxy` (config/plugins.js) decides which hops to believe.
  proxy: { koa: env.bool('STRAPI_PROXY_KOA', false) },
  // No "new Strapi version" check against the network at start.
  logger: { updates: { enabled: false } },
});
