import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { ChaosError } from './errors.js';
import { compileFaults } from './faults.js';
import { loadExperimentFile, parseExperiment } from './parse.js';
import { globMatcher } from './targets.js';
import { projectFile } from './testing/webhook-sink.js';

function issues(text: string): { path: string; message: string; line?: number }[] {
  try {
    parseExperiment(text, 'x.yaml');
  } catch (err) {
    assert.ok(err instanceof ChaosError && err.code === 'CHAOS_INVALID');
    return err.issues.map((i) => ({
      path: i.path,
      message: i.message,
      ...(i.line === undefined ? {} : { line: i.line }),
    }));
  }
  assert.fail('expected the file to be rejected');
}

describe('parseExperiment', () => {
  it('normalises faults, probes, phases and durations', () => {
    const experiment = parseExperiment(
      [
        'name: demo',
        'vars: { LAB_URL: "http://127.0.0.1:3000" }',
        'hypothesis:',
        '  title: it holds',
        '  interval: 500ms',
        '  probes:',
        '    - name: health',
        "      http: { url: '${LAB_URL}/healthz', expectStatus: [200, 204], repeat: 3 }",
        '      measure: latency.p95',
        '      phases: { before: { max: 50 }, during: null, after: { max: 60 } }',
        '    - { name: budgets, custom: bench-budgets, phases: [after], until: 10s }',
        'faults:',
        "  - { at: 2s, for: 1m30s, action: latency, target: 'us1.cell-*.postgres', latency: 150, jitter: 20, stream: both, toxicity: 0.5 }",
        '  - { at: 0s, action: pause, target: us1-cell-1 }',
      ].join('\n'),
      'demo.yaml',
    );
    assert.equal(experiment.hypothesis.intervalMs, 500);
    assert.deepEqual(experiment.faults[0], {
      index: 0,
      atMs: 2000,
      forMs: 90_000,
      target: 'us1.cell-*.postgres',
      action: 'latency',
      kind: 'toxic',
      toxic: 'latency',
      streams: ['upstream', 'downstream'],
      toxicity: 0.5,
      attributes: { latency: 150, jitter: 20 },
    });
    assert.deepEqual(experiment.faults[1], {
      index: 1,
      atMs: 0,
      target: 'us1-cell-1',
      action: 'pause',
      kind: 'process',
    });
    const [health, budgets] = experiment.hypothesis.probes;
    assert.deepEqual(health?.phases, { before: { max: 50 }, during: null, after: { max: 60 } });
    assert.equal(health?.source.type === 'http' && health.source.measure.kind, 'latency');
    assert.deepEqual(budgets?.phases, { after: null });
    assert.equal(budgets?.untilMs, 10_000);
  });

  it('reports every problem with its path, line and a hint', () => {
    const found = issues(
      [
        'name: demo',
        'hypothesis:',
        '  title: t',
        '  probes:',
        '    - { name: p, http: { url: x }, custom: y }',
        '    - { name: q, prometheus: { query: up }, measure: status }',
        'faults:',
        '  - { at: 0s, action: latancy, target: a }',
        '  - { at: 0s, action: latency, target: a, latncy: 5 }',
        '  - { at: 5, action: down, target: a }',
        '  - { at: 0s, for: 1s, action: up, target: a }',
        '  - { at: 0s, action: netem, target: media, jitter: 5 }',
        'extra: 1',
      ].join('\n'),
    );
    const byPath = new Map(found.map((i) => [i.path, i]));
    assert.match(
      byPath.get('hypothesis.probes[0]')?.message ?? '',
      /exactly one of `http`, `prometheus` and `custom`/,
    );
    assert.match(byPath.get('hypothesis.probes[1].measure')?.message ?? '', /only applies to `http`/);
    assert.match(byPath.get('faults[0].action')?.message ?? '', /did you mean 'latency'/);
    assert.equal(byPath.get('faults[0].action')?.line, 8);
    assert.equal(byPath.get('faults[1].latency')?.message, 'is required');
    assert.match(byPath.get('faults[1].latncy')?.message ?? '', /unknown key \(did you mean 'latency'\?\)/);
    assert.match(byPath.get('faults[2].at')?.message ?? '', /expected a duration/);
    assert.match(byPath.get('faults[3].for')?.message ?? '', /happens once/);
    assert.match(byPath.get('faults[4]')?.message ?? '', /jitter and reorder need a delay/);
    assert.equal(byPath.get('extra')?.message, 'unknown key');
  });

  it('rejects YAML syntax errors and empty files', () => {
    assert.match(issues('name: [unclosed')[0]?.message ?? '', /YAML syntax/);
    assert.equal(issues('')[0]?.message, 'the file is empty');
  });

  it('every shipped experiment in chaos/ parses', async () => {
    const files = (await readdir(projectFile('chaos'))).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 6);
    for (const name of files) {
      const experiment = await loadExperimentFile(projectFile(`chaos/${name}`));
      assert.equal(`${experiment.name}.yaml`, name);
      assert.ok(experiment.faults.length > 0);
    }
  });
});

describe('compileFaults (a bench scenario `faults` list)', () => {
  it('accepts the bench FaultSpec shape and applies Toxiproxy defaults', () => {
    const [fault] = compileFaults([
      { atMs: 30_000, forMs: 60_000, action: 'timeout', target: 'webhook-egress', params: {} },
    ]);
    assert.deepEqual(fault, {
      index: 0,
      atMs: 30_000,
      forMs: 60_000,
      target: 'webhook-egress',
      action: 'timeout',
      kind: 'toxic',
      toxic: 'timeout',
      streams: ['downstream'],
      toxicity: 1,
      attributes: { timeout: 0 },
    });
  });

  it('names each bad entry', () => {
    assert.throws(
      () =>
        compileFaults([
          { atMs: 0, action: 'explode', target: 'x', params: {} },
          { atMs: 0, action: 'bandwidth', target: 'x', params: { rate: -1 } },
        ]),
      (err: unknown) =>
        err instanceof ChaosError &&
        err.issues.some((i) => i.path === 'faults[0].action') &&
        err.issues.some((i) => i.path === 'faults[1].rate' && /at least 0/.test(i.message)),
    );
  });
});

describe('target globs', () => {
  it('matches the link names the issue uses', () => {
    assert.equal(globMatcher('us1.cell-*.postgres')('us1.cell-2.postgres'), true);
    assert.equal(globMatcher('us1.cell-*.postgres')('us1.cell-2.kafka'), false);
    assert.equal(globMatcher('us1.cell-*.postgres')('us1xcell-2.postgres'), false, 'dots are literal');
    assert.equal(globMatcher('us1->eu1')('us1->eu1'), true);
    assert.equal(globMatcher('us1.super-network->carrier-*')('us1.super-network->carrier-att'), true);
    assert.equal(globMatcher('cell-?')('cell-12'), false);
  });
});
