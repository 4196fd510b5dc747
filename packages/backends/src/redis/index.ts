/**
 * The Redis adapters: a Cache (values, counters, server-side token buckets) and a small
 * pub/sub helper for fan-out across gateways. Loaded lazily by the package index so the
 * embedded path never imports ioredis.
 */
export { BUCKET_NAMESPACE, openRedisCache } from './redis-cache.js';
export type { RedisCacheOptions } from './redis-cache.js';
export { openRedisPubSub } from './redis-pubsub.js';
export type { MessageHandler, RedisPubSub, RedisPubSubOptions } from './redis-pubsub.js';
export { REDIS_UNAVAILABLE_CODE, redisAddress } from './connection.js';
export type { RedisConnectionOptions } from './connection.js';
