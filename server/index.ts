/**
 * The personalize GraphQL server: HTTP (Apollo Server) and WebSocket (graphql-ws) on one path,
 * mountable on any Node HTTP server (Strapi's, or the standalone one) and framework-neutral.
 *
 *   const server = createPersonalizeServer({
 *     personalizer, content, tokens: { secrets: [TOKEN_SECRET] }, identity: { secrets: [IDENTITY_SECRET] },
 *   });
 *   await server.start();
 *   const detach = server.attach(httpServer);            // WebSocket upgrades on the path
 *   const response = await server.handleHttp(request);   // from the framework's HTTP handler
 *
 * Content is served from an in-memory snapshot (never a database read per request), refreshed by
 * `refreshContent` on every instance through `personalizer.broadcast('content', ...)`.
 */
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ContentSnapshot } from '../content/snapshot';
import type { ContentChange, ContentSource } from '../content/types';
import type { JsonValue, Personalizer } from '../engine/types';
import { systemClock } from '../engine/types';
import { TOPICS } from '../engine/bus/topics';
import { createScope, degradedExtensions, type ResolverContext } from '../resolvers/context';
import type { RequestScope } from '../resolvers/models';
import type { Services } from '../resolvers/services';
import { authenticate, cookieOriginAllowed, findToken } from './auth';
import { clientAddress, type TrustProxy } from './client-address';
import {
  crossSiteCookie,
  handleGraphQLHttp,
  startApollo,
  type HttpOptions,
  type HttpRequest,
  type HttpResponse,
} from './http';
import { IdentityVerifier, type IdentityOptions } from './identity';
import { resolveLimits, type Limits } from './limits';
import { MergeNotices } from './live/follow';
import { liveQuery } from './live/live-query';
import type { ChangeStamp } from './live/push-timing';
import { LiveRegistry } from './live/registry';
import { membershipChanges } from './live/segments-changed';
import { observeTrack, type ServerObserver } from './observer';
import { OperationCache } from './operation-cache';
import { queryLimitsRule } from './query-limits';
import { OperationLimits } from './rate-limit';
import { buildSchema, reservedNames } from './schema';
import { createServerApi, type ServerApi, type ServerApiOptions, type ServerApiRequest } from './server-api';
import { TokenSigner } from './tokens';
import { WsTransport } from './ws';

export { DEFAULT_LIMITS, type Limits, type Rate } from './limits';
export { clientAddress, type ClientAddress, type TrustProxy } from './client-address';
export { CloseCode } from './protocol';
export { ErrorCode } from './protocol';
export {
  signIdentityAssertion,
  type IdentityOptions,
  type SignIdentityAssertionOptions,
  type ClientTraitsPolicy,
} from './identity';
export { corsAllowed, preflight, type HttpRequest, type HttpResponse } from './http';
export type { ServerObserver, RefusalReason } from './observer';
export {
  ApiKeySet,
  API_KEY_SCOPES,
  hashApiKey,
  mintApiKey,
  parseApiKeyList,
  type ApiKeyRecord,
  type ApiKeys,
  type ApiKeyScope,
} from './api-keys';
export {
  SERVER_API_PREFIX,
  DEFAULT_SERVER_API,
  type ServerApiOptions,
  type ServerApiRequest,
} from './server-api';

export type Logger = Pick<Console, 'info' | 'warn' | 'error'>;

export interface PersonalizeServerOptions {
  personalizer: Personalizer;
  content: ContentSource;
  /** Path of the endpoint, HTTP and WebSocket; default `/personalize/graphql`. */
  path?: string;
  /**
   * Token secrets (32+ characters): the first signs, all verify (rotation). `ttlMs` (anonymous
   * tokens) default 30 days, `userTtlMs` (tokens `identify` returns) default 7 days.
   */
  tokens: { secrets: string[]; ttlMs?: number; userTtlMs?: number };
  /**
   * How `identify` checks its identity assertion (a short-lived JWT signed by the site's backend):
   * HS256 `secrets` of its own (never a token secret) and/or a `jwks`, the `audience`, the longest
   * lifetime, and what happens to browser-sent traits (`clientTraits`). See server/identity.ts.
   */
  identity: IdentityOptions;
  /** Overrides of `DEFAULT_LIMITS`. */
  limits?: Partial<Limits>;
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client address (server/client-address.ts):
   * `false` (default: the socket peer), a hop count, or the proxies' CIDR ranges.
   */
  trustProxy?: TrustProxy;
  /** Schema introspection; default on unless NODE_ENV is `production`. */
  introspection?: boolean;
  /** Apollo's landing page on GET from a browser; default on unless NODE_ENV is `production`. */
  landingPage?: boolean;
  /** Origins allowed to call from other origins (browser CORS); default none (same origin only). */
  cors?: { origins: string[] };
  /** Locale served when a query names none; default `en`. */
  defaultLocale?: string;
  logger?: Logger;
  /** Told about `track` calls and push latencies (server/metrics.ts); default none, nothing measured. */
  observer?: ServerObserver;
  /**
   * The server-to-server API under `/personalize/api/v1/` (server/server-api.ts) and the API keys
   * it accepts; default none: every call there answers 404.
   */
  serverApi?: ServerApiOptions;
}

export interface PersonalizeServer {
  /** Builds the typed schema from the content model, loads the snapshot, subscribes to content changes. */
  start(): Promise<void>;
  /** Framework-neutral HTTP: Koa (Strapi) and node:http adapters call this. */
  handleHttp(request: HttpRequest): Promise<HttpResponse>;
  /** The server API (paths under `SERVER_API_PREFIX`), framework-neutral too; 404 when not configured. */
  handleServerApi(request: ServerApiRequest): Promise<HttpResponse>;
  /** Largest body the server API reads (adapters refuse bigger ones before reading them). */
  readonly serverApiMaxBodyBytes: number;
  /** Handles WebSocket upgrades on `path` of an existing http.Server (other paths untouched); returns detach. */
  attach(httpServer: HttpServer): () => void;
  /** Content changed: refresh the snapshot (rebuild the schema for `model`) on every instance, recompute affected live queries. */
  refreshContent(change: ContentChange): Promise<void>;
  /** The schema in force (for tooling: printing, codegen of front ends). */
  readonly schema: GraphQLSchema;
  /** Live queries and sockets open on this instance. */
  stats(): {
    sockets: number;
    subscriptions: number;
    liveQueries: number;
    documents: number;
    /** The WebSocket operation cache: entries and the bytes it accounts (bounded by `limits`). */
    operationCache: { entries: number; bytes: number };
  };
  close(): Promise<void>;
}

/** Snapshot, schema and the Apollo Server for it: replaced together, never half. */
interface Generation {
  snapshot: ContentSnapshot;
  schema: GraphQLSchema;
  apollo: ApolloServer<BaseContext>;
}

export function createPersonalizeServer(options: PersonalizeServerOptions): PersonalizeServer {
  const logger = options.logger ?? console;
  const path = options.path ?? '/personalize/graphql';
  if (!path.startsWith('/')) throw new TypeError('path must start with "/"');
  const limits = resolveLimits(options.limits);
  const addressOf = clientAddress(options.trustProxy ?? false);
  const production = process.env.NODE_ENV === 'production';
  const clock = systemClock;
  const tokens = new TokenSigner({
    secrets: options.tokens?.secrets,
    ttlMs: options.tokens?.ttlMs,
    userTtlMs: options.tokens?.userTtlMs,
    clock,
  });
  if (options.identity === undefined)
    throw new TypeError(
      'identity must name the secrets or the JWKS that identity assertions are verified with',
    );
  const identity = new IdentityVerifier({
    ...options.identity,
    tokenSecrets: options.tokens.secrets,
    clock,
    useOnce: (nonce, until) => options.personalizer.useOnce(nonce, until),
  });
  const live = new LiveRegistry();
  const merges = new MergeNotices();
  const instanceId = randomUUID();
  const httpOptions: HttpOptions = {
    introspection: options.introspection ?? !production,
    landingPage: options.landingPage ?? !production,
    maxBodyBytes: limits.maxBodyBytes,
    corsOrigins: options.cors?.origins ?? [],
    logger,
    responseExtensions: (context) => degradedExtensions(context as ResolverContext),
  };
  const validationRules: ValidationRule[] = [queryLimitsRule(limits.maxDepth, limits.maxCost)];
  const wsRules = httpOptions.introspection
    ? validationRules
    : [...validationRules, NoSchemaIntrospectionCustomRule];
  const operations = new OperationCache({
    maxEntries: limits.parseCacheSize,
    maxBytes: limits.parseCacheBytes,
    maxDocumentLength: limits.parseCacheMaxDocumentLength,
    rules: wsRules,
  });

  let generation: Generation | null = null;
  const current = (): Generation => {
    if (!generation) throw new Error('the personalize server is not started: call start() first');
    return generation;
  };

  const services: Services = {
    personalizer: options.personalizer,
    tokens,
    identity,
    limits,
    rates: new OperationLimits(limits, clock, options.observer?.onOperationRefused?.bind(options.observer)),
    clock,
    live,
    merges,
    announceMerge: (from, into) => options.personalizer.broadcast(TOPICS.merge, { from, into }),
    snapshot: () => current().snapshot,
    subscriptions: { segmentsChanged: membershipChanges, live: liveQuery },
  };

  const contextOf = (
    auth: ResolverContext['auth'],
    remoteAddress: string | undefined,
    changeStamp?: ChangeStamp,
  ): ResolverContext => {
    // Built on first use: a live subscription never uses it (each run has its own), and sockets are many.
    let scope: RequestScope | undefined;
    return {
      services,
      auth,
      remoteAddress,
      ...(changeStamp ? { changeStamp } : {}),
      get scope() {
        return (scope ??= createScope(services, auth, current().snapshot));
      },
    };
  };

  const ws = new WsTransport({
    path,
    tokens,
    maxSubscriptionsPerSocket: limits.maxSubscriptionsPerSocket,
    connectionInitTimeoutMs: limits.connectionInitTimeoutMs,
    maxPayloadBytes: limits.maxBodyBytes,
    clientAddress: (request) => addressOf(request.socket.remoteAddress, request.headers),
    subscribePerSocket: limits.subscribePerSocket,
    maxSocketsPerAddress: limits.maxSocketsPerAddress,
    maxBufferedBytes: limits.maxBufferedBytes,
    maxSocketDocumentBytes: limits.maxSocketDocumentBytes,
    schema: () => current().schema,
    operations,
    // With push timing on, each operation's personalizer stamps the changes it receives.
    context: (extra, stamp) => contextOf(extra.auth, extra.remoteAddress, stamp),
    logger,
    ...(options.observer?.onPush ? { onPush: options.observer.onPush.bind(options.observer) } : {}),
  });

  const snapshotOptions = { defaultLocale: options.defaultLocale, reserved: reservedNames() };

  async function buildGeneration(snapshot: ContentSnapshot): Promise<Generation> {
    for (const warning of snapshot.plan.warnings) logger.warn(`personalize: content model: ${warning}`);
    const schema = buildSchema(snapshot);
    if (options.observer) observeTrack(schema, options.observer);
    return { snapshot, schema, apollo: await startApollo(schema, httpOptions, validationRules) };
  }

  // Changes are applied one at a time, in arrival order: a slow model reload never races a document reload.
  // `every document`: this instance may have missed announcements (its bus link dropped), so every
  // type's documents are reloaded; not the model, which a CMS changes only by restarting.
  let applying: Promise<void> = Promise.resolve();
  function apply(change: ContentChange | { kind: 'every document' }): Promise<void> {
    const run = applying.then(async () => {
      const before = current();
      if (change.kind === 'model') {
        const next = await buildGeneration(await ContentSnapshot.load(options.content, snapshotOptions));
        generation = next;
        await before.apollo
          .stop()
          .catch((error: unknown) => logger.warn('personalize: stopping Apollo failed', error));
        live.contentChanged('all');
        return;
      }
      if (change.kind === 'every document') {
        const uids = before.snapshot.plan.roots.map((root) => root.uid);
        generation = { ...current(), snapshot: await before.snapshot.reload(options.content, uids) };
        live.contentChanged('all');
        return;
      }
      // Types whose documents embed this one (populated relations) are reloaded with it.
      const uids = [change.uid, ...before.snapshot.typesRelatedTo(change.uid)];
      generation = { ...current(), snapshot: await before.snapshot.reload(options.content, uids) };
      live.contentChanged(uids);
    });
    applying = run.catch((error: unknown) => logger.error('personalize: content refresh failed', error));
    return run;
  }

  const serverApi: ServerApi | null = options.serverApi
    ? createServerApi(options.serverApi, options.personalizer, clock, logger)
    : null;

  const unsubscribers: Array<() => void> = [];
  const detachers = new Set<() => void>();

  return {
    async start() {
      if (generation) return;
      generation = await buildGeneration(await ContentSnapshot.load(options.content, snapshotOptions));
      logger.info(
        `personalize: GraphQL on ${path}: ${generation.snapshot.plan.roots.length} personalizable content types, ${generation.snapshot.size} documents`,
      );
      unsubscribers.push(
        options.content.onChange((change) => {
          this.refreshContent(change).catch((error: unknown) =>
            logger.error('personalize: content refresh failed', error),
          );
        }),
        options.personalizer.onBroadcast(TOPICS.content, (payload) => {
          const message = payload as { origin?: string; change?: ContentChange } | null;
          if (!message?.change || message.origin === instanceId) return;
          void apply(message.change).catch(() => {});
        }),
        options.personalizer.onBroadcast(TOPICS.merge, (payload) => {
          const { from, into } = (payload ?? {}) as { from?: unknown; into?: unknown };
          if (typeof from === 'string' && typeof into === 'string') merges.merged(from, into);
        }),
        options.personalizer.onRulesChanged(() => live.rulesChanged()),
        // What was announced while the bus was away was missed: profile changes (live
        // subscriptions re-read) and published content.
        options.personalizer.onResubscribed(() => {
          live.resubscribed();
          void apply({ kind: 'every document' }).catch(() => {});
        }),
      );
    },

    async handleHttp(request) {
      const { apollo } = current();
      const { token, from } = findToken(request.headers);
      if (
        from === 'cookie' &&
        request.method.toUpperCase() !== 'OPTIONS' &&
        !cookieOriginAllowed(request.headers, httpOptions.corsOrigins)
      )
        return crossSiteCookie(request, httpOptions);
      return handleGraphQLHttp(apollo, request, httpOptions, async () =>
        contextOf(authenticate(tokens, token), addressOf(request.remoteAddress, request.headers)),
      );
    },

    async handleServerApi(request) {
      if (serverApi) return serverApi.handle(request);
      return {
        status: 404,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          error: { code: 'NOT_FOUND', message: 'the server API is disabled: no API keys are configured' },
        }),
      };
    },

    get serverApiMaxBodyBytes() {
      return serverApi?.maxBodyBytes ?? limits.maxBodyBytes;
    },

    attach(httpServer) {
      const detach = ws.attach(httpServer);
      detachers.add(detach);
      return () => {
        detachers.delete(detach);
        detach();
      };
    },

    async refreshContent(change) {
      if (change?.kind !== 'model' && !(change?.kind === 'documents' && typeof change.uid === 'string'))
        throw new TypeError('refreshContent expects { kind: "model" } or { kind: "documents", uid }');
      await apply(change);
      await options.personalizer.broadcast(TOPICS.content, {
        origin: instanceId,
        change,
      } as unknown as JsonValue);
    },

    get schema() {
      return current().schema;
    },

    stats() {
      return {
        sockets: ws.size,
        subscriptions: ws.subscriptions,
        liveQueries: live.size,
        documents: generation?.snapshot.size ?? 0,
        operationCache: operations.usage,
      };
    },

    async close() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      for (const detach of detachers) detach();
      detachers.clear();
      await ws.close();
      await applying;
      if (generation) await generation.apollo.stop();
      generation = null;
    },
  };
}
