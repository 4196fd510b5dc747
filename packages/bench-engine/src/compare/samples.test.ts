import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counterOf, trendOf } from '../budgets/testing.js';
import type { MetricsWindow } from '../metrics.js';
import { runSamplesFromMetrics } from './samples.js';

test('per-second throughput and per-window p99 come from the windows; the cut-off last window is left out', () => {
  const windows: MetricsWindow[] = Array.from({ length: 10 }, (_, i) => ({
    startMs: i * 1000,
    endMs: (i + 1) * 1000,
    series: [
      counterOf('iterations', { scenario: 'a' }, 100 + i),
      counterOf('iterations', { scenario: 'b' }, 1),
      trendOf('http_req_duration', { scenario: 'a' }, [i < 5 ? 10 : 40]),
    ],
  }));
  windows.push({ startMs: 10_000, endMs: 10_300, series: [counterOf('iterations', { scenario: 'a' }, 30)] });
  const samples = runSamplesFromMetrics(
    { total: [], windows },
    { tags: { scenario: 'a' }, latencyWindowMs: 5000, calibrationThroughput: 9000 },
  );
  assert.deepEqual(
    samples.throughputPerSecond,
    Array.from({ length: 10 }, (_, i) => 100 + i),
  );
  assert.equal(samples.p99PerWindowMs.length, 2);
  assert.ok(Math.abs((samples.p99PerWindowMs[0] ?? 0) - 10) < 0.02);
  assert.ok(Math.abs((samples.p99PerWindowMs[1] ?? 0) - 40) < 0.05);
  assert.equal(samples.calibrationThroughput, 9000);
  const skipped = runSamplesFromMetrics(
    { total: [], windows },
    { tags: { scenario: 'a' }, skipFirstSeconds: 2 },
  );
  assert.equal(skipped.throughputPerSecond[0], 102);
});
