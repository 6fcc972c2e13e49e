/**
 * Runs `start` on each item, `size` at a time, each step awaited. For setting up thousands of
 * subscriptions: on a Redis Cluster ioredis books each sharded subscribe in time proportional to
 * the slots in use, so all at once would hold the event loop past the connections' 1 s socket
 * timeout (see `RESUBSCRIBE_STEP` in engine/bus/redis-bus.ts).
 */
export async function inSteps<T>(
  items: readonly T[],
  start: (item: T) => Promise<unknown>,
  size = 500,
): Promise<void> {
  for (let first = 0; first < items.length; first += size) {
    await Promise.all(items.slice(first, first + size).map(start));
  }
}
