import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageJson, messageJsonText, messageResponse } from './representation.js';
import type { MessageRow } from './schema.js';

function row(overrides: Partial<MessageRow> = {}): MessageRow {
  return {
    sid: 'SM0123456789abcdef0123456789abcdef',
    account_sid: 'AC0123456789abcdef0123456789abcdef',
    direction: 'outbound-api',
    status: 'queued',
    from_number: '+15017122661',
    to_number: '+15558675310',
    body: 'Hello',
    num_segments: 1,
    encoding: 'GSM-7',
    num_media: 0,
    media_urls: '[]',
    messaging_service_sid: null,
    status_callback: null,
    validity_period: null,
    send_at: null,
    error_code: null,
    error_message: null,
    price: null,
    date_created: 1_700_000_000_123,
    date_updated: 1_700_000_001_999,
    date_sent: null,
    ...overrides,
  };
}

const cases: [string, MessageRow][] = [
  ['a plain queued SMS', row()],
  [
    'a delivered message with every nullable field set',
    row({
      status: 'delivered',
      error_code: 30003,
      error_message: 'Unreachable destination handset',
      price: '-0.00750',
      messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
      date_sent: 1_700_000_002_000,
      num_media: 2,
      num_segments: 3,
    }),
  ],
  ['no sender yet', row({ from_number: null, status: 'accepted' })],
  ['quotes, backslashes and controls', row({ body: 'say "hi"\\ now\n\ttab\u0000\u001f end' })],
  [
    'unicode, an emoji pair and lone surrogates',
    row({ body: 'héllo \u2028 😀 \ud800 x \udc00', encoding: 'UCS-2' }),
  ],
  ['an empty body', row({ body: '' })],
];

for (const [name, r] of cases) {
  test(`messageJsonText is byte-identical to JSON.stringify(messageJson(row)): ${name}`, () => {
    assert.equal(messageJsonText(r), JSON.stringify(messageJson(r)));
  });
}

test('messageResponse carries the JSON content type and the given status', () => {
  const response = messageResponse(201, row());
  assert.equal(response.status, 201);
  assert.deepEqual(response.headers, { 'content-type': 'application/json' });
  assert.equal(response.body, JSON.stringify(messageJson(row())));
});
