/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the endpoint's path of an existing HTTP
 * server. Upgrades on other paths are left alone: Strapi's admin shares the server. Built on
 * graphql-ws's `makeServer` with a lean `ws` glue of our own, sized for many idle sockets:
 * no compression, no per-socket timers (one keep-alive sweep for all), no retained upgrade request.
 *
 * Close codes (errors of single operations are GraphQL errors, masked as over HTTP):
 *   1008  Subscribe messages kept coming after `limits.subscribePerSocket.burst` refusals in a row
 *         (Policy Violation: graphql-ws clients do not reconnect after it)
 *   1013  more than `limits.maxSocketsPerAddress` sockets from this address (Try Again Later)
 *   4400  malformed message              (graphql-ws)
 *   4401  no token in `connection_init`  (Unauthorized: send `{ token }`)
 *   4403  token forged, malformed, signed with an unknown key, or expired (Forbidden: start a new session)
 *   4408  no `connection_init` within `limits.connectionInitTimeoutMs` (graphql-ws)
 *   4409  subscription id already in use (graphql-ws)
 *   4413  more than `limits.maxBufferedBytes` waiting to be sent: the client does not read (Slow Consumer)
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
import {
  getOperationAST,
  subscribe,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Auth } from '../resolvers/context';
import { authenticate } from './auth';
import { describeRefusal, refusal } from '../resolvers/errors';
import { CloseCode, ErrorCode } from './protocol';
import { maskedError } from './http';
import { distinctResults } from './live/distinct';
import { ChangeStamp, timedPushes } from './live/push-timing';
import { wrapIterator } from './live/wrap-iterator';
import type { OperationCache } from './operation-cache';
import { TokenBuckets } from './rate-limit';
import type { Rate } from './limits';
import type { TokenSigner } from './tokens';
import { systemClock } from '../engine/types';

/** The keep-alive round is done in this many slices, one per `keepAliveMs / SWEEP_SLICES`. */
const SWEEP_SLICES = 100;
/**
 * How long a socket closed for `maxBufferedBytes` may take to drain its queue and the close frame
 * before it is cut: a slow reader gets its data and 4413; a stalled one stops holding memory.
 */
const SLOW_CONSUMER_GRACE_MS = 5_000;

/** What each socket keeps: the caller and its address, nothing else. */
export interface SocketExtra {
  auth: Auth;
  remoteAddress: string | undefined;
  /** Closes this socket with our own code and reason. */
  close(code: number, reason: string): void;
  /** The key of this socket's Subscribe bucket, and its refusals since the last admitted one. */
  bucket: string;
  refusedInARow: number;
  /** Bytes of the documents its open subscriptions hold (`Prepared.bytes`). */
  heldDocumentBytes: number;
}

export interface WsOptions {
  path: string;
  tokens: TokenSigner;
  maxSubscriptionsPerSocket: number;
  connectionInitTimeoutMs: number;
  maxPayloadBytes: number;
  /** The client address key of an upgrade request (server/client-address.ts). */
  clientAddress(request: IncomingMessage): string;
  subscribePerSocket: Rate;
  maxSocketsPerAddress: number;
  maxBufferedBytes: number;
  maxSocketDocumentBytes: number;
  /**
   * Interval between two pings of a socket (a socket that did not answer the previous ping is
   * dropped). The sweep is spread over the interval in small slices (see `sweep`).
   */
  keepAliveMs?: number;
  /** The schema in force and the cache of prepared documents. */
  schema(): GraphQLSchema;
  operations: OperationCache;
  /** The resolver context of one operation of a socket (`stamp`: see live/push-timing.ts). */
  context(extra: SocketExtra, stamp: ChangeStamp | undefined): unknown;
  logger: Pick<Console, 'error'>;
  /** Receives the push latency of subscription frames (ms); when absent nothing is timed. */
  onPush?: (ms: number) => void;
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
  /** When each socket was last pinged (performance.now()). */
  private readonly pingedAt = new WeakMap<WebSocket, number>();
  private readonly server: ReturnType<typeof makeServer<Record<string, unknown>, SocketExtra>>;
  private readonly keepAlive: NodeJS.Timeout;
  /** Where the keep-alive round is in `sockets`. */
  private sweepCursor: Iterator<WebSocket> = this.sockets.values();
  /** The change stamp of each operation's context, when pushes are timed. */
  private readonly stamps = new WeakMap<object, ChangeStamp>();
  /** What each subscription's context holds against its socket's `maxSocketDocumentBytes`. */
  private readonly held = new WeakMap<object, { extra: SocketExtra; bytes: number }>();
  private openSubscriptions = 0;
  /** Subscribe messages per socket (keyed by `SocketExtra.bucket`). */
  private readonly subscribes: TokenBuckets;
  private nextBucket = 0;
  /** Open sockets per client address. */
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly options: WsOptions) {
    this.subscribes = new TokenBuckets(
      options.subscribePerSocket.burst,
      options.subscribePerSocket.perSecond,
      systemClock,
    );
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
        // First, before any parsing: a refused Subscribe costs this check and one error frame.
        const admitted = this.subscribes.take(ctx.extra.bucket);
        if (!admitted.ok) {
          ctx.extra.refusedInARow += 1;
          if (ctx.extra.refusedInARow > options.subscribePerSocket.burst)
            ctx.extra.close(
              CloseCode.SubscribeFlood,
              'Policy violation: operations sent on after being refused; wait retryAfterMs',
            );
          return [
            refusal(ErrorCode.RateLimited, 'too many operations on this connection; retry later', {
              retryAfterMs: admitted.retryAfterMs,
            }),
          ];
        }
        ctx.extra.refusedInARow = 0;
        // The token was checked at connection_init: a socket that outlives it must stop acting for
        // its holder (an expired token would otherwise stay good for as long as the socket is open).
        const { auth } = ctx.extra;
        if (auth.kind === 'verified' && Date.now() >= auth.expiresAt) {
          ctx.extra.close(CloseCode.Forbidden, `Forbidden: ${describeRefusal('expired')}`.slice(0, 120));
          return [refusal(ErrorCode.InvalidToken, describeRefusal('expired'))];
        }
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
        // graphql-ws's own refusal of this case carries no code (and would be masked as internal).
        const operation = getOperationAST(prepared.document, payload.operationName);
        if (!operation)
          return [
            refusal(
              ErrorCode.OperationResolutionFailure,
              payload.operationName
                ? `no operation named "${payload.operationName}" in the document`
                : 'the document has several operations: send operationName',
            ),
          ];
        // A subscription keeps its document while open: bounded per socket, cached or not.
        const subscription = operation.operation === 'subscription';
        if (subscription && ctx.extra.heldDocumentBytes + prepared.bytes > options.maxSocketDocumentBytes)
          return [
            refusal(
              ErrorCode.TooManySubscriptions,
              `the subscriptions of this connection would hold more than ${options.maxSocketDocumentBytes} bytes of documents`,
              { maxSocketDocumentBytes: options.maxSocketDocumentBytes },
            ),
          ];
        const stamp = options.onPush ? new ChangeStamp() : undefined;
        const contextValue = options.context(ctx.extra, stamp);
        if (stamp) this.stamps.set(contextValue as object, stamp);
        if (subscription) {
          ctx.extra.heldDocumentBytes += prepared.bytes;
          this.held.set(contextValue as object, { extra: ctx.extra, bytes: prepared.bytes });
        }
        return {
          schema,
          document: prepared.document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        };
      },
      // Errors leave the server as they do over HTTP (server/http.ts): an unexpected error is
      // logged and shown as `internal server error`; coded ones keep their code.
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        return { ...result, errors: result.errors.map((error) => maskedError(error, options.logger)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => maskedError(error, options.logger)),
      subscribe: async (args) => {
        const release = (): void => {
          const held = this.held.get(args.contextValue as object);
          if (held) held.extra.heldDocumentBytes -= held.bytes;
          this.held.delete(args.contextValue as object);
        };
        const result = await subscribe(args).catch((error: unknown) => {
          release();
          throw error;
        });
        if (!(Symbol.asyncIterator in result)) {
          release();
          return result;
        }
        type Results = AsyncIterator<ExecutionResult>;
        const filter = isLive(args) ? distinctResults : (results: Results): Results => results;
        const stamp = this.stamps.get(args.contextValue as object);
        return this.counted(
          stamp && options.onPush ? timedPushes(result, stamp, filter, options.onPush) : filter(result),
          release,
        );
      },
    };
    this.server = makeServer(serverOptions);
    // 25 s: under the 60 s idle timeout of common proxies and load balancers, and a ping costs a
    // write and a read per socket (at 5,000 sockets, 12 s meant 400 pings a second).
    const keepAliveMs = options.keepAliveMs ?? 25_000;
    this.keepAlive = setInterval(() => this.sweep(keepAliveMs), keepAliveMs / SWEEP_SLICES);
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

  /** Number of open subscriptions (live queries and `segmentsChanged`) over all sockets. */
  get subscriptions(): number {
    return this.openSubscriptions;
  }

  /** Closes every socket (1001 going away) and stops the keep-alive sweep. */
  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const socket of this.sockets) socket.close(1001, 'Going away');
    this.sockets.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Counts `results` among the open subscriptions until it ends, however it ends. */
  private counted<T>(results: AsyncIterator<T>, onEnd: () => void): AsyncIterableIterator<T> {
    this.openSubscriptions += 1;
    return wrapIterator(results, {
      ended: () => {
        this.openSubscriptions -= 1;
        onEnd();
      },
    });
  }

  private handles(request: IncomingMessage): boolean {
    const url = request.url ?? '';
    const queryAt = url.indexOf('?');
    return (queryAt === -1 ? url : url.slice(0, queryAt)) === this.options.path;
  }

  private opened(socket: WebSocket, request: IncomingMessage): void {
    const extra: SocketExtra = {
      auth: { kind: 'none' },
      remoteAddress: this.options.clientAddress(request),
      close: (code, reason) => socket.close(code, reason),
      bucket: String(this.nextBucket++),
      refusedInARow: 0,
      heldDocumentBytes: 0,
    };
    const address = extra.remoteAddress;
    if (address !== undefined) {
      const open = this.perAddress.get(address) ?? 0;
      if (open >= this.options.maxSocketsPerAddress) {
        socket.once('error', () => socket.terminate());
        socket.close(CloseCode.TooManySockets, 'Try again later: too many connections from this address');
        return;
      }
      this.perAddress.set(address, open + 1);
      socket.once('close', () => {
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left > 0) this.perAddress.set(address, left);
        else this.perAddress.delete(address);
      });
    }
    this.sockets.add(socket);
    const closed = this.server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // Resolves once written: graphql-ws awaits it, which bounds one operation's stream;
            // `maxBufferedBytes` bounds what all operations of a socket queue together.
            socket.send(data, (error) =>
              error && socket.readyState === socket.OPEN ? reject(error) : resolve(),
            );
            if (socket.bufferedAmount > this.options.maxBufferedBytes) this.slowConsumer(socket);
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

  /**
   * Closes a socket whose queue passed `maxBufferedBytes`: nothing more is sent (sends check the
   * state), the close frame follows the queued data, and the socket is cut if it has not drained
   * within the grace. It no longer counts as open.
   */
  private slowConsumer(socket: WebSocket): void {
    this.sockets.delete(socket);
    socket.close(
      CloseCode.SlowConsumer,
      `Slow consumer: more than ${this.options.maxBufferedBytes} bytes unread`.slice(0, 120),
    );
    const cut = setTimeout(() => socket.terminate(), SLOW_CONSUMER_GRACE_MS);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
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

  /**
   * One slice of the keep-alive round: the next `1 / SWEEP_SLICES` of the sockets. Pinging every
   * socket in one go blocked the event loop for 200-400 ms at 5,000 sockets (a write each), which
   * every push and request arriving meanwhile waited out. A Set iterator survives additions and
   * deletions. Whatever the round's pace, a socket is pinged at most once per `keepAliveMs` and
   * dropped only when a ping that old is still unanswered.
   */
  private sweep(keepAliveMs: number): void {
    const now = performance.now();
    const slice = Math.ceil(this.sockets.size / SWEEP_SLICES);
    for (let visited = 0; visited < slice; visited++) {
      const step = this.sweepCursor.next();
      if (step.done) {
        this.sweepCursor = this.sockets.values();
        return;
      }
      const socket = step.value;
      if (now - (this.pingedAt.get(socket) ?? -Infinity) < keepAliveMs) continue;
      if (this.unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      this.unanswered.add(socket);
      this.pingedAt.set(socket, now);
      socket.ping();
    }
  }
}
