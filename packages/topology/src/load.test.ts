import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@twilio-lab/core';
import { loadTopologyFile, parseTopology } from './load.js';
import { topologyJsonSchemaText } from './schema.js';

// dist/load.test.js -> <repo>/topologies/
const shipped = (name: string): string =>
  fileURLToPath(new URL(`../../../topologies/${name}`, import.meta.url));

function issues(text: string): { path: string; message: string }[] {
  try {
    parseTopology(text, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.errors;
  }
  assert.fail('the topology was accepted');
}

const MINIMAL = `version: 1
name: t
regions:
  - id: us1
    cells: [{ id: cell-1 }]
`;

test('the shipped topologies load, with their cells and links both ways', async () => {
  const single = await loadTopologyFile(shipped('single.yaml'));
  assert.deepEqual(
    single.cells.map((c) => c.cellId),
    ['us1-cell-1', 'us1-cell-2'],
  );
  const two = await loadTopologyFile(shipped('two-regions.yaml'));
  assert.deepEqual(
    two.regions.map((r) => [r.id, r.cells.length]),
    [
      ['us1', 2],
      ['eu1', 2],
    ],
  );
  assert.deepEqual(two.latency.get('eu1')?.get('us1'), { oneWayMs: 40, jitterMs: 4 });
  const three = await loadTopologyFile(shipped('three-regions.yaml'));
  assert.equal(three.regions.length, 3);
  assert.equal(three.placement.policy, 'hash');
});

test('defaults are filled in', () => {
  const t = parseTopology(MINIMAL);
  assert.equal(t.profile, 'lab');
  assert.equal(t.namespace, 'lab');
  assert.equal(t.globalBackends, 'embedded');
  assert.deepEqual(t.ports, { gateway: 3000, cellBase: 0 });
  assert.equal(t.cells[0]?.capacity, 1);
  assert.equal(t.cells[0]?.backends, 'embedded');
  assert.equal(t.placement.policy, 'region');
  assert.equal(t.placement.defaultRegion, 'us1');
});

test('unknown keys and wrong types are reported with their paths', () => {
  const found = issues(`version: 2
name: t
colour: blue
regions:
  - id: US
    backends: docker
    cells: [{ id: cell-1, capacity: 0, size: 3 }]
`);
  const paths = found.map((i) => i.path);
  for (const path of [
    '/version',
    '/colour',
    '/regions/0/id',
    '/regions/0/backends',
    '/regions/0/cells/0/capacity',
    '/regions/0/cells/0/size',
  ]) {
    assert.ok(paths.includes(path), `no error at ${path} in ${JSON.stringify(found)}`);
  }
});

test('references to unknown regions and cells, duplicates and self links are reported with their paths', () => {
  const found = issues(`version: 1
name: t
regions:
  - id: us1
    cells: [{ id: cell-1 }, { id: cell-1 }]
  - id: us1
    cells: [{ id: cell-1 }]
placement:
  defaultRegion: eu9
  explicit:
    AC00000000000000000000000000000001: us1/cell-9
    AC00000000000000000000000000000002: ap1/cell-1
latency:
  us1:
    us1: { oneWayMs: 1 }
    eu1: { oneWayMs: 3 }
`);
  assert.deepEqual(
    found.map((i) => i.path),
    [
      '/regions/0/cells/1/id',
      '/regions/1/id',
      '/placement/defaultRegion',
      '/placement/explicit/AC00000000000000000000000000000001',
      '/placement/explicit/AC00000000000000000000000000000002',
      '/latency/us1/us1',
      '/latency/us1/eu1',
    ],
  );
});

test('ports: cells must not run past 65535 nor over the gateway', () => {
  assert.deepEqual(
    issues(`${MINIMAL}ports: { gateway: 4001, cellBase: 4001 }\n`).map((i) => i.path),
    ['/ports/gateway'],
  );
  assert.deepEqual(
    issues(
      `${MINIMAL}ports: { cellBase: 65535 }\n`.replace('[{ id: cell-1 }]', '[{ id: a }, { id: b }]'),
    ).map((i) => i.path),
    ['/ports/cellBase'],
  );
});

test('YAML syntax errors are ConfigErrors too', () => {
  const found = issues('version: 1\nname: [x\n');
  assert.equal(found.length, 1);
  assert.match(found[0]?.message ?? '', /YAML syntax/);
});

test('explicit placement maps to cell ids', () => {
  const t = parseTopology(
    `${MINIMAL}placement:\n  explicit:\n    AC00000000000000000000000000000001: us1/cell-1\n`,
  );
  assert.equal(t.placement.explicit.get('AC00000000000000000000000000000001'), 'us1-cell-1');
});

test('topologies/schema.json is the schema generated from the TypeBox source', async () => {
  const committed: unknown = JSON.parse(await readFile(shipped('schema.json'), 'utf8'));
  assert.deepEqual(
    committed,
    JSON.parse(topologyJsonSchemaText()),
    'topologies/schema.json is stale: write topologyJsonSchemaText() to it, then run prettier on it',
  );
});
