import { inject } from 'vitest';
import { storeContract } from './contract';

storeContract('Redis Cluster (3 masters)', () => ({ kind: 'cluster', nodes: inject('redisClusterNodes') }));
