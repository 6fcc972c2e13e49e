import { inject } from 'vitest';
import { storeContract } from './contract';

storeContract('Redis (single node)', () => ({ kind: 'redis', url: inject('redisUrl') }));
