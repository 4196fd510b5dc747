import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, parseScenario } from './parse.js';
import { ScenarioError } from './errors.js';

const VALID = `
name: sms-storm
description: ramp to 200 msg/s
lab: { mode: embedded, profile: lab }
setup: { numbersPerAccount: 5, messagingServices: 1 }
scenarios:
  storm:
    executor: ramping-arrival-rate
    startRate: 10
    preAllocatedVUs: 50
    maxVUs: 500
    startTime: 5s
    stages:
      - { duration: 30s, target: 200 }
      - { duration: 1m30s, target: 200 }
    tags: { phase: peak, region: us1 }
    flow: sms.send
    with: { to: '+15005550006', from: '+15005550001', timeout: 10s }
  mix:
    executor: constant-vus
    vus: 5
    duration: 1m
    flows:
      - { flow: http, weight: 3, with: { path: /healthz } }
      - { flow: video.join, with: { room: r1, publishers: 2 } }
  steady:
    executor: constant-arrival-rate
    rate: 50
    timeUnit: 500ms
    duration: 20s
    preAllocatedVUs: 10
    flow: http
    with: { method: POST, url: 'http://127.0.0.1:1/x', form: { a: 1 }, expectStatus: [200, 201] }
  each:
    executor: per-vu-iterations
    vus: 2
    flow: verify.start
  flat-out:
    executor: max-throughput
    duration: 10s
    connections: 20
    flow: http
    with: { path: /healthz }
thresholds:
  'http_req_duration{scenario:storm,phase:peak}':
    - 'p(99)<200'
    - { threshold: 'max<2000', abortOnFail: true, delayAbortEval: 10s, window: 10s }
  http_req_failed: ['rate<0.01']
  messages_lost: ['count==0']
faults:
  - { at: 30s, for: 1m, action: latency, target: 'us1->eu1', latency: 150, jitter: 20 }
`;

test('a valid file is normalised: defaults, durations in ms, scenario tag, flows', () => {
  const scenario = parseScenario(VALID, 'sms-storm.yaml');
  assert.equal(scenario.name, 'sms-storm');
  assert.equal(scenario.source, 'sms-storm.yaml');
  assert.deepEqual(scenario.lab, { mode: 'embedded', profile: 'lab' });
  assert.deepEqual(scenario.setup, {
    accounts: 1,
    numbersPerAccount: 5,
    messagingServices: 1,
    verifyServices: 0,
    rooms: 0,
  });
  assert.deepEqual(
    scenario.scenarios.map((s) => s.name),
    ['storm', 'mix', 'steady', 'each', 'flat-out'],
  );
  const [storm, mix, steady, each, flatOut] = scenario.scenarios;
  assert.deepEqual(storm?.executor, {
    type: 'ramping-arrival-rate',
    startRate: 10,
    timeUnitMs: 1000,
    stages: [
      { durationMs: 30_000, target: 200 },
      { durationMs: 90_000, target: 200 },
    ],
    preAllocatedVUs: 50,
    maxVUs: 500,
  });
  assert.equal(storm?.startTimeMs, 5000);
  assert.equal(storm?.gracefulStopMs, 30_000);
  assert.deepEqual(storm?.tags, { phase: 'peak', region: 'us1', scenario: 'storm' });
  assert.deepEqual(storm?.flows, [
    {
      flow: 'sms.send',
      weight: 1,
      with: { to: '+15005550006', from: '+15005550001', timeoutMs: 10_000 },
    },
  ]);
  assert.deepEqual(mix?.executor, { type: 'constant-vus', vus: 5, durationMs: 60_000 });
  assert.deepEqual(mix?.flows, [
    { flow: 'http', weight: 3, with: { method: 'GET', path: '/healthz' } },
    { flow: 'video.join', weight: 1, with: { room: 'r1', publishers: 2 } },
  ]);
  assert.deepEqual(steady?.executor, {
    type: 'constant-arrival-rate',
    rate: 50,
    timeUnitMs: 500,
    durationMs: 20_000,
    preAllocatedVUs: 10,
    maxVUs: 10,
  });
  assert.deepEqual(each?.executor, {
    type: 'per-vu-iterations',
    vus: 2,
    iterations: 1,
    maxDurationMs: 600_000,
  });
  assert.deepEqual(each?.flows, [{ flow: 'verify.start', weight: 1, with: {} }]);
  assert.deepEqual(flatOut?.executor, {
    type: 'max-throughput',
    connections: 20,
    durationMs: 10_000,
    pipelining: 1,
  });
  // per-vu-iterations is planned at its maxDuration (10m), the longest here.
  assert.equal(scenario.plannedDurationMs, 600_000);

  assert.equal(scenario.thresholds.length, 4);
  const [p99, max, failed, lost] = scenario.thresholds;
  assert.deepEqual(p99?.selector, {
    source: 'http_req_duration{scenario:storm,phase:peak}',
    metric: 'http_req_duration',
    tags: { scenario: 'storm', phase: 'peak' },
  });
  assert.deepEqual(p99?.expression, {
    source: 'p(99)<200',
    aggregation: 'p',
    percentile: 99,
    operator: '<',
    value: 200,
  });
  assert.equal(p99?.abortOnFail, false);
  assert.equal(p99?.windowMs, undefined);
  assert.equal(max?.abortOnFail, true);
  assert.equal(max?.delayAbortEvalMs, 10_000);
  assert.equal(max?.windowMs, 10_000);
  assert.equal(failed?.expression.aggregation, 'rate');
  assert.equal(lost?.expression.operator, '==');

  assert.deepEqual(scenario.faults, [
    {
      atMs: 30_000,
      forMs: 60_000,
      action: 'latency',
      target: 'us1->eu1',
      params: { latency: 150, jitter: 20 },
    },
  ]);
});

function issuesOf(text: string): string[] {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (error) {
    assert.ok(error instanceof ScenarioError);
    assert.equal(error.code, 'SCENARIO_INVALID');
    assert.equal(error.exitCode, 104);
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  assert.fail('expected a ScenarioError');
}

test('every problem is reported with its path, not just the first', () => {
  const issues = issuesOf(`
name: bad
scenarios:
  storm:
    executor: ramping-arrival-rate
    preAllocatedVUs: 5
    stages:
      - { duration: 30s, target: 10 }
      - { duration: 1m, target: lots }
    flow: sms.send
    with: { to: '+15005550006', from: '+15005550001', awaitStatus: delivred }
  web:
    executor: constant-vus
    duraton: 1m
    flow: http
    with: { path: /x }
  typo:
    executor: constant-arival-rate
thresholds:
  http_req_failed: ['p(99)<1']
`);
  assert.deepEqual(issues, [
    "scenarios.storm.stages[1].target: expected a number, got 'lots'",
    "scenarios.storm.with.awaitStatus: expected one of queued, accepted, scheduled, sending, sent, delivered, undelivered, failed, read, canceled; got 'delivred' (did you mean 'delivered'?)",
    'scenarios.web.duration: is required',
    "scenarios.web.duraton: unknown key (did you mean 'duration'?)",
    'scenarios.typo.executor: unknown executor "constant-arival-rate"; expected one of constant-arrival-rate, ramping-arrival-rate, constant-vus, per-vu-iterations, max-throughput',
    "thresholds.http_req_failed[0]: 'p(99)' does not apply to http_req_failed, a rate metric (use rate)",
  ]);
});

test('issues carry the line and column of the offending node', () => {
  try {
    parseScenario(
      'name: x\nscenarios:\n  a:\n    executor: constant-vus\n    duration: soon\n    flow: http\n    with: { path: /x }\n',
      'f.yaml',
    );
    assert.fail('expected a ScenarioError');
  } catch (error) {
    assert.ok(error instanceof ScenarioError);
    assert.deepEqual(error.issues, [
      {
        path: 'scenarios.a.duration',
        message: "expected a duration like '500ms', '30s' or '1m30s'",
        line: 5,
        col: 15,
      },
    ]);
    assert.match(error.message, /scenarios\.a\.duration: expected a duration .* \(line 5:15\)/);
  }
});

test('cross-field rules: flow vs flows, with, exact-one params, VU bounds, lab url, windows, tags', () => {
  const issues = issuesOf(`
name: rules
lab: { mode: url }
scenarios:
  both:
    executor: constant-vus
    duration: 1s
    flow: http
    flows: [{ flow: http, with: { path: /x } }]
  none:
    executor: constant-vus
    duration: 1s
  pathless:
    executor: constant-vus
    duration: 1s
    flow: http
    with: { method: GET }
  bodies:
    executor: constant-vus
    duration: 1s
    flow: http
    with: { path: /x, body: 'a', json: { b: 1 } }
  senders:
    executor: constant-vus
    duration: 1s
    flows: [{ flow: sms.send, with: { to: '+1500', from: '+1', messagingServiceSid: 'MG00000000000000000000000000000000' } }]
  vus:
    executor: constant-arrival-rate
    rate: 1
    duration: 1s
    preAllocatedVUs: 10
    maxVUs: 5
    flow: http
    with: { path: /x }
    tags: { scenario: other }
  flat:
    executor: max-throughput
    duration: 1s
    flow: sms.send
    with: { to: '+1', from: '+2' }
thresholds:
  'http_req_duration{scenario:}': ['p(95)<1']
  iteration_duration: [{ threshold: 'p(99)<1', window: 500ms }, 42]
faults:
  - { action: x }
`);
  assert.deepEqual(issues, [
    'scenarios.both.flows: use either `flow` (with `with`) or `flows`, not both',
    'scenarios.none: needs a `flow` (with its `with` parameters) or a list of `flows`',
    'scenarios.pathless.with: needs exactly one of `path` and `url`',
    'scenarios.bodies.with: give at most one of `body`, `form` and `json`',
    'scenarios.senders.flows[0].with: needs exactly one of `from` and `messagingServiceSid`',
    "scenarios.vus.tags.scenario: is set from the scenario's name; remove it",
    'scenarios.flat.flow: max-throughput drives one `http` flow (autocannon replays a single request)',
    `thresholds["http_req_duration{scenario:}"]: invalid metric selector 'http_req_duration{scenario:}': tag 'scenario' has an empty value`,
    'thresholds.iteration_duration[0].window: must be at least 1s (metrics are kept per second)',
    "thresholds.iteration_duration[1]: expected an expression like 'p(99)<200' or a mapping with `threshold`",
    'faults[0].at: is required',
    'faults[0].target: is required',
    "lab.url: is required when mode is 'url'",
  ]);
});

test('maxVUs below preAllocatedVUs is reported once the shape is right', () => {
  const issues = issuesOf(`
name: v
scenarios:
  s:
    executor: constant-arrival-rate
    rate: 1
    duration: 1s
    preAllocatedVUs: 10
    maxVUs: 5
    flow: http
    with: { path: /x }
`);
  assert.deepEqual(issues, ['scenarios.s.maxVUs: must be at least preAllocatedVUs (10)']);
});

test('YAML syntax errors carry line:col; empty files and non-mappings are rejected', () => {
  try {
    parseScenario('name: x\nscenarios: [1\nb: 2\n', 'broken.yaml');
    assert.fail('expected a ScenarioError');
  } catch (error) {
    assert.ok(error instanceof ScenarioError);
    assert.equal(error.issues[0]?.line, 3);
    assert.match(error.issues[0]?.message ?? '', /^YAML syntax: /);
  }
  assert.deepEqual(issuesOf(''), [': the file is empty']);
  assert.deepEqual(issuesOf('- 1\n- 2\n'), [': expected a mapping, got a list']);
  assert.deepEqual(issuesOf('name: x\nname: y\nscenarios: {}\n').length, 1);
});

test('loadScenarioFile reads a file and reports a missing one as invalid (exit 104)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'scenario-'));
  try {
    const path = join(dir, 's.yaml');
    await writeFile(path, VALID);
    const scenario = await loadScenarioFile(path);
    assert.equal(scenario.source, path);
    await assert.rejects(loadScenarioFile(join(dir, 'missing.yaml')), (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      assert.equal(error.exitCode, 104);
      assert.match(error.message, /file not found/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
