import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VuPool } from './vu-pool.js';

describe('VU pool (k6 semantics)', () => {
  it('uses pre-allocated VUs, grows to maxVUs, then drops and counts', () => {
    const pool = new VuPool(2, 3);
    assert.equal(pool.allocated, 2);
    assert.equal(pool.tryAcquire(), true);
    assert.equal(pool.tryAcquire(), true);
    assert.equal(pool.tryAcquire(), true, 'grows to the third VU');
    assert.equal(pool.allocated, 3);
    assert.equal(pool.tryAcquire(), false);
    assert.equal(pool.tryAcquire(), false);
    assert.equal(pool.dropped, 2);
    pool.release();
    assert.equal(pool.tryAcquire(), true, 'a released VU is reused');
    assert.equal(pool.allocated, 3, 'without growing past maxVUs');
    assert.equal(pool.dropped, 2);
  });

  it('never allocates more than maxVUs even if preAllocated is larger', () => {
    const pool = new VuPool(5, 1);
    assert.equal(pool.tryAcquire(), true);
    assert.equal(pool.tryAcquire(), false);
    assert.equal(pool.dropped, 1);
  });
});
