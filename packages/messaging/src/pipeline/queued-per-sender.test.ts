import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueuedPerSender, queueLimitFor, senderKeyOf } from './queued-per-sender.js';

const LONG_CODE = '+14155550600';

describe('QueuedPerSender', () => {
  it('counts per sender key and refuses with 21611 at the limit', () => {
    const queued = new QueuedPerSender(() => 2);
    queued.admit('SM1', LONG_CODE);
    queued.admit('SM2', LONG_CODE);
    queued.admit('SM3', '+14155550601');
    assert.throws(
      () => queued.admit('SM4', LONG_CODE),
      (err: unknown) => (err as { code?: unknown }).code === 21611,
    );
    assert.equal(queued.count(LONG_CODE), 2);
    assert.equal(queued.size, 3);
  });

  it('counts a SID once and releases it once', () => {
    const queued = new QueuedPerSender(() => 10);
    queued.add('SM1', LONG_CODE);
    queued.add('SM1', LONG_CODE);
    assert.equal(queued.count(LONG_CODE), 1);
    queued.release('SM1');
    queued.release('SM1');
    queued.release('SM-unknown');
    assert.equal(queued.count(LONG_CODE), 0);
    assert.equal(queued.size, 0);
  });

  it('lets a sender that was released below its limit in again', () => {
    const queued = new QueuedPerSender(() => 1);
    queued.admit('SM1', LONG_CODE);
    queued.release('SM1');
    queued.admit('SM2', LONG_CODE);
    assert.equal(queued.count(LONG_CODE), 1);
  });
});

describe('queueLimitFor', () => {
  it("'realistic' holds 4 hours of the sender's MPS", () => {
    const limit = queueLimitFor('realistic', 5);
    assert.equal(limit(LONG_CODE), 14_400); // long code, 1 MPS
    assert.equal(limit('+18005550100'), 43_200); // toll-free, 3 MPS
    assert.equal(limit('12345'), 1_440_000); // short code, 100 MPS
    assert.equal(limit('MG' + '0'.repeat(32)), 14_400); // service key: long-code rate
  });

  it("'lab' uses the configured number for every sender", () => {
    const limit = queueLimitFor('lab', 7);
    assert.equal(limit(LONG_CODE), 7);
    assert.equal(limit('12345'), 7);
  });
});

describe('senderKeyOf', () => {
  it('is the From, else the Messaging Service', () => {
    assert.equal(senderKeyOf({ from_number: LONG_CODE, messaging_service_sid: 'MGx' }), LONG_CODE);
    assert.equal(senderKeyOf({ from_number: null, messaging_service_sid: 'MGx' }), 'MGx');
  });
});
