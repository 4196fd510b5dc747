import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { guessContentType } from '../messages/media-type.js';
import { priceOf } from './pricing.js';
import { canMove } from './status.js';
import { messagesPerSecond, senderKind } from './throughput.js';

describe('pipeline rules', () => {
  it('classifies senders and their published MPS', () => {
    assert.equal(senderKind('+14155550100'), 'long-code');
    assert.equal(senderKind('+18885550100'), 'toll-free');
    assert.equal(senderKind('+18335550100'), 'toll-free');
    assert.equal(senderKind('12345'), 'short-code');
    assert.equal(senderKind('+447700900123'), 'long-code');
    assert.equal(messagesPerSecond('+14155550100'), 1);
    assert.equal(messagesPerSecond('+18005550100'), 3);
    assert.equal(messagesPerSecond('123456'), 100);
  });

  it('only moves statuses forward', () => {
    assert.ok(canMove('queued', 'sending'));
    assert.ok(canMove('sending', 'delivered'));
    assert.ok(canMove('accepted', 'failed'));
    assert.ok(!canMove('delivered', 'sent'));
    assert.ok(!canMove('delivered', 'undelivered'));
    assert.ok(!canMove('canceled', 'queued'));
    assert.ok(!canMove('sent', 'sent'));
  });

  it('prices SMS per segment and MMS per message', () => {
    assert.equal(priceOf(1, 0), '-0.00790');
    assert.equal(priceOf(3, 0), '-0.02370');
    assert.equal(priceOf(1, 2), '-0.02000');
  });

  it('guesses media content types from the URL path', () => {
    assert.equal(guessContentType('https://x/a.JPG?size=1'), 'image/jpeg');
    assert.equal(guessContentType('https://x/v.mp4'), 'video/mp4');
    assert.equal(guessContentType('https://x.png/file'), 'application/octet-stream');
    assert.equal(guessContentType('not a url'), 'application/octet-stream');
  });
});
