import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from './compare.js';
import { mannWhitneyU, median, normalCdf } from './mann-whitney.js';
import type { RunSamples } from './samples.js';

/** Deterministic PRNG (mulberry32) so the synthetic runs are the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` samples of `center` with uniform relative noise of ±`noise`. */
function noisy(seed: number, count: number, center: number, noise: number): number[] {
  const next = random(seed);
  return Array.from({ length: count }, () => center * (1 + noise * (2 * next() - 1)));
}

function run(seed: number, throughput: number, p99: number, calibration: number, noise = 0.03): RunSamples {
  return {
    throughputPerSecond: noisy(seed, 60, throughput, noise),
    p99PerWindowMs: noisy(seed + 1, 12, p99, noise),
    calibrationThroughput: calibration,
  };
}

test('Mann-Whitney U: the textbook case and the degenerate ones', () => {
  const separated = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(separated.u, 0);
  // Normal approximation with continuity correction: z = -12/sqrt(22.9167).
  assert.ok(Math.abs(separated.z - -2.5067) < 1e-3, String(separated.z));
  assert.ok(Math.abs(separated.pValue - 0.01219) < 1e-4, String(separated.pValue));
  // Ties take average ranks and shrink the variance.
  const tied = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
  assert.equal(tied.u, 2.5);
  assert.deepEqual(mannWhitneyU([3, 3, 3], [3, 3, 3]), { u: 4.5, z: 0, pValue: 1 });
  assert.deepEqual(mannWhitneyU([], [1]), { u: 0, z: 0, pValue: 1 });
  assert.ok(Math.abs(normalCdf(1.96) - 0.975) < 1e-4);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test('identical distributions pass', () => {
  const result = compareRuns(run(1, 1000, 20, 50_000), run(2, 1000, 20, 50_000));
  assert.equal(result.verdict, 'pass', result.reasons.join('; '));
  assert.equal(result.normalised, true);
});

test('a 30% slowdown fails, on throughput and on p99', () => {
  const baseline = run(3, 1000, 20, 50_000);
  const slower = compareRuns(baseline, run(4, 700, 20, 50_000));
  assert.equal(slower.verdict, 'fail');
  assert.equal(slower.metrics[0]?.metric, 'throughput');
  assert.equal(slower.metrics[0]?.verdict, 'fail');
  assert.ok(Math.abs((slower.metrics[0]?.relativeChange ?? 0) - -0.3) < 0.03);
  assert.match(slower.reasons.join('\n'), /throughput: regressed -3\d\.\d%/);
  const laggier = compareRuns(baseline, run(5, 1000, 26, 50_000));
  assert.equal(laggier.verdict, 'fail');
  assert.equal(laggier.metrics[1]?.metric, 'latency_p99');
  assert.equal(laggier.metrics[1]?.verdict, 'fail');
});

test('noise within ±5% does not fail', () => {
  for (let seed = 10; seed < 30; seed += 2) {
    const result = compareRuns(run(seed, 1000, 20, 50_000, 0.05), run(seed + 1, 1000, 20, 50_000, 0.05));
    assert.notEqual(result.verdict, 'fail', `seed ${seed}: ${result.reasons.join('; ')}`);
  }
  // A real but small (2 %) shift is significant with 60 samples, yet below the effect size.
  const small = compareRuns(run(40, 1000, 20, 50_000, 0.01), run(41, 980, 20, 50_000, 0.01));
  assert.ok((small.metrics[0]?.pValue ?? 1) < 0.05);
  assert.equal(small.metrics[0]?.verdict, 'pass');
});

test('throughput is normalised by calibration: a slower machine is not a regression', () => {
  // The current machine is 30 % slower across the board, calibration included.
  const result = compareRuns(run(50, 1000, 20, 50_000), run(51, 700, 20, 35_000));
  assert.equal(result.metrics[0]?.verdict, 'pass', result.reasons.join('; '));
  // Without calibration the same numbers are a regression, and the report says why.
  const { calibrationThroughput: _a, ...rawBaseline } = run(50, 1000, 20, 50_000);
  const { calibrationThroughput: _b, ...rawCurrent } = run(51, 700, 20, 35_000);
  const raw = compareRuns(rawBaseline, rawCurrent);
  assert.equal(raw.normalised, false);
  assert.equal(raw.verdict, 'fail');
  assert.match(raw.reasons[0] ?? '', /no calibration throughput/);
});

test('a 7% regression warns; thresholds are configurable; too few samples warns', () => {
  const baseline = run(60, 1000, 20, 50_000, 0.01);
  const current = run(61, 930, 20, 50_000, 0.01);
  assert.equal(compareRuns(baseline, current).verdict, 'warn');
  assert.equal(compareRuns(baseline, current, { failEffect: 0.06 }).verdict, 'fail');
  assert.equal(compareRuns(baseline, current, { warnEffect: 0.2, failEffect: 0.3 }).verdict, 'pass');
  const short = compareRuns({ ...baseline, p99PerWindowMs: [20, 20] }, current);
  assert.equal(short.metrics[1]?.verdict, 'warn');
  assert.match(short.metrics[1]?.reason ?? '', /too few samples/);
});
