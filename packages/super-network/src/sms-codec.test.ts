import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DATA_CODING_GSM,
  DATA_CODING_UCS2,
  bodyFields,
  decodeBytes,
  encodeBody,
  isGsm7,
} from './sms-codec.js';
import { bodyOf, smpp } from './smpp-protocol.js';

/** Encodes like a sender, serialises, parses like a receiver: what crosses the wire. */
function roundTrip(body: string): string {
  const pdu = new smpp.PDU('submit_sm', {
    destination_addr: '447700900123',
    ...bodyFields(encodeBody(body)),
  });
  const parsed = new smpp.PDU(pdu.toBuffer());
  return bodyOf(parsed);
}

test('GSM-only bodies use data_coding 0, one octet per septet and two for extension characters', () => {
  const plain = encodeBody('Hello @ £5');
  assert.equal(plain.dataCoding, DATA_CODING_GSM);
  assert.equal(plain.bytes.length, 10);
  assert.equal(plain.bytes[6], 0x00, "'@' is septet 0");
  const extended = encodeBody('{€}');
  assert.deepEqual([...extended.bytes], [0x1b, 0x28, 0x1b, 0x65, 0x1b, 0x29]);
});

test('bodies outside GSM 03.38 use UCS-2 (UTF-16BE) and keep surrogate pairs', () => {
  assert.equal(isGsm7('plain text'), true);
  assert.equal(isGsm7('emoji 😀'), false);
  assert.equal(isGsm7('back`tick'), false);
  const encoded = encodeBody('😀');
  assert.equal(encoded.dataCoding, DATA_CODING_UCS2);
  assert.deepEqual([...encoded.bytes], [0xd8, 0x3d, 0xde, 0x00]);
  assert.equal(decodeBytes(encoded.bytes, DATA_CODING_UCS2), '😀');
});

test('long bodies move to message_payload, short ones stay in short_message', () => {
  assert.equal(bodyFields(encodeBody('x'.repeat(254))).message_payload, undefined);
  const long = bodyFields(encodeBody('x'.repeat(255)));
  assert.equal(long.short_message.length, 0);
  assert.equal(long.message_payload?.length, 255);
});

test('bodies survive the SMPP wire byte for byte', () => {
  const bodies = [
    'Your code is 123456',
    'Emoji 😀👍🏽 and accents éàü',
    '<?xml version="1.0"?><Response><Message>hi & bye</Message></Response>',
    '\'; DROP TABLE messages; -- " OR 1=1 /* */',
    'GSM extension ^{}\\[~]|€ and \f form feed',
    'a'.repeat(1600),
    '😀'.repeat(800),
    'Mixed ' + 'ñ'.repeat(700) + ' 中文 ' + '🙂'.repeat(100),
    '',
  ];
  for (const body of bodies) {
    const received = roundTrip(body);
    assert.equal(received, body, `body of length ${body.length} changed on the wire`);
    assert.equal(Buffer.compare(Buffer.from(received, 'utf8'), Buffer.from(body, 'utf8')), 0);
  }
});

test('decodeBytes reads GSM septets including escapes', () => {
  assert.equal(decodeBytes(encodeBody('Price: 5€ [ok]').bytes, DATA_CODING_GSM), 'Price: 5€ [ok]');
});
