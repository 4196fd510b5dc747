import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogNormalSampler, seededRandom } from './random.js';

test('the same seed gives the same sequence', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const first = [a(), a(), a()];
  assert.deepEqual([b(), b(), b()], first);
  assert.notDeepEqual([c(), c(), c()], first);
  for (const x of first) assert.ok(x >= 0 && x < 1);
});

test('log-normal samples match the configured median and p99', () => {
  const sampler = new LogNormalSampler(20, 100, seededRandom(7));
  const samples = Array.from({ length: 20_001 }, () => sampler.next()).sort((x, y) => x - y);
  const median = samples[10_000]!;
  const p99 = samples[Math.floor(samples.length * 0.99)]!;
  assert.ok(Math.abs(median - 20) < 1, `median ${median}`);
  assert.ok(Math.abs(p99 - 100) < 10, `p99 ${p99}`);
  assert.ok(samples[0]! > 0);
});

test('degenerate latencies: zero median is always 0, p99 <= median is constant', () => {
  assert.equal(new LogNormalSampler(0, 5, seededRandom(1)).next(), 0);
  assert.equal(new LogNormalSampler(3, 3, seededRandom(1)).next(), 3);
});
