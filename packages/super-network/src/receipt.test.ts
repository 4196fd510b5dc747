import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DLR_ERR, formatReceipt, parseReceipt, receiptDate, receiptOutcome } from './receipt.js';

test('receipt text follows the SMSC format', () => {
  const at = Date.UTC(2025, 0, 2, 3, 4, 5);
  const text = formatReceipt({
    id: 'abc123',
    stat: 'DELIVRD',
    err: '000',
    submittedAt: at,
    doneAt: at + 60_000,
    body: 'Hi 😀 there: code 42',
  });
  assert.equal(
    text,
    'id:abc123 sub:001 dlvrd:001 submit date:2501020304 done date:2501020305 stat:DELIVRD err:000 text:Hi .. there. code 42',
  );
  assert.equal(receiptDate(at), '2501020304');
});

test('parseReceipt reads id, stat and err', () => {
  const text = formatReceipt({
    id: 'f00d',
    stat: 'UNDELIV',
    err: '001',
    submittedAt: 0,
    doneAt: 0,
    body: 'x',
  });
  assert.deepEqual(parseReceipt(text), { id: 'f00d', stat: 'UNDELIV', err: '001' });
  assert.equal(parseReceipt('garbage'), null);
  assert.deepEqual(parseReceipt('id:7 stat:delivrd'), { id: '7', stat: 'DELIVRD', err: DLR_ERR.NONE });
});

test('final states map to Twilio statuses and error codes', () => {
  assert.deepEqual(receiptOutcome('DELIVRD', '000'), { status: 'delivered', errorCode: null });
  assert.deepEqual(receiptOutcome('UNDELIV', '027'), { status: 'undelivered', errorCode: 30003 });
  assert.deepEqual(receiptOutcome('UNDELIV', '001'), { status: 'undelivered', errorCode: 30005 });
  assert.deepEqual(receiptOutcome('REJECTD', '069'), { status: 'failed', errorCode: 30007 });
  assert.deepEqual(receiptOutcome('EXPIRED', '000'), { status: 'undelivered', errorCode: 30001 });
  assert.equal(receiptOutcome('ENROUTE', '000'), null);
  assert.equal(receiptOutcome('ACCEPTD', '000'), null);
});
