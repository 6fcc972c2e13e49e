'use strict';

const fs = require('node:fs');
const path = require('node:path');

/**
 * The plugin package: the nearest directory above this file whose package.json is
 * `strapi-plugin-personalize` (this file runs from `config/` or, after `strapi build`, `dist/config/`).
 */
function pluginRoot() {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'strapi-plugin-personalize'
    )
      return dir;
  }
  throw new Error('config/plugins.js: the strapi-plugin-personalize package was not found above the app');
}

/**
 * `PERSONALIZE_REDIS_CLUSTER=host:port,host:port` as the plugin's `{ nodes }` (a few seed nodes are
 * enough: ioredis discovers the rest of the cluster), or undefined when unset.
 */
function clusterNodes(list) {
  const entries = list.filter((entry) => entry.trim() !== '');
  if (entries.length === 0) return undefined;
  return {
    nodes: entries.map((entry) => {
      const match = /^\s*\[?([^\]]+?)\]?:(\d+)\s*$/.exec(entry);
      if (!match) throw new Error(`PERSONALIZE_REDIS_CLUSTER: "${entry}" is not host:port`);
      return { host: match[1], port: Number(match[2]) };
    }),
  };
}

/**
 * The personalize plugin, loaded from the repository root (the plugin package). An app that installs
 * it from npm writes `personalize: { enabled: true, config: { ... } }` instead of `resolve`.
 *
 * Profiles live in the Redis Cluster of `PERSONALIZE_REDIS_CLUSTER` when set, else in the Redis of
 * `REDIS_URL`; with neither, on the embedded in-process store (one instance only), which the log says.
 */
/**
 * `PERSONALIZE_TRUST_PROXY` as the plugin's `trustProxy`: unset or `false` (the socket peer), a hop
 * count (`1`), or comma-separated CIDRs of the proxies (`10.0.0.0/8,fd00::/8`).
 */
function trustProxy(value) {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((entry) => entry.trim());
}

module.exports = ({ env }) => ({
  personalize: {
    enabled: true,
    // Absolute: Strapi resolves a relative `resolve` with require.resolve from its own files.
    resolve: pluginRoot(),
    config: {
      redis: clusterNodes(env.array('PERSONALIZE_REDIS_CLUSTER', [])) ?? (env('REDIS_URL', '') || undefined),
      keyPrefix: env('PERSONALIZE_KEY_PREFIX', 'personalize:'),
      tokens: { secrets: env.array('PERSONALIZE_TOKEN_SECRETS', ['demo-profile-token-secret-change-me']) },
      // Identity assertions (identify) are verified with these; the site's backend signs with one.
      identity: {
        secrets: env.array('PERSONALIZE_IDENTITY_SECRETS', ['demo-identity-assertion-secret-change-me']),
      },
      cors: {
        origins: env.array('PERSONALIZE_CORS_ORIGINS', ['http://localhost:5173', 'http://127.0.0.1:5173']),
      },
      // Whose X-Forwarded-For the per-address rate limits believe (see plugin/README.md).
      trustProxy: trustProxy(env('PERSONALIZE_TRUST_PROXY', '')),
      // GET /personalize/metrics needs this bearer token; unset = metrics disabled.
      metrics: { token: env('PERSONALIZE_METRICS_TOKEN', '') || undefined },
    },
  },
});
