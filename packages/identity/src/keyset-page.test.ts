import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePageToken } from '@twilio-lab/core';
import { keysetPage } from './keyset-page.js';

// Newest first, with a tie on dateCreated broken by sid (descending).
const rows = [
  { sid: 'AC5', dateCreated: 500 },
  { sid: 'AC4', dateCreated: 400 },
  { sid: 'AC3b', dateCreated: 300 },
  { sid: 'AC3a', dateCreated: 300 },
  { sid: 'AC1', dateCreated: 100 },
];

function tokenOf(token: string | null) {
  assert.ok(token !== null);
  const decoded = decodePageToken(token);
  assert.ok(decoded !== null);
  return decoded;
}

describe('keysetPage', () => {
  it('walks forward through ties without skipping or repeating rows', () => {
    const first = keysetPage(rows, { pageSize: 2, token: null });
    assert.deepEqual(
      first.records.map((r) => r.sid),
      ['AC5', 'AC4'],
    );
    assert.equal(first.prevToken, null);
    const second = keysetPage(rows, { pageSize: 2, token: tokenOf(first.nextToken) });
    assert.deepEqual(
      second.records.map((r) => r.sid),
      ['AC3b', 'AC3a'],
    );
    const third = keysetPage(rows, { pageSize: 2, token: tokenOf(second.nextToken) });
    assert.deepEqual(
      third.records.map((r) => r.sid),
      ['AC1'],
    );
    assert.equal(third.nextToken, null);
  });

  it('walks backward with a prev token', () => {
    const third = keysetPage(rows, { pageSize: 2, token: { cursor: [300, 'AC3a'], direction: 'next' } });
    assert.deepEqual(
      third.records.map((r) => r.sid),
      ['AC1'],
    );
    const back = keysetPage(rows, { pageSize: 2, token: tokenOf(third.prevToken) });
    assert.deepEqual(
      back.records.map((r) => r.sid),
      ['AC3b', 'AC3a'],
    );
    const start = keysetPage(rows, { pageSize: 2, token: tokenOf(back.prevToken) });
    assert.deepEqual(
      start.records.map((r) => r.sid),
      ['AC5', 'AC4'],
    );
    assert.equal(start.prevToken, null);
  });

  it('stays correct when the cursor row was deleted between requests', () => {
    const without = rows.filter((r) => r.sid !== 'AC4');
    const next = keysetPage(without, { pageSize: 2, token: { cursor: [400, 'AC4'], direction: 'next' } });
    assert.deepEqual(
      next.records.map((r) => r.sid),
      ['AC3b', 'AC3a'],
    );
  });
});
