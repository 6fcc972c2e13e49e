/**
 * Spawns a private 3-master Redis Cluster on loopback for tests and benchmarks:
 * three `redis-server --cluster-enabled yes`, joined by `redis-cli --cluster create`, ready when
 * every node reports `cluster_state:ok`. Never touches a Redis it did not start.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { spawnRedis, type SpawnedRedis } from './redis-server';

const run = promisify(execFile);

export interface SpawnedCluster {
  nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/** Starts the cluster; rejects (after stopping what it started) if it is not ready in `timeoutMs`. */
export async function spawnRedisCluster(masters = 3, timeoutMs = 30_000): Promise<SpawnedCluster> {
  const servers: SpawnedRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      // The cluster config file lands in the server's private temporary directory.
      servers.push(
        await spawnRedis([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
        ]),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: timeoutMs },
    );
    await waitForClusterOk(servers, Date.now() + timeoutMs);
    return { nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForClusterOk(servers: SpawnedRedis[], deadline: number): Promise<void> {
  const clients = servers.map((server) => new Redis(server.url, { maxRetriesPerRequest: 1 }));
  try {
    for (;;) {
      const infos = await Promise.all(clients.map((client) => client.cluster('INFO') as Promise<string>));
      if (infos.every((info) => info.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error('redis cluster did not reach cluster_state:ok in time');
      await sleep(100);
    }
  } finally {
    clients.forEach((client) => client.disconnect());
  }
}
