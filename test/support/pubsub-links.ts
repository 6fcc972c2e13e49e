/**
 * Cutting one process's pub/sub link on a Redis other test files share: the process names its
 * connections (`withConnectionName`), and only the pub/sub connections with that name are cut.
 * Redis pub/sub keeps nothing for an absent subscriber, so whatever is announced until the link is
 * back is lost for that process, as in a real outage.
 */
import { once } from 'node:events';
import { Cluster, type Redis } from 'ioredis';

/** `url` with `connectionName` set (ioredis reads options from the query string). */
export function withConnectionName(url: string, name: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}connectionName=${encodeURIComponent(name)}`;
}

/**
 * Cuts every pub/sub connection whose name contains `name` (`''`: every one), on `server` or every
 * master of a cluster; returns how many were cut.
 */
export async function cutPubSubLinks(server: Redis | Cluster, name: string): Promise<number> {
  if (server instanceof Cluster && server.status !== 'ready') await once(server, 'ready');
  const nodes = server instanceof Cluster ? server.nodes('master') : [server];
  const cut = await Promise.all(
    nodes.map(async (node) => {
      const list = (await node.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ids = list
        .split('\n')
        .filter((line) => / name=\S*/.exec(line)?.[0].includes(name))
        .map((line) => /\bid=(\d+)/.exec(line)![1]!);
      for (const id of ids) await node.call('CLIENT', 'KILL', 'ID', id);
      return ids.length;
    }),
  );
  return cut.reduce((sum, count) => sum + count, 0);
}
