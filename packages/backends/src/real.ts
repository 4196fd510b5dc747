/**
 * The real-engine backends: PostgreSQL for the store, Kafka for the queue, Redis for the cache.
 * Each adapter is loaded with a dynamic import, so a process on the embedded backends never
 * loads pg, kafkajs or ioredis (nor pays their start-up cost).
 */
import { backendsOf } from './embedded.js';
import type { Backends } from './embedded.js';
import type { PostgresStoreOptions } from './postgres/index.js';
import type { KafkaQueue, KafkaQueueOptions } from './kafka/index.js';
import type { RedisCacheOptions, RedisPubSub, RedisPubSubOptions } from './redis/index.js';
import type { Cache, Store } from './types.js';

/** Where the engines are; the defaults are the ports `twilio-lab infra start` and docker-compose use. */
export interface EngineAddresses {
  databaseUrl: string;
  kafkaBrokers: readonly string[];
  redisUrl: string;
}

export const DEFAULT_ENGINES: EngineAddresses = {
  databaseUrl: 'postgres://postgres@127.0.0.1:15432/postgres',
  kafkaBrokers: ['127.0.0.1:19092'],
  redisUrl: 'redis://127.0.0.1:16379',
};

/** Engines named by DATABASE_URL, KAFKA_BROKERS (comma-separated) and REDIS_URL, else `fallback`. */
export function enginesFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  fallback: EngineAddresses = DEFAULT_ENGINES,
): EngineAddresses {
  const brokers = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return {
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? fallback.databaseUrl,
    kafkaBrokers: brokers !== undefined && brokers.length > 0 ? brokers : fallback.kafkaBrokers,
    redisUrl: nonEmpty(env.REDIS_URL) ?? fallback.redisUrl,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  return import('./postgres/index.js').then((m) => m.openPostgresStore(options));
}

export function openKafkaQueue(options: KafkaQueueOptions): Promise<KafkaQueue> {
  return import('./kafka/index.js').then((m) => m.openKafkaQueue(options));
}

export function openRedisCache(options: RedisCacheOptions): Promise<Cache> {
  return import('./redis/index.js').then((m) => m.openRedisCache(options));
}

export function openRedisPubSub(options: RedisPubSubOptions): Promise<RedisPubSub> {
  return import('./redis/index.js').then((m) => m.openRedisPubSub(options));
}

export interface RealBackendsOptions {
  engines: EngineAddresses;
  /**
   * Names this cell's slice of the shared engines, e.g. 'lab_us1_cell_1': the PostgreSQL schema,
   * the Kafka topic prefix ('lab.us1.cell-1.' style, dots) and the Redis key prefix derive from it.
   */
  namespace: string;
  /** Kafka partitions for the topics this cell creates. Default 8. */
  partitions?: number;
  /** Connections in the PostgreSQL pool. */
  poolSize?: number;
}

/** Schema, topic prefix and key prefix for one namespace; only [a-z0-9_] reach the engines. */
export function namespaceNames(namespace: string): {
  schema: string;
  topicPrefix: string;
  keyPrefix: string;
} {
  const safe = namespace.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  if (!/^[a-z]/.test(safe)) {
    throw new TypeError(`namespace '${namespace}' must start with a letter (it names a PostgreSQL schema)`);
  }
  return { schema: safe, topicPrefix: `${safe}.`, keyPrefix: `${safe}:` };
}

export async function openRealBackends(options: RealBackendsOptions): Promise<Backends> {
  const names = namespaceNames(options.namespace);
  const opened: { close(): Promise<void> }[] = [];
  try {
    const store = await openPostgresStore({
      url: options.engines.databaseUrl,
      schema: names.schema,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    });
    opened.push(store);
    const queue = await openKafkaQueue({
      brokers: [...options.engines.kafkaBrokers],
      clientId: names.schema,
      topicPrefix: names.topicPrefix,
      partitions: options.partitions ?? 8,
    });
    opened.push(queue);
    const cache = await openRedisCache({ url: options.engines.redisUrl, keyPrefix: names.keyPrefix });
    opened.push(cache);
    return backendsOf(store, queue, cache);
  } catch (err) {
    for (const backend of opened.reverse()) await backend.close().catch(() => undefined);
    throw err;
  }
}
