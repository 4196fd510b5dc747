import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrefixTable } from './prefix-table.js';

const carriers = [
  { name: 'global', prefixes: ['+'], costPerSegment: 0.1 },
  { name: 'us-b', prefixes: ['+1'], costPerSegment: 0.009 },
  { name: 'us-a', prefixes: ['+1'], costPerSegment: 0.008 },
  { name: 'eu-agg', prefixes: ['+44', '+33'], costPerSegment: 0.05 },
  { name: 'gb', prefixes: ['+44'], costPerSegment: 0.06 },
  { name: 'gb-london', prefixes: ['+4420'], costPerSegment: 0.2 },
];
const table = new PrefixTable(carriers, (c) => c);
const names = (n: string): string[] => table.candidates(n).map((c) => c.name);

test('longest prefix first, then cheapest, with broader carriers as fallbacks', () => {
  assert.deepEqual(names('+14155550100'), ['us-a', 'us-b', 'global']);
  assert.deepEqual(names('+447700900123'), ['eu-agg', 'gb', 'global']);
  assert.deepEqual(names('+442071234567'), ['gb-london', 'eu-agg', 'gb', 'global']);
  assert.deepEqual(names('+33612345678'), ['eu-agg', 'global']);
  assert.deepEqual(names('+81312345678'), ['global']);
});

test('no candidate when no prefix matches', () => {
  const usOnly = new PrefixTable([{ prefixes: ['+1'], costPerSegment: 1 }], (c) => c);
  assert.equal(usOnly.candidates('+447700900123').length, 0);
});
