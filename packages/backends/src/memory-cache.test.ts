import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheContract } from './contract/cache.contract.js';
import { isBackendError } from './errors.js';
import { createMemoryCache } from './memory-cache.js';
import { LocalTokenBuckets } from './token-buckets.js';

cacheContract('memory', () => createMemoryCache());

describe('createMemoryCache with a controlled clock', () => {
  it('expires exactly at the deadline', async () => {
    let now = 1_000;
    const cache = createMemoryCache({ now: () => now });
    try {
      await cache.set('k', 'v', 100);
      now = 1_099;
      assert.equal(await cache.get('k'), 'v');
      now = 1_100;
      assert.equal(await cache.get('k'), undefined);
    } finally {
      await cache.close();
    }
  });

  it('rejects a TTL that is not a positive number', async () => {
    const cache = createMemoryCache();
    try {
      for (const ttl of [0, -5, Number.NaN]) {
        await assert.rejects(cache.set('k', 'v', ttl), (e: unknown) => isBackendError(e, 'INVALID_ARGUMENT'));
        await assert.rejects(cache.incr('k', ttl), (e: unknown) => isBackendError(e, 'INVALID_ARGUMENT'));
      }
    } finally {
      await cache.close();
    }
  });
});

describe('LocalTokenBuckets', () => {
  it('grants the burst, refuses with the exact wait, and refills continuously', () => {
    const buckets = new LocalTokenBuckets();
    const t0 = 10_000;
    assert.deepEqual(buckets.take('a', 10, 2, t0), { ok: true, retryAfterMs: 0, remaining: 1 });
    assert.deepEqual(buckets.take('a', 10, 2, t0), { ok: true, retryAfterMs: 0, remaining: 0 });
    assert.deepEqual(buckets.take('a', 10, 2, t0), { ok: false, retryAfterMs: 100, remaining: 0 });
    // 40 ms at 10/s refilled 0.4 of a token: 60 ms still to wait.
    assert.deepEqual(buckets.take('a', 10, 2, t0 + 40), { ok: false, retryAfterMs: 60, remaining: 0 });
    assert.deepEqual(buckets.take('a', 10, 2, t0 + 100), { ok: true, retryAfterMs: 0, remaining: 0 });
    // A long idle time refills to the burst, never beyond it.
    assert.deepEqual(buckets.take('a', 10, 2, t0 + 60_000), { ok: true, retryAfterMs: 0, remaining: 1 });
  });

  it('ignores a clock that steps backwards', () => {
    const buckets = new LocalTokenBuckets();
    buckets.take('a', 1, 1, 5_000);
    const refused = buckets.take('a', 1, 1, 1_000);
    assert.equal(refused.ok, false);
    assert.equal(refused.retryAfterMs, 1_000);
  });

  it('stays within maxBuckets by evicting the least recently used bucket', () => {
    const buckets = new LocalTokenBuckets({ maxBuckets: 3 });
    buckets.take('a', 1, 1, 0);
    buckets.take('b', 1, 1, 0);
    buckets.take('c', 1, 1, 0);
    assert.equal(buckets.take('a', 1, 1, 0).ok, false); // 'a' is now the most recent
    buckets.take('d', 1, 1, 0); // evicts 'b'
    assert.equal(buckets.size, 3);
    assert.equal(buckets.take('a', 1, 1, 0).ok, false, "'a' was kept");
    assert.equal(buckets.take('b', 1, 1, 0).ok, true, "'b' was evicted and came back full");
  });

  it('rejects a non-positive rate or a burst below one', () => {
    const buckets = new LocalTokenBuckets();
    for (const [rate, burst] of [
      [0, 1],
      [-1, 1],
      [1, 0],
      [Number.NaN, 1],
      [1, Number.POSITIVE_INFINITY],
    ] as const) {
      assert.throws(
        () => buckets.take('k', rate, burst),
        (e: unknown) => isBackendError(e, 'INVALID_ARGUMENT'),
      );
    }
  });
});
