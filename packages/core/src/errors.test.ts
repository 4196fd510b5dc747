import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ERROR_CATALOGUE,
  TwilioError,
  errorBody,
  errorResponse,
  notFound,
  toErrorResponse,
  twilioError,
} from './errors.js';

test('twilioError takes status and message from the catalogue', () => {
  const err = twilioError(21604);
  assert.ok(err instanceof TwilioError);
  assert.ok(err instanceof Error);
  assert.equal(err.code, 21604);
  assert.equal(err.status, 400);
  assert.equal(err.message, ERROR_CATALOGUE[21604]!.message);
  assert.equal(err.moreInfo, 'https://www.twilio.com/docs/errors/21604');
  assert.deepEqual(err.headers, {});
  assert.equal(err.detail, undefined);
});

test('message and status can be overridden', () => {
  const err = twilioError(20001, 'Invalid PageSize', { status: 422 });
  assert.equal(err.message, 'Invalid PageSize');
  assert.equal(err.status, 422);
});

test('error body has exactly code, message, more_info, status', () => {
  const body = JSON.parse(errorBody(twilioError(21211, 'bad To')));
  assert.deepEqual(body, {
    code: 21211,
    message: 'bad To',
    more_info: 'https://www.twilio.com/docs/errors/21211',
    status: 400,
  });
  assert.deepEqual(Object.keys(body), ['code', 'message', 'more_info', 'status']);
});

test('20003 carries Authenticate and its detail', () => {
  const body = JSON.parse(errorBody(twilioError(20003)));
  assert.deepEqual(body, {
    code: 20003,
    message: 'Authenticate',
    more_info: 'https://www.twilio.com/docs/errors/20003',
    status: 401,
    detail: 'Your AccountSid or AuthToken was incorrect.',
  });
  assert.equal('type' in body, false);
  assert.equal('title' in body, false);
});

test('errorResponse passes headers such as Retry-After through', () => {
  const res = errorResponse(twilioError(20429, undefined, { headers: { 'Retry-After': '3' } }));
  assert.equal(res.status, 429);
  assert.equal(res.headers?.['Retry-After'], '3');
  assert.equal(res.headers?.['content-type'], 'application/json');
  assert.equal(JSON.parse(res.body).code, 20429);
});

test('toErrorResponse keeps TwilioErrors', () => {
  const res = toErrorResponse(twilioError(21602));
  assert.equal(res.status, 400);
  assert.equal(JSON.parse(res.body).code, 21602);
});

test('toErrorResponse turns anything else into a 500 without leaking internals', () => {
  for (const thrown of [
    new Error('SQLITE_BUSY at /srv/secret/db.sqlite'),
    'boom',
    undefined,
    { code: 21211 },
  ]) {
    const res = toErrorResponse(thrown);
    assert.equal(res.status, 500);
    const body = JSON.parse(res.body);
    assert.equal(body.code, 20500);
    assert.equal(body.status, 500);
    assert.doesNotMatch(res.body, /SQLITE|secret|boom/);
  }
});

test('notFound names the path', () => {
  const err = notFound('/2010-04-01/Accounts/AC1/Messages/SM1.json');
  assert.equal(err.status, 404);
  assert.equal(err.code, 20404);
  assert.equal(
    err.message,
    'The requested resource /2010-04-01/Accounts/AC1/Messages/SM1.json was not found',
  );
});

test('catalogue statuses for the codes the gateway relies on', () => {
  const expected: Record<number, number> = {
    20001: 400,
    20003: 401,
    20004: 405,
    20005: 403,
    20008: 403,
    20404: 404,
    20413: 413,
    20429: 429,
    20500: 500,
    20503: 503,
    12100: 400,
  };
  for (const [code, status] of Object.entries(expected)) {
    assert.equal(ERROR_CATALOGUE[Number(code)]?.status, status, `status of ${code}`);
  }
  for (const code of [21201, 21213, 21408, 21421, 21452, 21601, 21606, 21610, 21611, 21612, 21614, 21617]) {
    assert.ok(ERROR_CATALOGUE[code], `catalogue has ${code}`);
  }
});

test('an uncatalogued code still yields a usable error', () => {
  const err = twilioError(99999);
  assert.equal(err.status, 400);
  assert.match(err.message, /99999/);
});
