/**
 * The contract suites every Store / Queue / Cache implementation must pass, embedded or real
 * engine: `import { storeContract } from '@twilio-lab/backends/contract'`.
 */
export {
  DURABILITY_MIGRATIONS,
  durabilityPayload,
  storeContract,
  storeDurabilityContract,
} from './store.contract.js';
export { runDurabilityWriter } from './durability-writer.js';
export type { StoreFactory, DurabilityHarness } from './store.contract.js';
export { queueContract } from './queue.contract.js';
export type { QueueFactory } from './queue.contract.js';
export { cacheContract } from './cache.contract.js';
export type { CacheFactory } from './cache.contract.js';
