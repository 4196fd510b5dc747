/**
 * @twilio-lab/backends: the Store / Queue / Cache interfaces, their embedded implementations,
 * and the contract suites every implementation (embedded or real engine) must pass.
 *
 * Postgres / Kafka / Redis adapters will be exported from here too, as async factories that
 * load their module with a dynamic import (see embedded.ts), so importing this package never
 * pulls in pg, kafkajs or ioredis.
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
// The contract suites (node:test) live at the '@twilio-lab/backends/contract' subpath, so
// importing the runtime API never loads the test runner.
