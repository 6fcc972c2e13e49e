/**
 * Turns the `redis` option of the Personalizer (URL, client instance, or cluster nodes) into a
 * command client plus a way to open the one subscriber connection the change bus needs.
 */
import Redis, { Cluster } from 'ioredis';

/** Where the profiles live: a URL, an ioredis client (single node or cluster), or cluster nodes. */
export type RedisTarget = string | Redis | Cluster | { nodes: Array<{ host: string; port: number }> };

export interface RedisConnection {
  readonly client: Redis | Cluster;
  readonly isCluster: boolean;
  /** A new connection for SUBSCRIBE/SSUBSCRIBE (sharded subscribers on a cluster). */
  createSubscriber(): Redis | Cluster;
  /** Closes the command client if this module opened it (a caller's instance is left alone). */
  close(): Promise<void>;
}

/**
 * Opens (or adopts) the command client for `target`. Connection errors of the clients opened
 * here go to `onError` (ioredis reconnects by itself; without a listener it prints them raw).
 */
export function connectRedis(target: RedisTarget, onError: (error: Error) => void): RedisConnection {
  let client: Redis | Cluster;
  let owned = false;
  if (typeof target === 'string') {
    client = new Redis(target, { maxRetriesPerRequest: 3 });
    owned = true;
  } else if (target instanceof Redis || target instanceof Cluster) {
    client = target;
  } else if (Array.isArray(target.nodes) && target.nodes.length > 0) {
    client = new Cluster(target.nodes, { redisOptions: { maxRetriesPerRequest: 3 } });
    owned = true;
  } else {
    throw new TypeError(
      'redis must be a URL, an ioredis Redis or Cluster instance, or { nodes: [{ host, port }] }',
    );
  }
  if (owned) client.on('error', onError);
  const isCluster = client instanceof Cluster;
  return {
    client,
    isCluster,
    createSubscriber() {
      // Without `shardedSubscribers` ioredis sends SSUBSCRIBE to a random node and messages
      // never arrive (silently): see /work/shared/notes/redis-and-websocket.md.
      const subscriber =
        client instanceof Cluster
          ? client.duplicate(undefined, { shardedSubscribers: true })
          : client.duplicate({ maxRetriesPerRequest: null });
      subscriber.on('error', onError);
      return subscriber;
    },
    async close() {
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
