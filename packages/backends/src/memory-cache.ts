/**
 * The embedded Cache: a Map with per-key expiry plus token buckets. Expiry is lazy (a read
 * past the deadline deletes the key) and a periodic sweep reclaims keys nobody reads again;
 * the sweep timer is unref'd so it never keeps the process alive.
 */
import { BackendError } from './errors.js';
import { LocalTokenBuckets } from './token-buckets.js';
import type { Cache, TokenTake } from './types.js';

export interface MemoryCacheOptions {
  /** How often expired keys are swept, in ms. Default 5,000. */
  sweepIntervalMs?: number;
  /** Most token buckets kept (least recently used go first). Default 100,000. */
  maxBuckets?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

interface Entry {
  value: string;
  /** Epoch ms; Infinity when the key never expires. */
  expiresAt: number;
}

export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  return new MemoryCache(options);
}

class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #buckets: LocalTokenBuckets;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(options: MemoryCacheOptions) {
    this.#now = options.now ?? Date.now;
    this.#buckets = new LocalTokenBuckets({ maxBuckets: options.maxBuckets });
    this.#sweeper = setInterval(this.#sweep, Math.max(10, options.sweepIntervalMs ?? 5_000));
    this.#sweeper.unref();
  }

  get(key: string): Promise<string | undefined> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#live(key)?.value);
  }

  set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (!validTtl(ttlMs)) return Promise.reject(ttlError(ttlMs));
    this.#entries.set(key, { value, expiresAt: this.#deadline(ttlMs) });
    return Promise.resolve();
  }

  del(key: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    this.#entries.delete(key);
    return Promise.resolve();
  }

  incr(key: string, ttlMs?: number): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    if (!validTtl(ttlMs)) return Promise.reject(ttlError(ttlMs));
    const entry = this.#live(key);
    if (entry === undefined) {
      this.#entries.set(key, { value: '1', expiresAt: this.#deadline(ttlMs) });
      return Promise.resolve(1);
    }
    const current = Number(entry.value);
    if (!Number.isSafeInteger(current) || entry.value.trim() === '') {
      return Promise.reject(
        new BackendError('CACHE_NOT_INTEGER', `cannot increment '${key}': its value is not an integer`),
      );
    }
    // Like Redis INCR: an existing key keeps its expiry.
    entry.value = String(current + 1);
    return Promise.resolve(current + 1);
  }

  takeToken(key: string, ratePerSec: number, burst: number): Promise<TokenTake> {
    if (this.#closed) return Promise.reject(closedError());
    try {
      return Promise.resolve(this.#buckets.take(key, ratePerSec, burst, this.#now()));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#sweeper);
      this.#entries.clear();
      this.#buckets.clear();
    }
    return Promise.resolve();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #deadline(ttlMs: number | undefined): number {
    return ttlMs === undefined ? Infinity : this.#now() + ttlMs;
  }

  readonly #sweep = (): void => {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  };
}

function validTtl(ttlMs: number | undefined): boolean {
  return ttlMs === undefined || (ttlMs > 0 && Number.isFinite(ttlMs));
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
