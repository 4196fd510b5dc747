import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunMetrics } from '../metrics.js';
import { evaluateIncremental, evaluateThresholds } from './evaluate.js';
import type { Threshold } from './evaluate.js';
import { parseThresholdExpression } from './expression.js';
import { parseSelector } from './selector.js';
import { counterOf, rateOf, secondWindows, trendOf } from './testing.js';

function threshold(selector: string, expression: string, options: Partial<Threshold> = {}): Threshold {
  return {
    selector: parseSelector(selector),
    expression: parseThresholdExpression(expression),
    abortOnFail: false,
    delayAbortEvalMs: 0,
    ...options,
  };
}

const oneToThousand = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms

/** Within HDR's 3-significant-digit quantisation (0.1 %). */
function near(actual: number | null, expected: number): void {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= expected * 0.001 + 0.001,
    `${actual} ≉ ${expected}`,
  );
}

test('trend aggregations match the known distribution 1..1000 ms', () => {
  const metrics: RunMetrics = {
    total: [trendOf('http_req_duration', { scenario: 's' }, oneToThousand)],
    windows: [],
  };
  const results = evaluateThresholds(
    ['p(99)<1000', 'p(50)<400', 'avg<501', 'min>=1', 'med<=500.5', 'max<1000', 'count==1000'].map((e) =>
      threshold('http_req_duration', e),
    ),
    metrics,
  );
  near(results[0]?.observed ?? null, 990);
  assert.equal(results[0]?.ok, true);
  near(results[1]?.observed ?? null, 500);
  assert.equal(results[1]?.ok, false);
  near(results[2]?.observed ?? null, 500.5);
  assert.equal(results[2]?.ok, true);
  near(results[3]?.observed ?? null, 1);
  near(results[4]?.observed ?? null, 500);
  near(results[5]?.observed ?? null, 1000);
  assert.equal(results[5]?.ok, false, 'max 1000 is not < 1000');
  assert.equal(results[6]?.observed, 1000);
  assert.equal(results[6]?.ok, true);
  assert.deepEqual(
    results.map((r) => r.expression),
    ['p(99)<1000', 'p(50)<400', 'avg<501', 'min>=1', 'med<=500.5', 'max<1000', 'count==1000'],
  );
});

test('a selector merges every series whose tags include its tags', () => {
  const metrics: RunMetrics = {
    total: [
      trendOf('http_req_duration', { scenario: 'a', status: '201' }, [10, 10, 10]),
      trendOf('http_req_duration', { scenario: 'a', status: '500' }, [900]),
      trendOf('http_req_duration', { scenario: 'b', status: '201' }, [5000]),
      rateOf('http_req_failed', { scenario: 'a' }, 1, 100),
      rateOf('http_req_failed', { scenario: 'b' }, 9, 100),
      counterOf('iterations', { scenario: 'a' }, 30),
      counterOf('iterations', { scenario: 'b' }, 10),
    ],
    windows: secondWindows([[], [], [], [], [], [], [], [], [], []]), // 10 s
  };
  const [aMax, allMax, aFailed, allFailed, itersRate, itersCount] = evaluateThresholds(
    [
      threshold('http_req_duration{scenario:a}', 'max<1000'),
      threshold('http_req_duration', 'max<1000'),
      threshold('http_req_failed{scenario:a}', 'rate<0.02'),
      threshold('http_req_failed', 'rate<0.02'),
      threshold('iterations', 'rate>=4'),
      threshold('iterations{scenario:b}', 'count==10'),
    ],
    metrics,
  );
  near(aMax?.observed ?? null, 900);
  assert.equal(aMax?.ok, true);
  near(allMax?.observed ?? null, 5000);
  assert.equal(allMax?.ok, false);
  assert.equal(aFailed?.observed, 0.01);
  assert.equal(allFailed?.observed, 0.05);
  assert.equal(allFailed?.ok, false);
  assert.equal(itersRate?.observed, 4, '40 iterations over 10 s');
  assert.equal(itersRate?.ok, true);
  assert.equal(itersCount?.ok, true);
});

test('no samples: counters read 0, trends and rates fail loudly', () => {
  const metrics: RunMetrics = { total: [], windows: secondWindows([[]]) };
  const [lost, latency, failed, typo] = evaluateThresholds(
    [
      threshold('messages_lost', 'count==0'),
      threshold('http_req_duration{scenario:nope}', 'p(99)<200'),
      threshold('http_req_failed', 'rate<0.01'),
      threshold('htp_req_duration', 'p(99)<200'),
    ],
    metrics,
  );
  assert.equal(lost?.ok, true);
  assert.equal(lost?.observed, 0);
  for (const result of [latency, failed, typo]) {
    assert.equal(result?.ok, false);
    assert.equal(result?.observed, null);
    assert.equal(result?.reason, 'no samples matched the selector');
  }
});

test('an aggregation that does not fit the recorded type fails with a reason', () => {
  const metrics: RunMetrics = { total: [rateOf('custom', {}, 1, 2)], windows: [] };
  const [result] = evaluateThresholds([threshold('custom', 'p(99)<1')], metrics);
  assert.equal(result?.ok, false);
  assert.equal(result?.reason, "'p(N)' does not apply to a rate metric");
});

// Ten one-second windows; second 6 holds a 1.5 s stall, the others 10 ms samples.
function stallRun(): RunMetrics {
  const windows = secondWindows(
    Array.from({ length: 10 }, (_, i) => [
      trendOf('http_req_duration', { scenario: 's' }, i === 6 ? [10, 1500] : [10, 10, 10]),
      rateOf('http_req_failed', { scenario: 's' }, i === 6 ? 1 : 0, 10),
    ]),
  );
  return {
    total: [trendOf('http_req_duration', { scenario: 's' }, [...Array(27).fill(10), 10, 1500])],
    windows,
  };
}

test('sliding windows: every window of the width is checked and the worst is reported', () => {
  const metrics = stallRun();
  const [whole, windowed, failedWindowed, wide] = evaluateThresholds(
    [
      threshold('http_req_duration', 'p(95)<1000'), // whole run: the stall is < 5 % of samples
      threshold('http_req_duration', 'p(95)<1000', { windowMs: 3000 }),
      threshold('http_req_failed', 'rate<0.05', { windowMs: 2000 }),
      threshold('http_req_duration', 'p(95)<1000', { windowMs: 60_000 }), // wider than the run
    ],
    metrics,
  );
  assert.equal(whole?.ok, true);
  assert.equal(windowed?.ok, false);
  // Windows [4,7), [5,8), [6,9) contain the stall; 8 windows of 3 s fit in 10 s.
  assert.equal(windowed?.window?.evaluated, 8);
  assert.equal(windowed?.window?.failed, 3);
  assert.equal(windowed?.window?.worst?.startMs, 4000);
  assert.equal(windowed?.window?.worst?.endMs, 7000);
  near(windowed?.observed ?? null, 1500);
  // 1 failure in 20 requests = 0.05 in both 2 s windows that hold second 6.
  assert.equal(failedWindowed?.ok, false);
  assert.equal(failedWindowed?.window?.failed, 2);
  assert.equal(failedWindowed?.observed, 0.05);
  // A run shorter than the window is evaluated once, as a whole.
  assert.equal(wide?.window?.evaluated, 1);
  assert.equal(wide?.ok, true);
});

test('windowed: quiet windows with no samples are skipped, not failed', () => {
  const windows = secondWindows([[], [trendOf('iteration_duration', {}, [5])], [], []]);
  const [result] = evaluateThresholds([threshold('iteration_duration', 'max<10', { windowMs: 1000 })], {
    total: [],
    windows,
  });
  assert.equal(result?.ok, true);
  assert.equal(result?.window?.evaluated, 1);
});

test('evaluateIncremental: abortOnFail thresholds only, after delayAbortEval, latest window', () => {
  const { windows } = stallRun();
  const abortable = threshold('http_req_duration', 'max<1000', { abortOnFail: true, delayAbortEvalMs: 3000 });
  const windowed = threshold('http_req_duration', 'p(95)<1000', { abortOnFail: true, windowMs: 2000 });
  const passive = threshold('http_req_duration', 'max<1', {});
  assert.deepEqual(evaluateIncremental([abortable, windowed, passive], []), { abort: false, results: [] });
  // After 2 s: the delayed one waits, the windowed one passes, the passive one is never checked.
  const early = evaluateIncremental([abortable, windowed, passive], windows.slice(0, 2));
  assert.equal(early.abort, false);
  assert.deepEqual(
    early.results.map((r) => [r.expression, r.ok]),
    [['p(95)<1000', true]],
  );
  // After 7 s the stall is in: both fail.
  const late = evaluateIncremental([abortable, windowed, passive], windows.slice(0, 7));
  assert.equal(late.abort, true);
  assert.deepEqual(
    late.results.map((r) => [r.expression, r.ok]),
    [
      ['max<1000', false],
      ['p(95)<1000', false],
    ],
  );
  // The windowed check looks at the latest 2 s only: by second 9 the stall has left it.
  const after = evaluateIncremental([windowed], windows.slice(0, 9));
  assert.equal(after.abort, false);
  assert.equal(after.results[0]?.window?.worst?.startMs, 7000);
});
