import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import type { PDU } from 'smpp';
import { bodyOf, mediaUrlsOf, smpp, stringTlv, TLV_ACCOUNT_SID, TLV_MESSAGE_SID } from './smpp-protocol.js';
import { bodyFields, encodeBody } from './sms-codec.js';
import type { ShortMessage } from './smpp-wire.js';
import {
  CMD_DELIVER_SM,
  CMD_DELIVER_SM_RESP,
  CMD_SUBMIT_SM,
  CMD_SUBMIT_SM_RESP,
  decodeHot,
  encodeResponse,
  encodeShortMessage,
  installWireReader,
  setSequence,
} from './smpp-wire.js';

function submit(overrides: Partial<ShortMessage> = {}): ShortMessage {
  return {
    source: { addr: '15005550006', ton: 1, npi: 1 },
    destination: { addr: '14155551234', ton: 1, npi: 1 },
    esmClass: 0,
    registeredDelivery: 1,
    validityPeriod: '000000010000000R',
    body: encodeBody('Hello {world} €5'),
    messageSid: 'SM0123456789abcdef0123456789abcdef',
    accountSid: 'AC0123456789abcdef0123456789abcdef',
    mediaUrls: Buffer.from('https://a.example/1.png\nhttps://a.example/2.png'),
    receiptedMessageId: null,
    messageState: null,
    ...overrides,
  };
}

test('the smpp library parses a submit_sm this codec encodes', () => {
  const frame = encodeShortMessage(CMD_SUBMIT_SM, 0, submit());
  setSequence(frame, 77);
  const pdu = new smpp.PDU(frame);
  assert.equal(pdu.command, 'submit_sm');
  assert.equal(pdu.sequence_number, 77);
  assert.equal(pdu.command_status, 0);
  assert.equal(pdu.source_addr, '15005550006');
  assert.equal(pdu.destination_addr, '14155551234');
  assert.equal(pdu.dest_addr_ton, 1);
  assert.equal(pdu.registered_delivery, 1);
  assert.ok(pdu.validity_period instanceof Date);
  const inAnHour = (pdu.validity_period as Date).getTime() - Date.now();
  assert.ok(inAnHour > 3_500_000 && inAnHour <= 3_600_000, `validity ${inAnHour} ms ahead`);
  assert.equal(bodyOf(pdu), 'Hello {world} €5');
  assert.equal(stringTlv(pdu, TLV_MESSAGE_SID), 'SM0123456789abcdef0123456789abcdef');
  assert.equal(stringTlv(pdu, TLV_ACCOUNT_SID), 'AC0123456789abcdef0123456789abcdef');
  assert.deepEqual(mediaUrlsOf(pdu), ['https://a.example/1.png', 'https://a.example/2.png']);
});

test('the smpp library parses a long UCS-2 deliver_sm receipt this codec encodes (message_payload)', () => {
  const body = 'Grüße 😀 '.repeat(30);
  const frame = encodeShortMessage(
    CMD_DELIVER_SM,
    9,
    submit({
      esmClass: 0x04,
      registeredDelivery: 0,
      validityPeriod: '',
      body: encodeBody(body),
      mediaUrls: null,
      accountSid: null,
      receiptedMessageId: 'abc123',
      messageState: 2,
    }),
  );
  const pdu = new smpp.PDU(frame);
  assert.equal(pdu.command, 'deliver_sm');
  assert.equal(pdu.esm_class, 0x04);
  assert.equal(pdu.data_coding, 8);
  assert.equal(pdu.receipted_message_id, 'abc123');
  assert.equal(pdu.message_state, 2);
  assert.equal(bodyOf(pdu), body);
  assert.equal(stringTlv(pdu, TLV_ACCOUNT_SID), null);
});

test('the smpp library parses the responses this codec encodes', () => {
  const ok = new smpp.PDU(encodeResponse(CMD_SUBMIT_SM_RESP, 5, 0, 'a1b2c3'));
  assert.equal(ok.command, 'submit_sm_resp');
  assert.equal(ok.sequence_number, 5);
  assert.equal(ok.message_id, 'a1b2c3');
  const throttled = new smpp.PDU(encodeResponse(CMD_SUBMIT_SM_RESP, 6, smpp.ESME_RTHROTTLED, ''));
  assert.equal(throttled.command_status, smpp.ESME_RTHROTTLED);
  const ack = new smpp.PDU(encodeResponse(CMD_DELIVER_SM_RESP, 7, 0, ''));
  assert.equal(ack.command, 'deliver_sm_resp');
  assert.equal(ack.sequence_number, 7);
  assert.equal(ack.message_id, '');
});

test('this codec decodes a submit_sm the smpp library encodes, field for field', () => {
  const libraryPdu = new smpp.PDU('submit_sm', {
    sequence_number: 42,
    source_addr: 'Acme',
    source_addr_ton: 5,
    destination_addr: '447700900123',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    registered_delivery: 1,
    validity_period: '000000020000',
    ...bodyFields(encodeBody('Your code is 123456')),
    [TLV_MESSAGE_SID]: 'SMffff',
    [TLV_ACCOUNT_SID]: 'ACeeee',
  });
  const wire = libraryPdu.toBuffer();
  const ours = decodeHot(wire);
  const theirs = new smpp.PDU(wire);
  assert.ok(ours);
  assert.ok(ours instanceof smpp.PDU);
  for (const key of [
    'command',
    'command_id',
    'command_status',
    'sequence_number',
    'source_addr',
    'source_addr_ton',
    'source_addr_npi',
    'destination_addr',
    'dest_addr_ton',
    'dest_addr_npi',
    'esm_class',
    'registered_delivery',
    'data_coding',
    TLV_MESSAGE_SID,
    TLV_ACCOUNT_SID,
  ]) {
    assert.equal(ours[key], theirs[key], key);
  }
  assert.equal(bodyOf(ours), 'Your code is 123456');
  assert.equal(bodyOf(ours), bodyOf(theirs));
  assert.ok(ours.validity_period instanceof Date);
  const skew = (ours.validity_period as Date).getTime() - (theirs.validity_period as Date).getTime();
  assert.ok(Math.abs(skew) < 1000);
  assert.equal(ours.isResponse(), false);
});

test('this codec decodes the responses the smpp library encodes', () => {
  const resp = decodeHot(new smpp.PDU('submit_sm_resp', { sequence_number: 3, message_id: 'x9' }).toBuffer());
  assert.equal(resp?.command, 'submit_sm_resp');
  assert.equal(resp?.sequence_number, 3);
  assert.equal(resp?.message_id, 'x9');
  assert.equal(resp?.isResponse(), true);
  const nack = decodeHot(
    new smpp.PDU('deliver_sm_resp', { sequence_number: 4, command_status: smpp.ESME_RSYSERR }).toBuffer(),
  );
  assert.equal(nack?.command, 'deliver_sm_resp');
  assert.equal(nack?.command_status, smpp.ESME_RSYSERR);
});

test('frames the lean decoder does not cover are left to the library', () => {
  assert.equal(decodeHot(new smpp.PDU('enquire_link', { sequence_number: 1 }).toBuffer()), null);
  const udh = encodeShortMessage(CMD_SUBMIT_SM, 1, submit({ esmClass: 0x40 }));
  assert.equal(decodeHot(udh), null);
  const absolute = encodeShortMessage(CMD_SUBMIT_SM, 1, submit({ validityPeriod: '300101120000000+' }));
  assert.equal(decodeHot(absolute), null);
  const latin1 = encodeShortMessage(
    CMD_SUBMIT_SM,
    1,
    submit({ body: { dataCoding: 3 as 0, bytes: Buffer.from('x') } }),
  );
  assert.equal(decodeHot(latin1), null);
});

test('the wire reader frames PDUs split across TCP chunks and passes other PDUs through the library', async () => {
  let peer: Socket | null = null;
  const server = createServer((socket) => (peer = socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const session = smpp.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  installWireReader(session);
  session.on('error', () => undefined);
  try {
    await once(session, 'connect');
    while (peer === null) await new Promise((resolve) => setImmediate(resolve));
    const received: PDU[] = [];
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    session.on('pdu', (pdu: PDU) => {
      received.push(pdu);
      if (received.length === 3) resolveAll();
    });
    const wire = Buffer.concat([
      encodeResponse(CMD_SUBMIT_SM_RESP, 1, 0, 'm-1'),
      new smpp.PDU('enquire_link', { sequence_number: 2 }).toBuffer(),
      encodeShortMessage(CMD_DELIVER_SM, 3, submit({ mediaUrls: null })),
    ]);
    const socket = peer as Socket;
    // Byte by byte at first, so a header and a body arrive in different reads.
    for (let i = 0; i < 20; i++) {
      socket.write(wire.subarray(i, i + 1));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    socket.write(wire.subarray(20));
    await all;
    assert.deepEqual(
      received.map((p) => [p.command, p.sequence_number]),
      [
        ['submit_sm_resp', 1],
        ['enquire_link', 2],
        ['deliver_sm', 3],
      ],
    );
    assert.equal(received[0]!.message_id, 'm-1');
    assert.equal(bodyOf(received[2]!), 'Hello {world} €5');
  } finally {
    session.destroy();
    (peer as Socket | null)?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
