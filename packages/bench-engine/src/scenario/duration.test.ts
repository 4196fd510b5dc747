import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';

test('k6 duration strings parse to milliseconds', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1h2m3s4ms'), 3_723_004);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('0s'), 0);
});

test('malformed durations are rejected', () => {
  for (const bad of ['', '30', 's', '30 s', '1s1m', '1s1s', '-1s', '1d', '1m30', 'ms']) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

test('formatDuration prints what parseDuration reads', () => {
  for (const ms of [0, 500, 30_000, 90_000, 3_723_004]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});
