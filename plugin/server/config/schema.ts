/**
 * The plugin's configuration (`config/plugins.{js,ts}` → `personalize.config`), validated at boot so
 * a typo fails the start with a message that names the option, instead of misbehaving later.
 */
import { z } from 'zod';
import { resolveTrustProxy } from '../../../server/client-address';
import { RATE_NAMES, type RateName } from '../../../server/limits';

const positiveMs = z.number().int().positive();
const positiveInt = z.number().int().positive();
/** A token bucket: `burst` calls at once, refilled by `perSecond` (1/60: one a minute). */
const rate = z.object({ burst: z.number().min(1), perSecond: z.number().positive() }).strict();
/** Every rate limit of server/limits.ts (`startSessionPerIp`, `trackPerProfile`, ...). */
const rates = Object.fromEntries(RATE_NAMES.map((name) => [name, rate])) as Record<RateName, typeof rate>;

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
        ...rates,
        maxSubscriptionsPerSocket: positiveInt,
        connectionInitTimeoutMs: positiveInt,
        parseCacheSize: positiveInt,
        // Transport hardening (server/limits.ts).
        parseCacheBytes: positiveInt,
        parseCacheMaxDocumentLength: positiveInt,
        subscribePerSocket: rate,
        maxSocketsPerAddress: positiveInt,
        maxBufferedBytes: positiveInt,
        maxSocketDocumentBytes: positiveInt,
      })
      .partial()
      .strict()
      .optional(),
    /**
     * Which proxies' `X-Forwarded-For` the client address (per-address limits) believes: `false`
     * (the socket peer), a hop count, or the proxies' CIDRs. Strapi's own `proxy: true` is not
     * read for this: it trusts the header's leftmost entry, which the client writes.
     */
    trustProxy: z
      .union([z.literal(false), z.number(), z.array(z.string()).min(1)])
      .default(false)
      .superRefine((value, context) => {
        try {
          resolveTrustProxy(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    /**
     * Per-profile bounds (engine `DEFAULT_PROFILE_LIMITS` when omitted): traits count and bytes
     * (a write past them is refused), event ids remembered for de-duplication, bytes per stored
     * context value, and the context paths kept besides those the rules read.
     */
    profileLimits: z
      .object({
        maxTraits: positiveInt,
        maxTraitBytes: positiveInt,
        maxSeenIds: positiveInt,
        maxContextValueBytes: positiveInt,
        contextAllowance: z
          .array(
            z.string().regex(/^[^.]{1,128}(\.[^.]{1,128}){0,7}$/, 'must be a dot path such as device.type'),
          )
          .max(64),
      })
      .partial()
      .strict()
      .optional(),
    /** The embedded store (no `redis`): most profiles held by the process, default 100,000. */
    embeddedStore: z.object({ maxProfiles: positiveInt }).partial().strict().optional(),
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
    /**
     * Time-based re-evaluations and the clock check (the engine's defaults when omitted): warn when
     * this instance's clock is more than `clockSkewWarnMs` (500) off Redis `TIME`; retry a failing
     * due profile after `dueRetry.firstDelayMs` (1000), doubling up to `maxDelayMs` (300,000), and
     * give up after `maxAttempts` (10) failures in a row.
     */
    time: z
      .object({
        clockSkewWarnMs: positiveMs.optional(),
        dueRetry: z
          .object({ firstDelayMs: positiveMs, maxDelayMs: positiveMs, maxAttempts: positiveInt })
          .partial()
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /**
     * The server API (`/personalize/api/v1/…`, keys managed on the admin's API keys page):
     * calls per key (token bucket, default burst 100, 50/s), the largest body (default 64 KiB),
     * and how long a rotated key's previous secret keeps working (default 1 hour; 0 = not at all).
     */
    serverApi: z
      .object({
        ratePerKey: rate.optional(),
        maxBodyBytes: positiveInt.optional(),
        rotationGraceMs: z
          .number()
          .int()
          .min(0)
          .default(60 * 60 * 1000),
      })
      .strict()
      .prefault({}),
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
