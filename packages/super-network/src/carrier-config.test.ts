import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@twilio-lab/core';
import { loadCarriersFile, validateCarriers } from './carrier-config.js';
import { defaultCarriers } from './default-carriers.js';

const valid = {
  name: 'test-carrier',
  region: 'us1',
  prefixes: ['+1'],
  costPerSegment: 0.01,
  systemId: 'lab',
  password: 'secret',
  submitLatencyMs: { median: 1, p99: 2 },
  receiptLatencyMs: { median: 1, p99: 2 },
  outcomes: { delivered: 1, undelivered: 0, failed: 0 },
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

test('both default profiles validate', () => {
  for (const profile of ['lab', 'realistic'] as const) {
    const carriers = defaultCarriers(profile);
    assert.equal(validateCarriers(carriers).length, carriers.length);
    assert.ok(
      carriers.some((c) => c.prefixes.includes('+')),
      'a global catch-all exists',
    );
    assert.ok(carriers.some((c) => c.prefixes.includes('+1')));
    for (const eu of ['+44', '+33', '+49', '+34', '+31'])
      assert.ok(
        carriers.some((c) => c.prefixes.includes(eu)),
        eu,
      );
  }
  const realistic = defaultCarriers('realistic');
  assert.ok(realistic.every((c) => c.maxTps !== undefined && c.outcomes.delivered < 1));
  assert.ok(defaultCarriers('lab').every((c) => c.maxTps === undefined && c.outcomes.delivered === 1));
});

test('every schema problem is reported with its path', () => {
  const error = configError(() =>
    validateCarriers([
      valid,
      { ...valid, name: 'b', prefixes: ['44'], costPerSegment: -1, extra: true, port: 70000 },
    ]),
  );
  const paths = error.errors.map((e) => e.path);
  for (const expected of ['/1/prefixes/0', '/1/costPerSegment', '/1/port']) {
    assert.ok(paths.includes(expected), `missing ${expected} in ${paths.join(', ')}`);
  }
  assert.ok(paths.some((p) => p.startsWith('/1')) && !paths.some((p) => p.startsWith('/0')));
  assert.equal(error.code, 'CONFIG_INVALID');
  assert.match(error.message, /\/1\/costPerSegment/);
});

test('semantic rules: outcomes sum to 1, p99 >= median, unique names', () => {
  const error = configError(() =>
    validateCarriers([
      { ...valid, outcomes: { delivered: 0.5, undelivered: 0.1, failed: 0 } },
      { ...valid, submitLatencyMs: { median: 10, p99: 5 } },
    ]),
  );
  assert.deepEqual(
    error.errors.map((e) => e.path),
    ['/0/outcomes', '/1/submitLatencyMs/p99', '/1/name'],
  );
});

test('loadCarriersFile reads YAML and JSON, lists and {carriers}', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'carriers-'));
  try {
    const yamlPath = join(dir, 'carriers.yaml');
    await writeFile(
      yamlPath,
      [
        'carriers:',
        '  - name: yaml-carrier',
        '    region: eu1',
        "    prefixes: ['+44']",
        '    costPerSegment: 0.04',
        '    systemId: lab',
        '    password: pw',
        '    submitLatencyMs: { median: 1, p99: 3 }',
        '    receiptLatencyMs: { median: 5, p99: 15 }',
        '    outcomes: { delivered: 0.9, undelivered: 0.1, failed: 0, undeliveredErr: "001" }',
      ].join('\n'),
    );
    const fromYaml = await loadCarriersFile(yamlPath);
    assert.equal(fromYaml[0]?.name, 'yaml-carrier');
    assert.equal(fromYaml[0]?.outcomes.undeliveredErr, '001');

    const jsonPath = join(dir, 'carriers.json');
    await writeFile(jsonPath, JSON.stringify([valid]));
    assert.equal((await loadCarriersFile(jsonPath))[0]?.name, 'test-carrier');

    const badPath = join(dir, 'bad.yaml');
    await writeFile(badPath, 'carriers:\n  - name: x\n    region: r\n');
    await assert.rejects(loadCarriersFile(badPath), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.source, badPath);
      const paths = error.errors.map((e) => e.path);
      assert.ok(paths.includes('/carriers/0/prefixes'), paths.join(', '));
      assert.ok(paths.includes('/carriers/0/outcomes'), paths.join(', '));
      return true;
    });

    const unparsable = join(dir, 'broken.json');
    await writeFile(unparsable, '{ not json');
    await assert.rejects(loadCarriersFile(unparsable), ConfigError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
