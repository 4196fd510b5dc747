import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema, scenarioJsonSchemaText } from './schema.js';

// dist/scenario/schema.test.js -> <repo>/scenarios/schema.json
const committed = fileURLToPath(new URL('../../../../scenarios/schema.json', import.meta.url));

test('scenarios/schema.json is the schema generated from the TypeBox source', async () => {
  // Compared as data: the committed file is also formatted by prettier, which reflows short arrays.
  const committedSchema: unknown = JSON.parse(await readFile(committed, 'utf8'));
  assert.deepEqual(
    committedSchema,
    JSON.parse(scenarioJsonSchemaText()),
    'scenarios/schema.json is stale: write scenarioJsonSchemaText() to it, then run prettier on it',
  );
});

test('the JSON Schema rejects unknown keys and lists the executors', () => {
  const schema = scenarioJsonSchema() as {
    additionalProperties: boolean;
    required: string[];
    properties: {
      scenarios: {
        additionalProperties?: unknown;
        patternProperties?: Record<string, { anyOf: { properties: { executor: { const: string } } }[] }>;
      };
    };
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['name', 'scenarios']);
  const variants = Object.values(schema.properties.scenarios.patternProperties ?? {})[0]?.anyOf ?? [];
  assert.deepEqual(
    variants.map((v) => v.properties.executor.const),
    ['constant-arrival-rate', 'ramping-arrival-rate', 'constant-vus', 'per-vu-iterations', 'max-throughput'],
  );
});
