/**
 * Vitest global setup: one private Redis for the run (or `REDIS_URL` when given), and a private
 * 3-master Redis Cluster (`inject('redisClusterNodes')`).
 * Tests read it with `inject('redisUrl')` and must namespace their keys; this server is
 * ours, so it may be flushed, but a `REDIS_URL` server never is.
 */
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { spawnRedisCluster, type SpawnedCluster } from './redis-cluster';
import { spawnRedis, type SpawnedRedis } from './redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** True when the Redis was started by this run (and may be flushed). */
    redisOwned: boolean;
    /** The nodes of a private 3-master cluster started by this run. */
    redisClusterNodes: Array<{ host: string; port: number }>;
  }
}

let server: SpawnedRedis | undefined;
let cluster: SpawnedCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await spawnRedisCluster();
  project.provide('redisClusterNodes', cluster.nodes);
  const given = process.env.REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    project.provide('redisOwned', false);
    return;
  }
  server = await spawnRedis();
  project.provide('redisUrl', server.url);
  project.provide('redisOwned', true);
}

export async function teardown(): Promise<void> {
  await Promise.all([server?.stop(), cluster?.stop()]);
}
