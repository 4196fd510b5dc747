import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };

  it('caps the draw at base * 2^(attempt-1), then at maxDelayMs', () => {
    const top = () => 0.999999999;
    assert.equal(retryDelayMs(policy, 1, top), 1000);
    assert.equal(retryDelayMs(policy, 2, top), 2000);
    assert.equal(retryDelayMs(policy, 4, top), 8000);
    assert.equal(retryDelayMs(policy, 7, top), 60_000);
    assert.equal(retryDelayMs(policy, 500, top), 60_000);
  });

  it('draws uniformly from zero (full jitter)', () => {
    assert.equal(
      retryDelayMs(policy, 3, () => 0),
      0,
    );
    assert.equal(
      retryDelayMs(policy, 3, () => 0.5),
      2000,
    );
  });
});
