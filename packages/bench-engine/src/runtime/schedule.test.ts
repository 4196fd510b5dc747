import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ArrivalRateExecutor } from './plan.js';
import {
  arrivalCount,
  arrivalTimes,
  cumulativeArrivals,
  rateAt,
  shareCount,
  steadyIntervals,
} from './schedule.js';

const constant = (rate: number, durationMs: number, timeUnitMs = 1000): ArrivalRateExecutor => ({
  type: 'constant-arrival-rate',
  rate,
  timeUnitMs,
  durationMs,
  preAllocatedVUs: 1,
  maxVUs: 1,
});

describe('arrival schedules', () => {
  it('spaces a constant rate evenly from the start, with exactly rate x duration arrivals', () => {
    const e = constant(500, 5_000);
    const times = [...arrivalTimes(e)];
    assert.equal(arrivalCount(e), 2_500);
    assert.equal(times.length, 2_500);
    assert.equal(times[0], 0);
    assert.ok(Math.abs(times[1]! - 2) < 1e-9);
    assert.ok(Math.abs(times[2_499]! - 4_998) < 1e-6);
  });

  it('honours timeUnit and rounds a fractional total up (the arrival at N(t)=k before the end)', () => {
    assert.equal(arrivalCount(constant(30, 2_000, 60_000)), 1);
    assert.equal(arrivalCount(constant(3, 1_500)), 5); // 4.5 due → arrivals at 0, 333, 667, 1000, 1333
    assert.deepEqual(
      [...arrivalTimes(constant(3, 1_500))].map((t) => Math.round(t)),
      [0, 333, 667, 1000, 1333],
    );
  });

  it('interpolates a ramp linearly (k6 ramping-arrival-rate): N(t) grows quadratically', () => {
    const ramp: ArrivalRateExecutor = {
      type: 'ramping-arrival-rate',
      startRate: 0,
      timeUnitMs: 1000,
      stages: [
        { durationMs: 10_000, target: 10 },
        { durationMs: 5_000, target: 10 },
        { durationMs: 5_000, target: 0 },
      ],
      preAllocatedVUs: 1,
      maxVUs: 1,
    };
    // 0→10/s over 10 s: 50; flat 10/s for 5 s: 50; 10→0 over 5 s: 25.
    assert.equal(arrivalCount(ramp), 125);
    const times = [...arrivalTimes(ramp)];
    assert.equal(times.length, 125);
    times.forEach((t, k) => {
      assert.ok(Math.abs(cumulativeArrivals(ramp, t) - k) < 1e-6, `N(t_${k}) = ${k}`);
      if (k > 0) assert.ok(t > times[k - 1]!, 'strictly increasing');
    });
    // First stage: rate(t) = t per second, so N(t) = t²/2 and arrival k is at √(2k) s.
    assert.ok(Math.abs(times[20]! - Math.sqrt(40) * 1000) < 1e-6);
    // The flat stage starts at N = 50, 10 s: arrivals every 100 ms.
    assert.ok(Math.abs(times[50]! - 10_000) < 1e-6);
    assert.ok(Math.abs(times[51]! - 10_100) < 1e-6);
  });

  it('splits a schedule across workers round robin: exact shares that make up the whole', () => {
    const e = constant(1_000, 1_003);
    const whole = [...arrivalTimes(e)];
    const workers = 3;
    const shares = Array.from({ length: workers }, (_, index) => [
      ...arrivalTimes(e, { index, of: workers }),
    ]);
    assert.deepEqual(
      shares.map((s) => s.length),
      Array.from({ length: workers }, (_, i) => shareCount(whole.length, i, workers)),
    );
    assert.equal(
      shares.reduce((n, s) => n + s.length, 0),
      whole.length,
    );
    const merged = shares.flat().sort((a, b) => a - b);
    assert.deepEqual(merged, whole);
    assert.ok(Math.max(...shares.map((s) => s.length)) - Math.min(...shares.map((s) => s.length)) <= 1);
  });

  it('reports the steady part and the rate at an instant', () => {
    const ramp: ArrivalRateExecutor = {
      type: 'ramping-arrival-rate',
      startRate: 0,
      timeUnitMs: 1000,
      stages: [
        { durationMs: 2_000, target: 100 },
        { durationMs: 3_000, target: 100 },
      ],
      preAllocatedVUs: 1,
      maxVUs: 1,
    };
    assert.deepEqual(steadyIntervals(ramp), [{ startMs: 2_000, endMs: 5_000 }]);
    assert.equal(rateAt(ramp, 1_000), 50);
    assert.equal(rateAt(ramp, 4_000), 100);
    assert.deepEqual(steadyIntervals(constant(5, 1_000)), [{ startMs: 0, endMs: 1_000 }]);
  });
});
