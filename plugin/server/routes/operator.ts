/**
 * Operator routes, at `/personalize/health`, `/personalize/ready` and `/personalize/metrics`
 * (Strapi prefixes a plugin's routes with its id). Strapi's auth is off on all three: probes and
 * Prometheus carry no admin session; the metrics controller checks its own bearer token.
 */
const open = { auth: false } as const;

export default {
  type: 'admin',
  routes: [
    { method: 'GET', path: '/health', handler: 'operator.health', config: open },
    { method: 'GET', path: '/ready', handler: 'operator.ready', config: open },
    { method: 'GET', path: '/metrics', handler: 'operator.metrics', config: open },
  ],
};
