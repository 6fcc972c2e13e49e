/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the endpoint's path of an existing HTTP
 * server. Upgrades on other paths are left alone: Strapi's admin shares the server. Built on
 * graphql-ws's `makeServer` with a lean `ws` glue of our own, sized for many idle sockets:
 * no compression, no per-socket timers (one keep-alive sweep for all), no retained upgrade request.
 *
 * Close codes (all before any operation runs; errors of operations are GraphQL errors):
 *   4400  malformed message              (graphql-ws)
 *   4401  no token in `connection_init`  (Unauthorized: send `{ token }`)
 *   4403  token forged, malformed, signed with an unknown key, or expired (Forbidden: start a new session)
 *   4408  no `connection_init` within `limits.connectionInitTimeoutMs` (graphql-ws)
 *   4409  subscription id already in use (graphql-ws)
 *   4429  more than one `connection_init` (graphql-ws)
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CloseCode as GraphQLWsCloseCode,
  handleProtocols,
  makeServer,
  type Context,
  type ServerOptions,
} from 'graphql-ws';
import { getOperationAST, subscribe, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Auth } from '../resolvers/context';
import { authenticate } from './auth';
import { ErrorCode, refusal } from './errors';
import { distinctResults } from './live/distinct';
import type { OperationCache } from './operation-cache';
import { describeRefusal, type TokenSigner } from './tokens';

/** Close codes this endpoint uses (plus graphql-ws's own). */
export const CloseCode = {
  Unauthorized: GraphQLWsCloseCode.Unauthorized,
  Forbidden: GraphQLWsCloseCode.Forbidden,
  ConnectionInitialisationTimeout: GraphQLWsCloseCode.ConnectionInitialisationTimeout,
} as const;

/** What each socket keeps: the caller and its address, nothing else. */
export interface SocketExtra {
  auth: Auth;
  remoteAddress: string | undefined;
  /** Closes this socket with our own code and reason. */
  close(code: number, reason: string): void;
}

export interface WsOptions {
  path: string;
  tokens: TokenSigner;
  maxSubscriptionsPerSocket: number;
  connectionInitTimeoutMs: number;
  maxPayloadBytes: number;
  /** Interval of the keep-alive sweep (ping; a socket that did not answer the previous ping is dropped). */
  keepAliveMs?: number;
  /** The schema in force and the cache of prepared documents. */
  schema(): GraphQLSchema;
  operations: OperationCache;
  /** The resolver context of one operation of a socket. */
  context(extra: SocketExtra): unknown;
  logger: Pick<Console, 'error'>;
}

/** Whether the operation is `subscription { live { ... } }` (deduplicated results). */
function isLive(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  if (operation?.operation !== 'subscription') return false;
  const [field] = operation.selectionSet.selections;
  return field?.kind === 'Field' && field.name.value === 'live';
}

export class WsTransport {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly unanswered = new WeakSet<WebSocket>();
  private readonly server: ReturnType<typeof makeServer<Record<string, unknown>, SocketExtra>>;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly options: WsOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      maxPayload: options.maxPayloadBytes,
      handleProtocols: (protocols) => handleProtocols(protocols),
    });
    const serverOptions: ServerOptions<Record<string, unknown>, SocketExtra> = {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: (ctx) => this.onConnect(ctx),
      onSubscribe: (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerSocket)
          return [
            refusal(
              ErrorCode.TooManySubscriptions,
              `at most ${options.maxSubscriptionsPerSocket} subscriptions per connection`,
            ),
          ];
        const schema = options.schema();
        const prepared = options.operations.prepare(schema, String(payload.query));
        if (prepared.errors) return [...prepared.errors];
        return {
          schema,
          document: prepared.document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: options.context(ctx.extra),
        };
      },
      subscribe: async (args) => {
        const result = await subscribe(args);
        return Symbol.asyncIterator in result && isLive(args) ? distinctResults(result) : result;
      },
    };
    this.server = makeServer(serverOptions);
    this.keepAlive = setInterval(() => this.sweep(), options.keepAliveMs ?? 12_000);
    this.keepAlive.unref();
  }

  /** Starts handling upgrades on `path` of `httpServer`; returns the detach. */
  attach(httpServer: HttpServer): () => void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (!this.handles(request)) return;
      this.wss.handleUpgrade(request, socket, head, (ws) => this.opened(ws, request));
    };
    httpServer.on('upgrade', onUpgrade);
    return () => httpServer.off('upgrade', onUpgrade);
  }

  /** Number of open sockets. */
  get size(): number {
    return this.sockets.size;
  }

  /** Closes every socket (1001 going away) and stops the keep-alive sweep. */
  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const socket of this.sockets) socket.close(1001, 'Going away');
    this.sockets.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private handles(request: IncomingMessage): boolean {
    const url = request.url ?? '';
    const queryAt = url.indexOf('?');
    return (queryAt === -1 ? url : url.slice(0, queryAt)) === this.options.path;
  }

  private opened(socket: WebSocket, request: IncomingMessage): void {
    this.sockets.add(socket);
    const extra: SocketExtra = {
      auth: { kind: 'none' },
      remoteAddress: request.socket.remoteAddress,
      close: (code, reason) => socket.close(code, reason),
    };
    const closed = this.server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // Resolves once written: graphql-ws awaits it, which is what bounds a slow reader.
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (callback) =>
          socket.on('message', async (data) => {
            try {
              await callback(String(data));
            } catch (error) {
              this.options.logger.error('personalize: WebSocket message handling failed', error);
              socket.close(GraphQLWsCloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      extra,
    );
    socket.on('pong', () => this.unanswered.delete(socket));
    socket.once('error', () => socket.terminate());
    socket.once('close', (code, reason) => {
      this.sockets.delete(socket);
      void closed(code, String(reason));
    });
  }

  private onConnect(ctx: Context<Record<string, unknown>, SocketExtra>): boolean {
    const token = ctx.connectionParams?.token;
    // graphql-ws closes with 4403 when onConnect refuses; closing first sets our own code and reason.
    const socketClose = (code: number, reason: string): false => {
      ctx.extra.close(code, reason);
      return false;
    };
    if (token === undefined || token === null || token === '')
      return socketClose(CloseCode.Unauthorized, 'Unauthorized: send { token } in connection_init');
    if (typeof token !== 'string')
      return socketClose(CloseCode.Forbidden, 'Forbidden: the token must be a string');
    const auth = authenticate(this.options.tokens, token);
    if (auth.kind !== 'verified')
      return socketClose(
        CloseCode.Forbidden,
        `Forbidden: ${auth.kind === 'refused' ? describeRefusal(auth.refusal) : 'no token'}`.slice(0, 120),
      );
    ctx.extra.auth = auth;
    return true;
  }

  private sweep(): void {
    for (const socket of this.sockets) {
      if (this.unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      this.unanswered.add(socket);
      socket.ping();
    }
  }
}
