import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BenchRuntimeError } from './errors.js';
import { WeightedPicker } from './flows/registry.js';
import type { RunPlan } from './plan.js';
import { runPlan } from './run-plan.js';
import { validatePlan } from './validate.js';

function planWith(flow: string, params: Record<string, unknown> = {}): RunPlan {
  return {
    target: { baseUrl: 'http://127.0.0.1:1', accountSid: 'AC' + '0'.repeat(32), authToken: 't' },
    scenarios: [
      {
        name: 's',
        tags: {},
        startTimeMs: 0,
        gracefulStopMs: 0,
        executor: { type: 'constant-vus', vus: 1, durationMs: 100 },
        flows: [
          { flow: 'http', weight: 1, with: { path: '/' } },
          { flow, weight: 1, with: params },
        ],
      },
    ],
  };
}

function rejectsWith(plan: RunPlan, code: string, message: string | RegExp, path?: string): void {
  assert.throws(
    () => validatePlan(plan),
    (err: unknown) => {
      assert.ok(err instanceof BenchRuntimeError);
      assert.equal(err.code, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      if (path !== undefined) assert.equal(err.path, path);
      return true;
    },
  );
}

describe('plan validation', () => {
  it('refuses flows of products the lab does not have yet, naming the product', () => {
    rejectsWith(
      planWith('video.join'),
      'FLOW_UNAVAILABLE',
      'flow video.join needs the Video product, which this lab does not have yet',
      'scenarios[0].flows[1].flow',
    );
    rejectsWith(planWith('voice.call'), 'FLOW_UNAVAILABLE', /needs the Voice product/);
    rejectsWith(planWith('fax.send'), 'FLOW_UNKNOWN', /unknown flow fax\.send/);
  });

  it('runPlan fails before starting anything', async () => {
    await assert.rejects(runPlan(planWith('video.join')), { code: 'FLOW_UNAVAILABLE' });
  });

  it('verify flows check their parameters up front', () => {
    rejectsWith(planWith('verify.check'), 'FLOW_INVALID', /verify\.check needs the number/);
  });

  it('reports bad flow parameters with their path', () => {
    rejectsWith(
      planWith('sms.send', { body: 'x' }),
      'FLOW_INVALID',
      /to: required/,
      'scenarios[0].flows[1].with.to',
    );
    rejectsWith(
      planWith('sms.send', { to: '+15550001', from: '+15550002', awaitStatus: 'arrived' }),
      'FLOW_INVALID',
      /awaitStatus: must be one of/,
    );
    rejectsWith(
      planWith('http', { path: '/', colour: 'red' }),
      'FLOW_INVALID',
      /unknown key/,
      'scenarios[0].flows[1].with.colour',
    );
    rejectsWith(planWith('http', {}), 'FLOW_INVALID', /exactly one of path or url/);
  });

  it('checks executors', () => {
    const plan = planWith('http', { path: '/' });
    plan.scenarios[0]!.executor = {
      type: 'constant-arrival-rate',
      rate: 10,
      timeUnitMs: 1000,
      durationMs: 1000,
      preAllocatedVUs: 5,
      maxVUs: 2,
    };
    rejectsWith(
      plan,
      'PLAN_INVALID',
      /maxVUs: must be at least preAllocatedVUs/,
      'scenarios[0].executor.maxVUs',
    );
  });
});

describe('weighted flow choice', () => {
  it('gives every flow exactly its share, spread evenly', () => {
    const picker = new WeightedPicker(['a', 'b', 'c'], [5, 1, 1]);
    const picks = Array.from({ length: 70 }, () => picker.pick());
    assert.equal(picks.filter((p) => p === 'a').length, 50);
    assert.equal(picks.filter((p) => p === 'b').length, 10);
    assert.equal(picks.filter((p) => p === 'c').length, 10);
    // Smooth: within any 7 consecutive picks, each flow comes up exactly its weight.
    const first = picks.slice(0, 7);
    assert.equal(first.filter((p) => p === 'a').length, 5);
  });
});
