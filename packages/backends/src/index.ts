/**
 * @twilio-lab/backends: the Store / Queue / Cache interfaces, their embedded implementations,
 * and the contract suites every implementation (embedded or real engine) must pass.
 *
 * The PostgreSQL / Kafka / Redis adapters are exported as async factories that load their module
 * with a dynamic import (real.ts), so importing this package never pulls in pg, kafkajs or ioredis.
 */
export type {
  Cache,
  Migration,
  Queue,
  QueueMessage,
  Row,
  SqlValue,
  Store,
  StoreStats,
  SubscribeOptions,
  Subscription,
  TokenTake,
  WriteOp,
} from './types.js';
export { BACKEND_ERROR_CODES, BackendError, isBackendError, isBackendUnavailable } from './errors.js';
export type { BackendErrorCode } from './errors.js';
export { openMemoryStore, openSqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { createMemoryQueue } from './memory-queue.js';
export type { MemoryQueue, MemoryQueueOptions } from './memory-queue.js';
export { createMemoryCache } from './memory-cache.js';
export type { MemoryCacheOptions } from './memory-cache.js';
export { LocalTokenBuckets } from './token-buckets.js';
export type { LocalTokenBucketsOptions } from './token-buckets.js';
export { EMBEDDED_STORE_FILE, openEmbeddedBackends } from './embedded.js';
export type { Backends, EmbeddedBackendsOptions } from './embedded.js';
export {
  DEFAULT_ENGINES,
  enginesFromEnv,
  namespaceNames,
  openKafkaQueue,
  openPostgresStore,
  openRealBackends,
  openRedisCache,
  openRedisPubSub,
} from './real.js';
export type { EngineAddresses, RealBackendsOptions } from './real.js';
export type { PostgresStoreOptions } from './postgres/index.js';
export type { KafkaQueue, KafkaQueueOptions } from './kafka/index.js';
export type { RedisCacheOptions, RedisPubSub, RedisPubSubOptions } from './redis/index.js';
// The contract suites (node:test) live at the '@twilio-lab/backends/contract' subpath, so
// importing the runtime API never loads the test runner.
