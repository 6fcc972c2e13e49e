/**
 * Turns the `redis` option of the Personalizer (URL, client instance, or cluster nodes) into a
 * command client plus a way to open the one subscriber connection the change bus needs, and
 * tells connection failures (Redis down, restarting, unreachable) from other errors.
 */
import Redis, { Cluster, type RedisOptions } from 'ioredis';

/** Where the profiles live: a URL, an ioredis client (single node or cluster), or cluster nodes. */
export type RedisTarget = string | Redis | Cluster | { nodes: Array<{ host: string; port: number }> };

export interface RedisConnection {
  readonly client: Redis | Cluster;
  readonly isCluster: boolean;
  /** A new connection for SUBSCRIBE/SSUBSCRIBE (sharded subscribers on a cluster). */
  createSubscriber(): Redis | Cluster;
  /**
   * Single node only (absent on a cluster, where commands go to several nodes): runs `send`,
   * which issues commands without awaiting, and flushes them to Redis in one write, in the order
   * issued. Redis runs them in that order, and a system call is saved per extra command.
   */
  sendTogether?: <T>(send: () => T) => T;
  /** Closes the command client if this module opened it (a caller's instance is left alone). */
  close(): Promise<void>;
}

/**
 * How the command connections opened here behave while Redis is away. Requests of the endpoint
 * wait on Redis, so: fail within about a second, never queue without bound, and come back as soon
 * as Redis does. (A client instance passed in keeps its own options.)
 *
 * - `enableOfflineQueue: true`: a command sent while (re)connecting waits for that attempt
 *   instead of failing at once, so start-up and a blip (a restart, a failover) cost little.
 *   `false` would fail every request during any reconnect.
 * - `maxRetriesPerRequest: 0`: that wait is one attempt: when it fails, ioredis rejects every
 *   queued command, which also bounds the queue. (The default, 20, lets a request hang for 20
 *   attempts of up to 2 s each; `null` queues forever.)
 * - `retryStrategy`: attempts at most 500 ms apart (default: up to 2 s), so service resumes
 *   within 0.5 s of Redis being back.
 * - `connectTimeout: 1000`: an unreachable host (packets dropped, not refused) fails an attempt
 *   in 1 s, not the default 10 s.
 * - `socketTimeout: 1000`: a connection that is open but silent for 1 s while answers are due
 *   (Redis hung, a network black hole) is dropped, so new commands go to the bounded queue above
 *   instead of piling up on a dead socket. A busy Redis is not silent (answers keep flowing under
 *   a burst), so load does not trip it.
 * - `commandTimeout: 10000`: only a backstop, so that no command waits forever (one in flight
 *   when its socket died waits for a reconnect). It also counts time queued behind our own
 *   burst, so a short one would fail healthy requests under load; the query path has its own
 *   1 s deadline instead (`PROFILE_READ_DEADLINE_MS` in resolvers/context.ts). A timed-out write
 *   may still run later: events are idempotent by id, so a retry counts nothing twice.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: true,
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
  connectTimeout: 1000,
  socketTimeout: 1000,
  commandTimeout: 10_000,
};

/**
 * The subscriber is not a request path: its (un)subscribe commands wait for the connection
 * however long it takes (ioredis then resubscribes every channel by itself, and the bus tells
 * listeners to re-read what they may have missed).
 */
const SUBSCRIBER: RedisOptions = { maxRetriesPerRequest: null, commandTimeout: undefined };

/**
 * Opens (or adopts) the command client for `target`. Connection errors of the clients opened
 * here go to `onError` (ioredis reconnects by itself; without a listener it prints them raw).
 */
export function connectRedis(target: RedisTarget, onError: (error: Error) => void): RedisConnection {
  let client: Redis | Cluster;
  let owned = false;
  if (typeof target === 'string') {
    client = new Redis(target, FAIL_FAST);
    owned = true;
  } else if (target instanceof Redis || target instanceof Cluster) {
    client = target;
  } else if (Array.isArray(target.nodes) && target.nodes.length > 0) {
    client = new Cluster(target.nodes, { redisOptions: FAIL_FAST });
    owned = true;
  } else {
    throw new TypeError(
      'redis must be a URL, an ioredis Redis or Cluster instance, or { nodes: [{ host, port }] }',
    );
  }
  if (owned) client.on('error', onError);
  const isCluster = client instanceof Cluster;
  const single = client instanceof Cluster ? null : client;
  return {
    client,
    isCluster,
    sendTogether: single
      ? (send) => {
          // Not yet connected: commands wait in ioredis's offline queue, which keeps their order.
          const socket = single.status === 'ready' ? single.stream : undefined;
          socket?.cork();
          try {
            return send();
          } finally {
            socket?.uncork();
          }
        }
      : undefined,
    createSubscriber() {
      // Without `shardedSubscribers` ioredis sends SSUBSCRIBE to a random node and messages
      // never arrive (silently): see /work/shared/notes/redis-and-websocket.md.
      const subscriber =
        client instanceof Cluster
          ? client.duplicate(undefined, {
              shardedSubscribers: true,
              redisOptions: { ...client.options.redisOptions, ...SUBSCRIBER },
            })
          : client.duplicate(SUBSCRIBER);
      subscriber.on('error', onError);
      return subscriber;
    },
    async close() {
      if (owned) await quitWithin(client);
    },
  };
}

/** How long `quitWithin` lets QUIT wait for its answer before dropping the connection. */
const QUIT_TIMEOUT_MS = 1000;

/**
 * Closes a connection politely (QUIT, so replies in flight still arrive) once it is ready, and
 * drops it if it is not ready within `timeoutMs`. A reconnecting connection queues a QUIT until
 * Redis is back, so a plain `quit()` never settles while Redis is away and a stopping process
 * would hang; dropping one that is just coming back would cut the commands ioredis sends on
 * `ready` (its own re-subscriptions, whose failures nobody handles), hence the short wait.
 */
export async function quitWithin(client: Redis | Cluster, timeoutMs = QUIT_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  try {
    if (client.status !== 'ready') {
      let onReady: (() => void) | undefined;
      const ready = new Promise<'ready'>((resolve) =>
        client.once('ready', (onReady = () => resolve('ready'))),
      );
      const outcome = await Promise.race([ready, late]);
      client.off('ready', onReady!);
      if (outcome !== 'ready') return client.disconnect();
    }
    const outcome = await Promise.race([client.quit().catch(() => 'failed' as const), late]);
    if (outcome !== 'OK') client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

/** Error names of ioredis for a request that never got an answer. */
const UNANSWERED = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
/** Messages of ioredis for a request that could not be sent or answered. */
const UNSENT = [
  'Connection is closed.',
  'Command timed out',
  "Stream isn't writeable",
  "Cluster isn't ready",
  'None of startup nodes is available',
  'Failed to refresh slots cache',
];
/**
 * Replies of a Redis that is up but cannot serve now (loading its data, failing over, busy, or
 * out of memory under `maxmemory-policy noeviction`: a write is refused before it writes
 * anything, see "Redis memory" in ../README.md).
 */
const NOT_NOW = /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|OOM)\b/;
/** Socket errors of an unreachable Redis. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Whether `error` means "Redis could not be reached or could not answer now", as opposed to a
 * bad request or a bug: the same call may succeed later, and the caller may serve a fallback.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNANSWERED.has(error.name)) return true;
  if (UNSENT.some((message) => error.message.startsWith(message))) return true;
  if (NOT_NOW.test(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK.has(code);
}
