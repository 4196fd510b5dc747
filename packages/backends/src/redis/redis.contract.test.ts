import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { cacheContract } from '../contract/cache.contract.js';
import { isBackendError } from '../errors.js';
import type { BackendErrorCode } from '../errors.js';
import type { Cache } from '../types.js';
import { BUCKET_NAMESPACE, openRedisCache } from './redis-cache.js';
import { deleteKeys, openAdminClient, REDIS_URL, runPrefix } from './test-support.js';

async function rejectsWithCode(promise: Promise<unknown>, code: BackendErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isBackendError(error, code), `expected a BackendError ${code}, got ${String(error)}`);
    return true;
  });
}

describe('Redis cache', () => {
  const prefix = runPrefix('cache');
  let admin: Redis;

  before(async () => {
    admin = await openAdminClient();
  });
  after(async () => {
    await deleteKeys(admin, prefix);
    await admin.quit();
  });

  cacheContract('redis', () => openRedisCache({ url: REDIS_URL, keyPrefix: prefix }));

  describe('engine specifics', () => {
    let cache: Cache;
    let other: Cache;

    before(async () => {
      cache = await openRedisCache({ url: REDIS_URL, keyPrefix: prefix });
      // A second connection: stands in for another gateway process sharing the buckets.
      other = await openRedisCache({ url: REDIS_URL, keyPrefix: prefix });
    });
    after(async () => {
      await cache.close();
      await other.close();
    });

    it('is a redis cache storing values under the key prefix and buckets apart from them', async () => {
      assert.equal(cache.kind, 'redis');
      await cache.set('shared-name', 'value');
      assert.equal((await cache.takeToken('shared-name', 1, 3)).ok, true);
      assert.equal(await admin.get(`${prefix}shared-name`), 'value');
      assert.equal(await admin.type(`${prefix}${BUCKET_NAMESPACE}shared-name`), 'hash');
      assert.equal(await cache.get('shared-name'), 'value');
    });

    it('gives a set with a TTL a server-side expiry, and none without', async () => {
      await cache.set('ttl', 'v', 60_000);
      const ttl = await admin.pttl(`${prefix}ttl`);
      assert.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl}`);
      await cache.set('ttl', 'w');
      assert.equal(await admin.pttl(`${prefix}ttl`), -1);
      await cache.set('fractional', 'v', 0.5);
      assert.ok((await admin.pttl(`${prefix}fractional`)) !== -1, 'a fractional TTL still expires');
    });

    it('sets the TTL only when incr creates the key, even when an existing value increments to 1', async () => {
      await cache.set('zero', '0');
      assert.equal(await cache.incr('zero', 60_000), 1);
      assert.equal(await admin.pttl(`${prefix}zero`), -1, 'an existing permanent key stays permanent');
      assert.equal(await cache.incr('fresh', 60_000), 1);
      const ttl = await admin.pttl(`${prefix}fresh`);
      assert.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl}`);
    });

    it('lets a token bucket expire once it would be full again', async () => {
      await cache.takeToken('reclaimed', 10, 5);
      const ttl = await admin.pttl(`${prefix}${BUCKET_NAMESPACE}reclaimed`);
      assert.ok(ttl > 0, `bucket PTTL ${ttl}: an idle bucket must not stay forever`);
    });

    it('never grants more than the burst to parallel takes from two connections', async () => {
      const burst = 25;
      // About one token per three hours: no refill can happen while the test runs.
      const rate = 0.0001;
      const takes = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          (i % 2 === 0 ? cache : other).takeToken('contended', rate, burst),
        ),
      );
      const granted = takes.filter((take) => take.ok);
      assert.equal(granted.length, burst);
      assert.deepEqual(
        granted.map((take) => take.remaining).sort((a, b) => a - b),
        Array.from({ length: burst }, (_, i) => i),
        'each remaining count is handed out exactly once',
      );
      for (const refused of takes.filter((take) => !take.ok)) {
        assert.equal(refused.remaining, 0);
        assert.ok(
          refused.retryAfterMs > 9_000_000,
          `retryAfterMs ${refused.retryAfterMs} at 0.0001 tokens/s`,
        );
      }
    });

    it('shares one bucket between connections', async () => {
      assert.equal((await cache.takeToken('one-bucket', 0.0001, 2)).remaining, 1);
      assert.equal((await other.takeToken('one-bucket', 0.0001, 2)).remaining, 0);
      assert.equal((await cache.takeToken('one-bucket', 0.0001, 2)).ok, false);
    });

    it('rejects a bad TTL, rate or burst with INVALID_ARGUMENT', async () => {
      for (const ttl of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await rejectsWithCode(cache.set('bad', 'v', ttl), 'INVALID_ARGUMENT');
        await rejectsWithCode(cache.incr('bad', ttl), 'INVALID_ARGUMENT');
      }
      for (const [rate, burst] of [
        [0, 1],
        [-1, 1],
        [1, 0.5],
        [Number.NaN, 1],
        [1, Number.POSITIVE_INFINITY],
      ] as const) {
        await rejectsWithCode(cache.takeToken('bad', rate, burst), 'INVALID_ARGUMENT');
      }
      assert.equal(await admin.exists(`${prefix}bad`), 0);
    });

    it('reports a key of the wrong type as INVALID_ARGUMENT naming the address', async () => {
      await admin.hset(`${prefix}a-hash`, 'field', 'value');
      await assert.rejects(cache.get('a-hash'), (error: unknown) => {
        assert.ok(isBackendError(error, 'INVALID_ARGUMENT'), String(error));
        assert.match(error.message, /WRONGTYPE/);
        assert.match(error.message, new RegExp(new URL(REDIS_URL).port));
        return true;
      });
    });

    it('refuses an increment past the 64-bit range as CACHE_NOT_INTEGER', async () => {
      await cache.set('huge', '9223372036854775807');
      await rejectsWithCode(cache.incr('huge'), 'CACHE_NOT_INTEGER');
      await cache.set('huge-ttl', 'x');
      await rejectsWithCode(cache.incr('huge-ttl', 1_000), 'CACHE_NOT_INTEGER');
    });
  });

  it('closes idempotently and refuses del once closed', async () => {
    const cache = await openRedisCache({ url: REDIS_URL, keyPrefix: prefix });
    await Promise.all([cache.close(), cache.close()]);
    await cache.close();
    await rejectsWithCode(cache.del('k'), 'CACHE_CLOSED');
  });
});
