import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { isBackendError } from '../errors.js';
import type { Cache } from '../types.js';
import { REDIS_UNAVAILABLE_CODE, redisAddress } from './connection.js';
import { openRedisCache } from './redis-cache.js';
import { closedPort, deleteKeys, openAdminClient, REDIS_URL, runPrefix, TcpRelay } from './test-support.js';

/** Retries `attempt` until it resolves; the deadline only turns a hang into a failure. */
async function eventually<T>(attempt: () => Promise<T>, what: string, deadlineMs = 15_000): Promise<T> {
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}: ${String(error)}`);
      await delay(20);
    }
  }
}

describe('Redis connection handling', () => {
  const prefix = runPrefix('connection');
  let admin: Redis;

  before(async () => {
    admin = await openAdminClient();
  });
  after(async () => {
    await deleteKeys(admin, prefix);
    await admin.quit();
  });

  it('fails to open with a message naming the address and REDIS_URL when nothing listens', async () => {
    const port = await closedPort();
    await assert.rejects(
      openRedisCache({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1_000 }),
      (error: unknown) => {
        assert.ok(isBackendError(error, REDIS_UNAVAILABLE_CODE), String(error));
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        assert.match(error.message, /REDIS_URL/);
        return true;
      },
    );
  });

  it('refuses a URL that is not redis://, without echoing credentials', async () => {
    await assert.rejects(openRedisCache({ url: 'http://127.0.0.1:1' }), (error: unknown) =>
      isBackendError(error, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => redisAddress('not a url with secret@'),
      (error: unknown) => isBackendError(error, 'INVALID_ARGUMENT'),
    );
    assert.equal(redisAddress('redis://user:secret@cache.internal/2'), 'cache.internal:6379');
    assert.equal(redisAddress('rediss://127.0.0.1:7000'), '127.0.0.1:7000');
  });

  describe('when the server goes away and comes back', () => {
    const relay = new TcpRelay(REDIS_URL);
    let cache: Cache;

    before(async () => {
      await relay.start();
      cache = await openRedisCache({ url: relay.url, keyPrefix: prefix });
    });
    after(async () => {
      await cache.close();
      await relay.cut();
    });

    it('rejects calls at once, naming the address, then reconnects by itself', async () => {
      await cache.set('survivor', 'kept');
      await relay.cut();
      await assert.rejects(cache.get('survivor'), (error: unknown) => {
        assert.ok(isBackendError(error, REDIS_UNAVAILABLE_CODE), String(error));
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${relay.port}`));
        return true;
      });
      await assert.rejects(cache.takeToken('bucket', 1, 1), (error: unknown) =>
        isBackendError(error, REDIS_UNAVAILABLE_CODE),
      );
      await relay.restore();
      assert.equal(await eventually(() => cache.get('survivor'), 'the cache to reconnect'), 'kept');
      assert.equal(await cache.incr('after-reconnect'), 1);
    });
  });
});
