/**
 * The personalize endpoint outside Strapi: node:http + the same server, over JSON content files.
 *
 *   npm run serve            (compiles, then runs dist/server/standalone.js)
 *   npx tsx server/standalone.ts   (from the sources, for development)
 *
 * Environment:
 *   PORT            listening port (default 1337), HOST (default 127.0.0.1)
 *   REDIS_URL       profile store; empty or unset = the embedded in-process store (one process only)
 *   CONTENT_DIR     directory with model.json and documents.json (default test/fixtures/content);
 *                   edits are picked up (watched)
 *   RULES_FILE      segment definitions as JSON (default CONTENT_DIR/rules.json)
 *   TOKEN_SECRETS   comma-separated token secrets, 32+ characters each, first signs (required when
 *                   NODE_ENV=production; otherwise a random one per start, logged as such)
 *   IDENTITY_SECRETS  comma-separated HS256 secrets of identity assertions (32+ characters, never a
 *                   token secret); the site's backend signs with one (`signIdentityAssertion`).
 *                   Required, or IDENTITY_JWKS_URL, when NODE_ENV=production; otherwise a random
 *                   one per start, logged as such
 *   IDENTITY_JWKS_URL  URL of the JWKS whose public keys verify identity assertions (RS256, ES256...)
 *   IDENTITY_AUDIENCE  the `aud` identity assertions carry (default personalize)
 *   IDENTITY_ISSUER    the `iss` identity assertions must carry (default: not checked)
 *   IDENTITY_MAX_LIFETIME_SECONDS  longest accepted assertion lifetime, exp - iat (default 600, max 3600)
 *   IDENTITY_CLIENT_TRAITS  browser-sent identify traits: refuse (default) or separate
 *   TOKEN_USER_TTL_MS  lifetime of the tokens identify returns (default 7 days; anonymous ones 30 days)
 *   CORS_ORIGINS    comma-separated origins allowed from browsers on other origins
 *   KEY_PREFIX      Redis key prefix (default pz)
 *   LIMITS          JSON overrides of DEFAULT_LIMITS (server/limits.ts), each value checked, e.g.
 *                   '{"trackPerIp":{"burst":2000,"perSecond":1000}}' for a load test where every
 *                   visitor comes from one address; the limits in force are logged when overridden
 *   TRUST_PROXY     whose X-Forwarded-For to believe for the client address (per-address limits):
 *                   unset or `false` = the socket peer; a hop count (`1`: one proxy in front); or
 *                   comma-separated CIDRs of the proxies (`10.0.0.0/8,fd00::/8`)
 *   METRICS_TOKEN   bearer token of GET /personalize/metrics (Prometheus); unset = metrics disabled
 *   READY_TIMEOUT_MS  how long GET /personalize/ready waits for Redis to answer PING (default 1000)
 *   API_KEYS        keys of the server API (/personalize/api/v1/...): comma-separated
 *                   `id:sha256hex:scope+scope` entries, as `npm run api-key -- <scope>...` prints them;
 *                   unset = the server API is disabled (404). Only hashes: never put a key here
 *   SERVER_API_LIMITS  JSON overrides of the server API's bounds, e.g.
 *                   '{"ratePerKey":{"burst":100,"perSecond":50},"maxBodyBytes":65536}' (the defaults)
 *
 * GET /personalize/health (liveness) and /personalize/ready (readiness) are always served. Logs are
 * one JSON object per line, without personal data (server/logger.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { JsonContentSource } from '../content/json-source';
import { createPersonalizer, type ProfileLimits } from '../engine';
import type { RuleSetSource } from '../engine/types';
import { ApiKeySet, parseApiKeyList } from './api-keys';
import { createOperatorEndpoints } from './health';
import { createPersonalizeServer, type IdentityOptions, type TrustProxy } from './index';
import { resolveLimits, type Limits } from './limits';
import { jsonLogger } from './logger';
import { createMetrics } from './metrics';
import { nodeHttpHandler } from './node-http';
import type { ServerApiOptions } from './server-api';

const logger = jsonLogger();

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** The package root, whether this file runs as source (`server/`) or compiled (`dist/server/`). */
const PACKAGE_ROOT = resolve(__dirname, existsSync(join(__dirname, '..', 'package.json')) ? '..' : '../..');

/** `TRUST_PROXY` as the server's `trustProxy` (checked there: a typo stops the start). */
function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return list(text);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 1337);
  const host = process.env.HOST ?? '127.0.0.1';
  const contentDir = resolve(process.env.CONTENT_DIR ?? join(PACKAGE_ROOT, 'test', 'fixtures', 'content'));
  const rulesFile = resolve(process.env.RULES_FILE ?? join(contentDir, 'rules.json'));
  let secrets = list(process.env.TOKEN_SECRETS);
  if (secrets.length === 0) {
    if (process.env.NODE_ENV === 'production') throw new Error('TOKEN_SECRETS is required in production');
    secrets = [randomBytes(32).toString('base64url')];
    logger.warn('personalize: no TOKEN_SECRETS, using a random secret: tokens will not survive a restart');
  }
  let identitySecrets = list(process.env.IDENTITY_SECRETS);
  const jwksUrl = process.env.IDENTITY_JWKS_URL || undefined;
  if (identitySecrets.length === 0 && !jwksUrl) {
    if (process.env.NODE_ENV === 'production')
      throw new Error('IDENTITY_SECRETS or IDENTITY_JWKS_URL is required in production');
    identitySecrets = [randomBytes(32).toString('base64url')];
    logger.warn(
      'personalize: no IDENTITY_SECRETS, using a random secret: no backend can sign identity assertions',
    );
  }
  const clientTraits = process.env.IDENTITY_CLIENT_TRAITS || undefined;
  const maxLifetime = process.env.IDENTITY_MAX_LIFETIME_SECONDS;
  const identity: IdentityOptions = {
    ...(identitySecrets.length > 0 ? { secrets: identitySecrets } : {}),
    ...(jwksUrl ? { jwks: jwksUrl } : {}),
    ...(process.env.IDENTITY_AUDIENCE ? { audience: process.env.IDENTITY_AUDIENCE } : {}),
    ...(process.env.IDENTITY_ISSUER ? { issuer: process.env.IDENTITY_ISSUER } : {}),
    ...(maxLifetime ? { maxLifetimeSeconds: Number(maxLifetime) } : {}),
    ...(clientTraits ? { clientTraits: clientTraits as IdentityOptions['clientTraits'] } : {}),
  };
  const userTtl = process.env.TOKEN_USER_TTL_MS;
  const overrides = process.env.LIMITS ? (JSON.parse(process.env.LIMITS) as Partial<Limits>) : {};
  const limits = resolveLimits(overrides);
  if (process.env.LIMITS) logger.warn(`personalize: limits overridden by LIMITS: ${JSON.stringify(limits)}`);
  const trustProxy = parseTrustProxy(process.env.TRUST_PROXY);
  const rules = JSON.parse(readFileSync(rulesFile, 'utf8')) as RuleSetSource;
  const apiKeys = parseApiKeyList(process.env.API_KEYS);
  const serverApiLimits = process.env.SERVER_API_LIMITS
    ? (JSON.parse(process.env.SERVER_API_LIMITS) as Omit<ServerApiOptions, 'keys'>)
    : {};
  if (apiKeys.length === 0)
    logger.info('personalize: API_KEYS is not set: the server API (/personalize/api/v1/) is disabled');
  const metrics = createMetrics();
  const personalizer = await createPersonalizer({
    rules,
    logger,
    observer: metrics.observer,
    ...(process.env.REDIS_URL ? { redis: process.env.REDIS_URL } : {}),
    ...(process.env.KEY_PREFIX ? { keyPrefix: process.env.KEY_PREFIX } : {}),
    // Per-profile bounds as JSON (`{"maxTraits":50}`); validated: a typo stops the start.
    ...(process.env.PROFILE_LIMITS
      ? { profileLimits: JSON.parse(process.env.PROFILE_LIMITS) as Partial<ProfileLimits> }
      : {}),
    ...(process.env.MAX_EMBEDDED_PROFILES
      ? { maxEmbeddedProfiles: Number(process.env.MAX_EMBEDDED_PROFILES) }
      : {}),
  });
  await personalizer.start();
  const content = new JsonContentSource(contentDir, { watch: true });
  const path = '/personalize/graphql';
  const server = createPersonalizeServer({
    personalizer,
    content,
    path,
    tokens: { secrets, ...(userTtl ? { userTtlMs: Number(userTtl) } : {}) },
    identity,
    cors: { origins: list(process.env.CORS_ORIGINS) },
    limits: overrides,
    trustProxy,
    logger,
    observer: metrics.observer,
    ...(apiKeys.length > 0 ? { serverApi: { ...serverApiLimits, keys: new ApiKeySet(apiKeys) } } : {}),
  });
  await server.start();
  metrics.watch(server);
  const metricsToken = process.env.METRICS_TOKEN ?? '';
  if (!metricsToken) logger.info('personalize: METRICS_TOKEN is not set: /personalize/metrics is disabled');
  let running = true;
  const operator = createOperatorEndpoints({
    personalizer: () => (running ? personalizer : null),
    metrics,
    metricsToken,
    ...(process.env.READY_TIMEOUT_MS ? { readyTimeoutMs: Number(process.env.READY_TIMEOUT_MS) } : {}),
  });
  const http = createServer(nodeHttpHandler(server, path, limits.maxBodyBytes, operator));
  server.attach(http);
  await new Promise<void>((done) => http.listen(port, host, done));
  logger.info(`personalize: listening on http://${host}:${port}${path} (HTTP and WebSocket)`);
  if (apiKeys.length > 0)
    logger.info(`personalize: server API on /personalize/api/v1/ with ${apiKeys.length} API key(s)`);

  const shutdown = async (): Promise<void> => {
    running = false;
    // A store that does not answer (Redis away) must not keep a stopping process alive.
    setTimeout(() => {
      logger.warn(`personalize: shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    http.close();
    await server.close();
    content.close();
    await personalizer.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

/** How long a SIGTERM/SIGINT waits for sockets, the content source and the store to close. */
const SHUTDOWN_DEADLINE_MS = 10_000;

main().catch((error: unknown) => {
  logger.error('personalize: the standalone server failed to start', error);
  process.exit(1);
});
