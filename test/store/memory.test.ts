import { storeContract } from './contract';

storeContract('embedded (in-process)', () => ({ kind: 'memory' }));
