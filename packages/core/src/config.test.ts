import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, Type, validate } from './config.js';

const Carrier = Type.Object(
  {
    name: Type.String(),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    tps: Type.Number({ default: 100 }),
  },
  { additionalProperties: false },
);
const LabConfig = Type.Object(
  {
    port: Type.Integer({ default: 3000 }),
    region: Type.String({ default: 'us1' }),
    carriers: Type.Array(Carrier, { default: [] }),
  },
  { additionalProperties: false },
);

test('defaults are applied, including inside arrays, and the input is not mutated', () => {
  const input = { carriers: [{ name: 'a', port: 2775 }] };
  const result = validate(LabConfig, input);
  assert.equal(result.ok, true);
  if (!result.ok) return;
  assert.deepEqual(result.value, {
    port: 3000,
    region: 'us1',
    carriers: [{ name: 'a', port: 2775, tps: 100 }],
  });
  assert.deepEqual(input, { carriers: [{ name: 'a', port: 2775 }] });
  assert.deepEqual(validate(LabConfig, {}), { ok: true, value: { port: 3000, region: 'us1', carriers: [] } });
});

test('an unknown key is rejected with its path', () => {
  const result = validate(LabConfig, { prot: 3000 });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.ok(
    result.errors.some((e) => e.path === '/prot'),
    JSON.stringify(result.errors),
  );
});

test('nested type errors carry a JSON-pointer path; every error is reported', () => {
  const result = validate(LabConfig, {
    port: 'eighty',
    carriers: [
      { name: 'ok', port: 1 },
      { name: 'b', port: 'x', extra: true },
    ],
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const paths = result.errors.map((e) => e.path);
  assert.ok(paths.includes('/port'), paths.join());
  assert.ok(paths.includes('/carriers/1/port'), paths.join());
  assert.ok(paths.includes('/carriers/1/extra'), paths.join());
  assert.ok(!paths.some((p) => p.startsWith('/carriers/0')), paths.join());
  for (const e of result.errors) assert.ok(e.message.length > 0);
});

test('range violations are errors', () => {
  const result = validate(LabConfig, { carriers: [{ name: 'a', port: 70000 }] });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.errors[0]?.path, '/carriers/0/port');
});

test('a non-object root is rejected', () => {
  assert.equal(validate(LabConfig, 'nope').ok, false);
  assert.equal(validate(LabConfig, null).ok, false);
});

test('ConfigError lists every source path and message', () => {
  const err = new ConfigError('lab.yaml', [
    { path: '/carriers/0/port', message: 'Expected integer' },
    { path: '/prot', message: 'Unexpected property' },
  ]);
  assert.equal(err.code, 'CONFIG_INVALID');
  assert.equal(err.source, 'lab.yaml');
  assert.equal(err.errors.length, 2);
  assert.match(err.message, /lab\.yaml \/carriers\/0\/port: Expected integer/);
  assert.match(err.message, /lab\.yaml \/prot: Unexpected property/);
  assert.ok(err instanceof Error);
});
