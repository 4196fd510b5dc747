import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabInfo } from '@twilio-lab/lab';
import {
  formatCarriers,
  formatDeadLetters,
  formatInbox,
  formatLabInfo,
  formatSent,
  formatStatus,
  renderTable,
} from './format.js';
import { SAMPLE_MESSAGE, SAMPLE_STATUS } from './test-support.js';

const INFO: LabInfo = {
  baseUrl: 'http://127.0.0.1:3000',
  port: 3000,
  accountSid: 'AC' + '1'.repeat(32),
  authToken: 'f'.repeat(32),
  adminToken: 'e'.repeat(32),
  dataDir: null,
  backend: 'embedded',
  engines: null,
  pid: 99,
  startedAt: '2024-05-01T12:00:00Z',
  carriers: [{ name: 'us-mobile', address: '127.0.0.1:2775', prefixes: ['+1'] }],
};

test('renderTable aligns columns on the widest cell', () => {
  assert.equal(
    renderTable(
      ['A', 'BB', 'C'],
      [
        ['xxx', 'y', 'z'],
        ['1', '22', ''],
      ],
    ),
    'A    BB  C\nxxx  y   z\n1    22',
  );
});

test('formatLabInfo gives the credentials, the export lines and the client snippet', () => {
  const text = formatLabInfo(INFO);
  assert.match(text, /^twilio-lab is up at http:\/\/127\.0\.0\.1:3000 \(pid 99\)/);
  assert.ok(text.includes(`export TWILIO_ACCOUNT_SID=${INFO.accountSid}`));
  assert.ok(text.includes(`export TWILIO_AUTH_TOKEN=${INFO.authToken}`));
  assert.ok(text.includes(`export TWILIO_LAB_ADMIN_TOKEN=${INFO.adminToken}`));
  assert.ok(text.includes("labClient('http://127.0.0.1:3000', process.env.TWILIO_ACCOUNT_SID"));
  assert.match(text, /us-mobile\s+\+1\s+127\.0\.0\.1:2775/);
  assert.match(text, /in memory \(--ephemeral\)/);
  assert.match(formatLabInfo({ ...INFO, dataDir: '/tmp/lab' }), /Data {10}\/tmp\/lab/);
});

test('formatStatus lists counters in lifecycle order with the total last', () => {
  const text = formatStatus(SAMPLE_STATUS, 'http://127.0.0.1:3000');
  assert.match(text, /pid 4242 {2}up 12 s {2}RSS 150\.0 MB/);
  const states = [...text.matchAll(/^(\w+)\s+\d+$/gm)].map((m) => m[1]);
  assert.deepEqual(states, ['accepted', 'queued', 'sent', 'delivered', 'failed', 'received', 'total']);
  assert.match(text, /dead letters 1/);
});

test('formatInbox shows each message and says so when there is none', () => {
  assert.equal(formatInbox('+15558675310', []), 'No messages for +15558675310.');
  const text = formatInbox('+15558675310', [{ ...SAMPLE_MESSAGE, media_urls: ['https://a/1.png'] }]);
  const lines = text.split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^DATE\s+DIRECTION\s+FROM\s+TO\s+CARRIER\s+BODY$/);
  assert.match(
    lines[1] ?? '',
    /\+15005550006\s+\+15558675310\s+us-mobile\s+Your code is 1234 \[\+1 media\]$/,
  );
});

test('formatSent names the carrier and the SID when known', () => {
  assert.equal(
    formatSent({ ...SAMPLE_MESSAGE, message_sid: null }),
    'Sent from +15005550006 to +15558675310 via us-mobile.',
  );
});

test('formatDeadLetters and formatCarriers', () => {
  assert.match(formatDeadLetters([]), /No dead letters/);
  const letters = formatDeadLetters([
    {
      id: 1,
      account_sid: 'AC1',
      kind: 'status_callback',
      resource_sid: 'SM1',
      url: 'http://127.0.0.1:9/cb',
      method: 'POST',
      attempts: 5,
      last_error: 'ECONNREFUSED',
      date_created: '2024-05-01T12:00:00Z',
    },
  ]);
  assert.match(letters, /status_callback\s+SM1\s+5\s+POST http:\/\/127\.0\.0\.1:9\/cb\s+ECONNREFUSED$/m);
  const carriers = formatCarriers([
    {
      name: 'eu-mobile',
      region: 'eu',
      prefixes: ['+33', '+44'],
      bound: 2,
      submitted: 10,
      delivered: 9,
      failed: 1,
      throttled: 0,
      address: null,
    },
  ]);
  assert.match(carriers, /eu-mobile\s+eu\s+\+33,\+44\s+2\s+10\s+9\s+1\s+0\s+-$/m);
});
