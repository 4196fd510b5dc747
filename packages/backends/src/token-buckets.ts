import { BackendError } from './errors.js';
import type { TokenTake } from './types.js';

export interface LocalTokenBucketsOptions {
  /** Most buckets kept; past it the least recently used go. Default 100,000. */
  maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  updatedAt: number;
}

/**
 * Token buckets held in this process, synchronous for the gateway's hot path. Refill is
 * continuous: a bucket gains `ratePerSec * elapsed` tokens, capped at `burst`, computed
 * lazily on take, so no timer runs per bucket.
 *
 * The map is bounded. Buckets are kept in least-recently-used order (a Map re-inserted on
 * every take), so the ones evicted first are the idle ones; an evicted bucket comes back
 * full, which is exactly what an idle bucket would have refilled to anyway.
 */
export class LocalTokenBuckets {
  readonly #maxBuckets: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: LocalTokenBucketsOptions = {}) {
    this.#maxBuckets = Math.max(1, Math.trunc(options.maxBuckets ?? 100_000));
  }

  take(key: string, ratePerSec: number, burst: number, now: number = Date.now()): TokenTake {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec) || !(burst >= 1) || !Number.isFinite(burst)) {
      throw new BackendError(
        'INVALID_ARGUMENT',
        `token bucket needs ratePerSec > 0 and burst >= 1, got ratePerSec=${ratePerSec} burst=${burst}`,
      );
    }
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedAt: now };
      if (this.#buckets.size >= this.#maxBuckets) this.#evictOldest();
    } else {
      this.#buckets.delete(key);
      // A clock that steps back must not drain or overfill the bucket.
      const elapsed = Math.max(0, now - bucket.updatedAt);
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSec) / 1_000);
      bucket.updatedAt = Math.max(bucket.updatedAt, now);
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, retryAfterMs: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1_000) / ratePerSec), remaining: 0 };
  }

  get size(): number {
    return this.#buckets.size;
  }

  clear(): void {
    this.#buckets.clear();
  }

  #evictOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (oldest.done !== true) this.#buckets.delete(oldest.value);
  }
}
