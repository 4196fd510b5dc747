/**
 * The Cache contract: one suite every Cache implementation must pass (the in-process map
 * today, the Redis adapter later). Keys are unique per test so a shared server works.
 * Expiry is checked by waiting well past a short TTL: the waits only make expiry certain,
 * nothing asserts how long anything took.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isBackendError } from '../errors.js';
import type { BackendErrorCode } from '../errors.js';
import type { Cache } from '../types.js';
import { uniqueSuffix } from './wait.js';

export type CacheFactory = () => Cache | Promise<Cache>;

const SHORT_TTL_MS = 30;
const WELL_PAST_SHORT_TTL_MS = 120;

async function rejectsWithCode(promise: Promise<unknown>, code: BackendErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isBackendError(error, code), `expected a BackendError ${code}, got ${String(error)}`);
    return true;
  });
}

export function cacheContract(name: string, factory: CacheFactory): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    let prefix: string;

    beforeEach(async () => {
      cache = await factory();
      prefix = `contract:${uniqueSuffix()}:`;
    });
    afterEach(async () => {
      await cache.close();
    });

    it('sets, gets, overwrites and deletes', async () => {
      const key = `${prefix}k`;
      assert.equal(await cache.get(key), undefined);
      await cache.set(key, 'one');
      assert.equal(await cache.get(key), 'one');
      await cache.set(key, 'two');
      assert.equal(await cache.get(key), 'two');
      await cache.del(key);
      assert.equal(await cache.get(key), undefined);
      await cache.del(key); // deleting a missing key is fine
    });

    it('expires a key after its TTL; a set without TTL makes it permanent again', async () => {
      await cache.set(`${prefix}short`, 'v', SHORT_TTL_MS);
      await cache.set(`${prefix}long`, 'v', 60_000);
      await cache.set(`${prefix}renewed`, 'v', SHORT_TTL_MS);
      await cache.set(`${prefix}renewed`, 'w');
      assert.equal(await cache.get(`${prefix}long`), 'v');
      await delay(WELL_PAST_SHORT_TTL_MS);
      assert.equal(await cache.get(`${prefix}short`), undefined);
      assert.equal(await cache.get(`${prefix}long`), 'v');
      assert.equal(await cache.get(`${prefix}renewed`), 'w');
    });

    it('increments atomically under concurrency', async () => {
      const key = `${prefix}counter`;
      const results = await Promise.all(Array.from({ length: 200 }, () => cache.incr(key)));
      assert.deepEqual(
        [...results].sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      assert.equal(await cache.get(key), '200');
    });

    it('sets the TTL when incr creates the key and keeps it on later increments', async () => {
      const key = `${prefix}window`;
      assert.equal(await cache.incr(key, SHORT_TTL_MS), 1);
      assert.equal(await cache.incr(key), 2);
      assert.equal(await cache.incr(key, 60_000), 3);
      await delay(WELL_PAST_SHORT_TTL_MS);
      assert.equal(await cache.get(key), undefined);
      assert.equal(await cache.incr(key), 1);
    });

    it('refuses to increment a value that is not an integer', async () => {
      const key = `${prefix}text`;
      await cache.set(key, 'hello');
      await rejectsWithCode(cache.incr(key), 'CACHE_NOT_INTEGER');
      assert.equal(await cache.get(key), 'hello');
    });

    it('grants the burst, then refuses with a retry time of about one token', async () => {
      const key = `${prefix}bucket`;
      const takes = [];
      for (let i = 0; i < 5; i++) takes.push(await cache.takeToken(key, 1, 5));
      assert.deepEqual(
        takes.map((t) => [t.ok, t.remaining]),
        [
          [true, 4],
          [true, 3],
          [true, 2],
          [true, 1],
          [true, 0],
        ],
      );
      const refused = await cache.takeToken(key, 1, 5);
      assert.equal(refused.ok, false);
      assert.equal(refused.remaining, 0);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 1_000,
        `retryAfterMs ${refused.retryAfterMs} is not within one token's refill time`,
      );
      const other = await cache.takeToken(`${prefix}other-bucket`, 1, 5);
      assert.equal(other.ok, true, 'buckets are per key');
    });

    it('refills a bucket with time', async () => {
      const key = `${prefix}refill`;
      assert.equal((await cache.takeToken(key, 50, 1)).ok, true);
      const refused = await cache.takeToken(key, 50, 1);
      assert.equal(refused.ok, false);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 20,
        `retryAfterMs ${refused.retryAfterMs}`,
      );
      await delay(refused.retryAfterMs + 40);
      assert.equal((await cache.takeToken(key, 50, 1)).ok, true);
    });

    it('refuses every call with CACHE_CLOSED once closed', async () => {
      await cache.close();
      await rejectsWithCode(cache.get(`${prefix}k`), 'CACHE_CLOSED');
      await rejectsWithCode(cache.set(`${prefix}k`, 'v'), 'CACHE_CLOSED');
      await rejectsWithCode(cache.incr(`${prefix}k`), 'CACHE_CLOSED');
      await rejectsWithCode(cache.takeToken(`${prefix}k`, 1, 1), 'CACHE_CLOSED');
    });
  });
}
