/**
 * The Redis Cache: get/set/del/incr map onto single commands (or one Lua script), token
 * buckets live server side so every gateway process shares them. Values are stored at
 * `keyPrefix + key`; buckets at `keyPrefix + BUCKET_NAMESPACE + key`, apart from values as
 * in the memory cache, so `set('x')` and `takeToken('x')` never meet.
 */
import type { Redis } from 'ioredis';
import { BackendError } from '../errors.js';
import type { Cache, TokenTake } from '../types.js';
import { openRedisConnection } from './connection.js';
import type { RedisConnection, RedisConnectionOptions } from './connection.js';
import { CACHE_SCRIPT_DEFINITIONS } from './scripts.js';
import type { CacheScripts, TakeTokenReply } from './scripts.js';

export type RedisCacheOptions = RedisConnectionOptions;

/** Where token buckets live under the key prefix. '~' keeps them out of ordinary key names. */
export const BUCKET_NAMESPACE = '~bucket:';

export async function openRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const connection = await openRedisConnection(options, 'cache');
  for (const [name, definition] of Object.entries(CACHE_SCRIPT_DEFINITIONS)) {
    connection.client.defineCommand(name, definition);
  }
  return new RedisCache(connection);
}

class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly #connection: RedisConnection;
  // defineCommand adds methods ioredis' types cannot know about; CacheScripts names them.
  readonly #client: Redis & CacheScripts;
  #closing: Promise<void> | undefined;

  constructor(connection: RedisConnection) {
    this.#connection = connection;
    this.#client = connection.client as Redis & CacheScripts;
  }

  get(key: string): Promise<string | undefined> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    return this.#client.get(key).then(nullToUndefined, this.#fail);
  }

  set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    if (ttlMs === undefined) return this.#client.set(key, value).then(ignore, this.#fail);
    if (!validTtl(ttlMs)) return Promise.reject(ttlError(ttlMs));
    return this.#client.set(key, value, 'PX', wholeMs(ttlMs)).then(ignore, this.#fail);
  }

  del(key: string): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    return this.#client.del(key).then(ignore, this.#fail);
  }

  incr(key: string, ttlMs?: number): Promise<number> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    if (ttlMs === undefined)
      return this.#client.incr(key).then(undefined, (error: unknown) => this.#incrFailed(key, error));
    if (!validTtl(ttlMs)) return Promise.reject(ttlError(ttlMs));
    return this.#client
      .twilioLabIncrWithTtl(key, wholeMs(ttlMs))
      .then(undefined, (error: unknown) => this.#incrFailed(key, error));
  }

  takeToken(key: string, ratePerSec: number, burst: number): Promise<TokenTake> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec) || !(burst >= 1) || !Number.isFinite(burst)) {
      return Promise.reject(
        new BackendError(
          'INVALID_ARGUMENT',
          `token bucket needs ratePerSec > 0 and burst >= 1, got ratePerSec=${ratePerSec} burst=${burst}`,
        ),
      );
    }
    return this.#client
      .twilioLabTakeToken(BUCKET_NAMESPACE + key, ratePerSec, burst)
      .then(toTokenTake, this.#fail);
  }

  close(): Promise<void> {
    this.#closing ??= this.#connection.close();
    return this.#closing;
  }

  #incrFailed(key: string, error: unknown): never {
    if (error instanceof Error && NOT_INTEGER.test(error.message)) {
      throw new BackendError('CACHE_NOT_INTEGER', `cannot increment '${key}': its value is not an integer`, {
        cause: error,
      });
    }
    return this.#fail(error);
  }

  /** One bound function for every command's rejection, so no closure is made per call. */
  readonly #fail = (error: unknown): never => {
    if (this.#closing !== undefined) throw closedError();
    // A reply error means Redis answered: the connection is fine, the command was refused
    // (e.g. WRONGTYPE when something else wrote that key).
    if (error instanceof Error && error.name === 'ReplyError' && !SERVER_NOT_SERVING.test(error.message)) {
      throw new BackendError(
        'INVALID_ARGUMENT',
        `Redis at ${this.#connection.address} refused: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw this.#connection.unavailable(error);
  };
}

/** Reply errors that say the server cannot serve right now, not that the command was wrong. */
const SERVER_NOT_SERVING = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/** INCR's refusal, raised directly or from inside the script. */
const NOT_INTEGER = /not an integer|would overflow/;

function nullToUndefined(value: string | null): string | undefined {
  return value ?? undefined;
}

function ignore(): void {}

function toTokenTake(reply: TakeTokenReply): TokenTake {
  return { ok: reply[0] === 1, retryAfterMs: reply[1], remaining: reply[2] };
}

function validTtl(ttlMs: number): boolean {
  return ttlMs > 0 && Number.isFinite(ttlMs);
}

/** PX takes whole milliseconds; rounding up keeps a fractional TTL from becoming 0. */
function wholeMs(ttlMs: number): number {
  return Math.ceil(ttlMs);
}

function ttlError(ttlMs: number | undefined): BackendError {
  return new BackendError(
    'INVALID_ARGUMENT',
    `ttlMs must be a positive number of milliseconds, got ${ttlMs}`,
  );
}

function closedError(): BackendError {
  return new BackendError('CACHE_CLOSED', 'the cache is closed');
}
