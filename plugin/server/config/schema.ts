/**
 * The plugin's configuration (`config/plugins.{js,ts}` → `personalize.config`), validated at boot so
 * a typo fails the start with a message that names the option, instead of misbehaving later.
 */
import { z } from 'zod';

const positiveMs = z.number().int().positive();
const positiveInt = z.number().int().positive();
/** A token bucket: `burst` calls at once, refilled by `perSecond`. */
const rate = z.object({ burst: z.number().positive(), perSecond: z.number().positive() }).strict();

const redisNode = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

export const pluginConfigSchema = z
  .object({
    /**
     * Where profiles, windows, memberships, the due-set and the change bus live: a Redis URL
     * (`redis://…`, `rediss://…`) or the nodes of a Redis Cluster. Omitted: the embedded in-process
     * store (one Strapi instance only; the log says so).
     */
    redis: z
      .union([
        z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
        z.object({ nodes: z.array(redisNode).min(1) }),
      ])
      .optional(),
    /** Prefix of every Redis key and channel, so several apps can share a Redis. */
    keyPrefix: z
      .string()
      .regex(/^[\w.:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9_.:-]')
      .default('personalize:'),
    /** Path of the GraphQL endpoint (HTTP and WebSocket) on Strapi's server. */
    path: z
      .string()
      .regex(/^\/[\w./-]*$/, 'must be an absolute URL path such as /personalize/graphql')
      .default('/personalize/graphql'),
    tokens: z.object({
      /**
       * HMAC secrets of profile tokens. The first signs; all verify, so a secret can be rotated by
       * prepending the new one and dropping the old one after the token lifetime.
       */
      secrets: z
        .array(z.string().min(32, 'must be at least 32 characters'))
        .min(1, 'needs at least one secret'),
      /** Lifetime of an anonymous profile token (ms); the GraphQL layer's default (30 days) when omitted. */
      ttlMs: positiveMs.optional(),
      /** Lifetime of the token `identify` returns for a user's profile (ms); default 7 days. */
      userTtlMs: positiveMs.optional(),
    }),
    /**
     * How `identify` verifies the identity assertion (a short-lived JWT the site's backend signs):
     * HS256 `secrets` of its own (never a token secret: refused at boot) and/or a `jwks` (an
     * object `{ keys: [...] }` or its URL). At least one of the two.
     */
    identity: z
      .object({
        secrets: z
          .array(z.string().min(32, 'must be at least 32 characters'))
          .min(1, 'needs at least one secret')
          .optional(),
        jwks: z
          .union([
            z.string().regex(/^https?:\/\//, 'must be an http(s) URL'),
            z.object({ keys: z.array(z.object({}).passthrough()).min(1) }),
          ])
          .optional(),
        /** The `aud` assertions carry; default `personalize`. */
        audience: z.string().min(1).optional(),
        /** The `iss` assertions must carry; default: not checked. */
        issuer: z.string().min(1).optional(),
        /** Longest accepted assertion lifetime (`exp - iat`, seconds); default 600. */
        maxLifetimeSeconds: z.number().int().min(1).max(3600).optional(),
        /** Browser-sent `identify` traits: `refuse` (default) or `separate` (rules read them as `clientTraits`). */
        clientTraits: z.enum(['refuse', 'separate']).optional(),
      })
      .strict()
      .refine((identity) => identity.secrets !== undefined || identity.jwks !== undefined, {
        message: 'needs secrets or jwks to verify identity assertions',
      }),
    ttl: z
      .object({
        /** Lifetime of an anonymous profile with no activity (ms). */
        anonymousProfileMs: positiveMs.default(30 * 24 * 60 * 60 * 1000),
        /** Lifetime of a known user's profile with no activity (ms); 0 keeps it until erased. */
        userProfileMs: z.number().int().min(0).default(0),
      })
      .prefault({}),
    /** Overrides of the GraphQL layer's limits (server/limits.ts `DEFAULT_LIMITS`); its defaults when omitted. */
    limits: z
      .object({
        maxDepth: positiveInt,
        maxCost: positiveInt,
        maxBatch: positiveInt,
        maxBodyBytes: positiveInt,
        trackPerProfile: rate,
        trackPerIp: rate,
        maxSubscriptionsPerSocket: positiveInt,
        connectionInitTimeoutMs: positiveInt,
        parseCacheSize: positiveInt,
      })
      .partial()
      .strict()
      .optional(),
    cors: z
      .object({
        /** Browser origins allowed to call the endpoint with credentials; empty = same origin only. */
        origins: z
          .array(z.string().regex(/^https?:\/\/[^/]+$/, 'must be an origin such as https://shop.example'))
          .default([]),
      })
      .prefault({}),
    /**
     * GET /personalize/metrics (Prometheus) needs `Authorization: Bearer <token>`; without a token
     * the endpoint is disabled (404). 16+ characters: it guards operational data.
     */
    metrics: z
      .object({ token: z.string().min(16, 'must be at least 16 characters').optional() })
      .strict()
      .optional(),
    /** GET /personalize/ready answers 503 when Redis does not answer PING within `timeoutMs` (default 1000). */
    readiness: z.object({ timeoutMs: positiveMs.optional() }).strict().optional(),
  })
  .strict();

/** Configuration as written by the app (defaults not yet applied). */
export type PluginConfigInput = z.input<typeof pluginConfigSchema>;

/** Configuration after validation, with every default applied. */
export type PluginConfig = z.output<typeof pluginConfigSchema>;

/**
 * Validates and completes a configuration.
 *
 * @throws Error listing each offending option by its path (`tokens.secrets.0: must be at least 32 characters`).
 */
export function parsePluginConfig(input: unknown): PluginConfig {
  const result = pluginConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new Error(`invalid personalize plugin configuration:\n${lines.join('\n')}`);
}
