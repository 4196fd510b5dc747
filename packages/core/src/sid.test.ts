import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SID_PREFIX, isSid, newRequestId, newSid } from './sid.js';

const SHAPE = /^[A-Z]{2}[0-9a-f]{32}$/;

test('newSid has the prefix and 32 lower-case hex digits', () => {
  const sid = newSid(SID_PREFIX.Message);
  assert.match(sid, SHAPE);
  assert.ok(sid.startsWith('SM'));
  assert.equal(sid.length, 34);
});

test('10k SIDs are well-formed and unique (spans several pool refills)', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const sid = newSid('AC');
    assert.match(sid, SHAPE);
    seen.add(sid);
  }
  assert.equal(seen.size, 10_000);
});

test('SID hex digits are spread over all 16 values', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 1000; i++)
    for (const ch of newSid('AC').slice(2)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  assert.equal(counts.size, 16);
});

test('newRequestId has the RQ prefix', () => {
  const id = newRequestId();
  assert.match(id, /^RQ[0-9a-f]{32}$/);
  assert.notEqual(id, newRequestId());
});

test('isSid checks shape and optional prefix', () => {
  const sid = newSid('MG');
  assert.equal(isSid(sid), true);
  assert.equal(isSid(sid, 'MG'), true);
  assert.equal(isSid(sid, 'SM'), false);
  assert.equal(isSid(sid.toUpperCase()), false);
  assert.equal(isSid(sid.slice(0, 33)), false);
  assert.equal(isSid(sid + '0'), false);
  assert.equal(isSid('mg' + sid.slice(2)), false);
  assert.equal(isSid(42), false);
  assert.equal(isSid(undefined), false);
});

test('SID_PREFIX names the documented prefixes', () => {
  assert.equal(SID_PREFIX.Account, 'AC');
  assert.equal(SID_PREFIX.MmsMessage, 'MM');
  assert.equal(SID_PREFIX.Media, 'ME');
  assert.equal(SID_PREFIX.PhoneNumber, 'PN');
  assert.equal(SID_PREFIX.ApiKey, 'SK');
  assert.equal(SID_PREFIX.Call, 'CA');
  for (const prefix of Object.values(SID_PREFIX)) assert.match(prefix, /^[A-Z]{2}$/);
});
