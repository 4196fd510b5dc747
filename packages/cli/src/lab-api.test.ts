import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, LabApi } from './index.js';
import {
  SAMPLE_MESSAGE,
  SAMPLE_STATUS,
  closedPort,
  startFakeLab,
  type FakeHandler,
  type FakeLab,
} from './test-support.js';

let lab: FakeLab;
let handler: FakeHandler = () => ({ status: 500, body: {} });

before(async () => {
  lab = await startFakeLab((req) => handler(req));
});
after(() => lab.close());
beforeEach(() => {
  lab.requests.length = 0;
});

test('status sends the admin token as a Bearer token', async () => {
  handler = () => ({ status: 200, body: SAMPLE_STATUS });
  const status = await new LabApi(lab.url + '/', 'admin-1').status();
  assert.deepEqual(status, SAMPLE_STATUS);
  assert.equal(lab.requests.length, 1);
  assert.equal(lab.requests[0]?.method, 'GET');
  assert.equal(lab.requests[0]?.url, '/lab/v1/Status');
  assert.equal(lab.requests[0]?.authorization, 'Bearer admin-1');
});

test('handsetInbox encodes the number and passes Since in milliseconds', async () => {
  handler = () => ({ status: 200, body: { messages: [SAMPLE_MESSAGE] } });
  const api = new LabApi(lab.url, 't');
  assert.deepEqual(await api.handsetInbox('+15558675310', 1714564800000), [SAMPLE_MESSAGE]);
  await api.handsetInbox('+15558675310');
  assert.deepEqual(
    lab.requests.map((r) => r.url),
    [
      '/lab/v1/Handsets/%2B15558675310/Messages?Since=1714564800000',
      '/lab/v1/Handsets/%2B15558675310/Messages',
    ],
  );
});

test('handsetSend posts To, Body and repeated MediaUrl as a form', async () => {
  handler = () => ({ status: 201, body: { ...SAMPLE_MESSAGE, direction: 'mo' } });
  const sent = await new LabApi(lab.url, 't').handsetSend('+15558675310', {
    to: '+15005550006',
    body: 'STOP & go',
    mediaUrls: ['https://a.example/1.png', 'https://a.example/2.png'],
  });
  assert.equal(sent.direction, 'mo');
  const req = lab.requests[0];
  assert.equal(req?.method, 'POST');
  assert.equal(req?.url, '/lab/v1/Handsets/%2B15558675310/Messages');
  assert.equal(req?.contentType, 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(req?.body);
  assert.equal(form.get('To'), '+15005550006');
  assert.equal(form.get('Body'), 'STOP & go');
  assert.deepEqual(form.getAll('MediaUrl'), ['https://a.example/1.png', 'https://a.example/2.png']);
});

test('deadLetters filters by account and carriers unwraps the list', async () => {
  handler = (req) =>
    req.url.startsWith('/lab/v1/DeadLetters')
      ? { status: 200, body: { dead_letters: [] } }
      : { status: 200, body: { carriers: [{ name: 'us-mobile' }] } };
  const api = new LabApi(lab.url, 't');
  assert.deepEqual(await api.deadLetters('AC123'), []);
  assert.equal((await api.carriers())[0]?.name, 'us-mobile');
  assert.deepEqual(
    lab.requests.map((r) => r.url),
    ['/lab/v1/DeadLetters?AccountSid=AC123', '/lab/v1/Carriers'],
  );
});

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CliError, `expected a CliError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

test('a refused admin token says which token to use', async () => {
  handler = () => ({ status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
  const err = await rejection(new LabApi(lab.url, 'wrong').status());
  assert.equal(err.code, 'LAB_UNAUTHORIZED');
  assert.equal(err.twilioCode, 20003);
  assert.match(err.message, /admin token/);
});

test('a Twilio error body becomes LAB_REQUEST_FAILED with its message and code', async () => {
  handler = () => ({
    status: 400,
    body: { code: 21211, message: "The 'To' number 1 is not a valid phone number.", status: 400 },
  });
  const err = await rejection(new LabApi(lab.url, 't').handsetSend('+15558675310', { to: '1', body: 'x' }));
  assert.equal(err.code, 'LAB_REQUEST_FAILED');
  assert.equal(err.twilioCode, 21211);
  assert.match(err.message, /not a valid phone number.*code 21211/);
  assert.equal(err.exitCode, 1);
});

test('a non-JSON answer is LAB_BAD_RESPONSE', async () => {
  handler = () => ({ status: 200, body: '<html>', raw: true });
  const err = await rejection(new LabApi(lab.url, 't').status());
  assert.equal(err.code, 'LAB_BAD_RESPONSE');
});

test('connection refused tells the user to start the lab', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const err = await rejection(new LabApi(url, 't').status());
  assert.equal(err.code, 'LAB_UNREACHABLE');
  assert.equal(err.message, `The lab at ${url} is not answering; is \`twilio-lab up\` running?`);
});
