/**
 * Opening an ioredis connection the way every Redis adapter here wants it: the first connect
 * is awaited (so a missing server fails the factory with a message naming the address), and
 * afterwards commands fail fast instead of queueing while the connection is down. ioredis
 * keeps reconnecting by itself in the background.
 */
import { Redis } from 'ioredis';
import { BackendError } from '../errors.js';
import type { BackendErrorCode } from '../errors.js';

/** The code a call rejects with when Redis cannot be reached (callers answer 503, not 500). */
export const REDIS_UNAVAILABLE_CODE: BackendErrorCode = 'CACHE_UNAVAILABLE';

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Reconnect back-off: grows by this much per attempt, capped below. */
const RECONNECT_STEP_MS = 50;
const RECONNECT_MAX_MS = 2_000;

export interface RedisConnectionOptions {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  url: string;
  /** Prefix ioredis puts on every key, e.g. 'us1:cell-1:'. Default ''. */
  keyPrefix?: string;
  /** How long one connection attempt may take, in ms. Default 5,000. */
  connectTimeoutMs?: number;
  /**
   * Longest a command may wait for its reply, in ms, before it rejects as unavailable.
   * Default: no limit (a server that accepts but never answers stalls the caller).
   */
  commandTimeoutMs?: number;
}

export interface RedisConnection {
  readonly client: Redis;
  /** host:port, without credentials: safe to put in messages. */
  readonly address: string;
  /** Wraps a failure of a command in a BackendError that names the address. */
  unavailable(cause: unknown): BackendError;
  /** Quits politely when connected, otherwise drops the socket; never rejects. */
  close(): Promise<void>;
}

export async function openRedisConnection(
  options: RedisConnectionOptions,
  role: string,
): Promise<RedisConnection> {
  const address = redisAddress(options.url);
  let lastError: unknown;
  const client = new Redis(options.url, {
    lazyConnect: true,
    keyPrefix: options.keyPrefix ?? '',
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeoutMs,
    connectionName: `twilio-lab:${role}`,
    // Fail fast while disconnected: a caller waiting on a dead cache is worse than an error.
    enableOfflineQueue: false,
    // Commands in flight when the socket drops reject at once rather than being resent after
    // the reconnect: resending an INCR or a token take could apply it twice.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // The pub/sub helper subscribes again itself, so it knows when the channels are back.
    autoResubscribe: false,
    retryStrategy: (attempt) => Math.min(attempt * RECONNECT_STEP_MS, RECONNECT_MAX_MS),
  });
  // Without a listener ioredis prints every reconnect failure; the last one explains rejections.
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new BackendError(
      REDIS_UNAVAILABLE_CODE,
      `Redis did not answer at ${address} (set REDIS_URL, or run \`npx twilio-lab infra start\`): ${describe(lastError ?? error)}`,
      { cause: lastError ?? error },
    );
  }
  return {
    client,
    address,
    unavailable: (cause) =>
      new BackendError(
        REDIS_UNAVAILABLE_CODE,
        `Redis at ${address} is unavailable (${client.status}): ${describe(cause)}`,
        { cause },
      ),
    close: async () => {
      if (client.status === 'ready') {
        try {
          await client.quit();
          return;
        } catch {
          // Lost while quitting: dropping the socket below is all that is left to do.
        }
      }
      client.disconnect();
    },
  };
}

/** host:port of a redis:// URL, default port 6379, credentials left out. */
export function redisAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BackendError('INVALID_ARGUMENT', `not a Redis URL: '${url.replace(/\/\/[^@/]*@/, '//***@')}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new BackendError(
      'INVALID_ARGUMENT',
      `a Redis URL starts with redis:// or rediss://, got '${parsed.protocol}'`,
    );
  }
  return `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
