import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { METRICS } from '../metrics.js';
import { INTERRUPTED_ITERATIONS } from './executors.js';
import type { RunPlan, ScenarioPlan } from './plan.js';
import { runPlan } from './run-plan.js';
import { counterValue, listen, rateOf, trendHistogram } from './test-support.js';

const ACCOUNT = { accountSid: 'AC' + '0'.repeat(32), authToken: '0'.repeat(32) };

function plan(baseUrl: string, scenario: Partial<ScenarioPlan> & Pick<ScenarioPlan, 'executor'>): RunPlan {
  return {
    workers: 1,
    target: { baseUrl, ...ACCOUNT },
    scenarios: [
      {
        name: 'test',
        tags: { phase: 'unit' },
        startTimeMs: 0,
        gracefulStopMs: 100,
        flows: [{ flow: 'http', weight: 1, with: { path: '/', auth: 'none' } }],
        ...scenario,
      },
    ],
  };
}

describe('executors in load threads', () => {
  // Requests to /hold are answered only when the test releases them: deterministic VU use.
  const held: ServerResponse[] = [];
  let requests = 0;
  let server: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    server = await listen((req, res) => {
      requests++;
      if (req.url === '/hold') held.push(res);
      else res.end('ok');
    });
  });
  after(async () => {
    for (const res of held) res.end();
    await server.close();
  });

  it('drops arrivals that find every VU busy, counts them, and fails rate attainment', async () => {
    requests = 0;
    const result = await runPlan({
      ...plan(server.url, {
        executor: {
          type: 'constant-arrival-rate',
          rate: 20,
          timeUnitMs: 1_000,
          durationMs: 1_000,
          preAllocatedVUs: 1,
          maxVUs: 3,
        },
        flows: [{ flow: 'http', weight: 1, with: { path: '/hold', auth: 'none' } }],
      }),
    });
    const a = result.attainment[0]!;
    assert.equal(a.scheduled, 20);
    assert.equal(a.started, 3, 'the pool grew from 1 to maxVUs 3');
    assert.equal(a.dropped, 17);
    assert.equal(a.vusAllocated, 3);
    assert.equal(
      counterValue(result.metrics, METRICS.droppedIterations, { scenario: 'test', phase: 'unit' }),
      17,
    );
    // The held requests outlive the graceful stop and are interrupted, not timed.
    assert.equal(counterValue(result.metrics, INTERRUPTED_ITERATIONS), 3);
    assert.equal(a.interrupted, 3);
    assert.equal(a.ok, false, 'offered 3 of 20');
    assert.equal(requests, 3);
  });

  it('runs per-vu-iterations VUs back to back, exactly vus x iterations', async () => {
    const result = await runPlan({
      ...plan(server.url, {
        executor: { type: 'per-vu-iterations', vus: 3, iterations: 4, maxDurationMs: 5_000 },
      }),
      workers: 2,
    });
    assert.equal(counterValue(result.metrics, METRICS.iterations), 12);
    assert.equal(trendHistogram(result.metrics, METRICS.httpReqDuration, { status: '200' }).totalCount, 12);
    assert.deepEqual(rateOf(result.metrics, METRICS.httpReqFailed), { trues: 0, total: 12 });
    assert.equal(result.workers, 2, 'three VUs over two threads');
    assert.equal(result.attainment[0]!.targetRate, null);
  });

  it('splits arrivals over threads exactly and merges their windows', async () => {
    const windows: number[] = [];
    const result = await runPlan(
      {
        ...plan(server.url, {
          executor: {
            type: 'ramping-arrival-rate',
            startRate: 0,
            timeUnitMs: 1_000,
            stages: [
              { durationMs: 1_000, target: 60 },
              { durationMs: 1_000, target: 60 },
            ],
            preAllocatedVUs: 10,
            maxVUs: 20,
          },
        }),
        workers: 2,
      },
      { onWindow: (w) => windows.push(w.startMs) },
    );
    // 0→60/s over 1 s = 30, then 60 → 90 arrivals.
    assert.equal(result.attainment[0]!.scheduled, 90);
    assert.equal(counterValue(result.metrics, METRICS.iterations), 90);
    assert.equal(trendHistogram(result.metrics, METRICS.iterationDuration).totalCount, 90);
    assert.equal(result.attainment[0]!.targetRate, 60);
    assert.deepEqual(
      windows,
      [...windows].sort((x, y) => x - y),
      'windows arrive in order',
    );
    assert.deepEqual(
      result.metrics.windows.map((w) => w.startMs),
      windows,
      'every window handed to onWindow is in the run metrics',
    );
    assert.ok(windows.length >= 2);
  });

  it('stops when aborted and still reports what it measured', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runPlan(
      plan(server.url, {
        executor: {
          type: 'constant-arrival-rate',
          rate: 50,
          timeUnitMs: 1_000,
          durationMs: 10_000,
          preAllocatedVUs: 5,
          maxVUs: 5,
        },
      }),
      { signal: controller.signal },
    );
    assert.equal(result.aborted, true);
    assert.ok(result.attainment[0]!.started < 500);
    assert.equal(result.attainment[0]!.ok, false);
  });

  it('max-throughput: autocannon drives the http flow and its responses land in the same metrics', async () => {
    const result = await runPlan(
      plan(server.url, { executor: { type: 'max-throughput', connections: 2, durationMs: 1_000 } }),
    );
    const achieved = result.maxThroughput.test;
    assert.ok(achieved !== undefined && achieved.requests > 0);
    assert.equal(
      trendHistogram(result.metrics, METRICS.httpReqDuration, { scenario: 'test' }).totalCount,
      achieved.requests,
    );
    assert.deepEqual(rateOf(result.metrics, METRICS.httpReqFailed), { trues: 0, total: achieved.requests });
    assert.equal(result.workers, 0, 'no load thread for autocannon');
    assert.equal(result.attainment[0]!.targetRate, null);
  });
});
