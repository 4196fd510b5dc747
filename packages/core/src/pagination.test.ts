import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwilioError } from './errors.js';
import { FormParams } from './form.js';
import { decodePageToken, encodePageToken, list2010, listV1, readPaging } from './pagination.js';

test('page tokens round-trip with their direction', () => {
  const cursor = [1_558_719_886_000, 'SM0123456789abcdef0123456789abcdef', 'é/+?&'];
  const next = encodePageToken(cursor, 'next');
  const prev = encodePageToken(cursor, 'prev');
  assert.ok(next.startsWith('PA'));
  assert.ok(prev.startsWith('PB'));
  assert.match(next, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodePageToken(next), { cursor, direction: 'next' });
  assert.deepEqual(decodePageToken(prev), { cursor, direction: 'prev' });
});

test('garbage page tokens decode to null', () => {
  const garbage = [
    '',
    'PA',
    'garbage',
    'PX' + Buffer.from('[1]').toString('base64url'),
    'PA' + Buffer.from('{"a":1}').toString('base64url'),
    'PA' + Buffer.from('[{"a":1}]').toString('base64url'),
    'PA' + Buffer.from('[1,').toString('base64url'),
    'PA!!!!',
    'PA' + 'A'.repeat(10_000),
  ];
  for (const token of garbage) assert.equal(decodePageToken(token), null, token);
});

test('readPaging defaults', () => {
  assert.deepEqual(readPaging(FormParams.parse('')), { pageSize: 50, page: 0, token: null });
});

test('readPaging reads PageSize, Page and PageToken', () => {
  const token = encodePageToken(['x', 3], 'next');
  const paging = readPaging(FormParams.parse(`PageSize=1000&Page=2&PageToken=${token}`));
  assert.deepEqual(paging, { pageSize: 1000, page: 2, token: { cursor: ['x', 3], direction: 'next' } });
  assert.equal(readPaging(FormParams.parse('PageSize=1')).pageSize, 1);
});

function assertInvalid(query: string, message: RegExp): void {
  assert.throws(
    () => readPaging(FormParams.parse(query)),
    (e: unknown) =>
      e instanceof TwilioError && e.code === 20001 && e.status === 400 && message.test(e.message),
    query,
  );
}

test('readPaging rejects out-of-range sizes and bad tokens with 20001', () => {
  for (const q of [
    'PageSize=0',
    'PageSize=1001',
    'PageSize=-1',
    'PageSize=abc',
    'PageSize=1.5',
    'PageSize=',
  ]) {
    assertInvalid(q, /Invalid PageSize/);
  }
  assertInvalid('Page=-1', /Invalid Page/);
  assertInvalid('PageToken=nope', /Invalid PageToken/);
});

const PATH = '/2010-04-01/Accounts/ACxx/Messages.json';

test('list2010: first page with a next page keeps filters, URIs relative', () => {
  const query = FormParams.parse('To=%2B15005550006&DateSent%3C=2019-05-24&PageSize=2');
  const body = list2010({
    key: 'messages',
    path: PATH,
    query,
    records: [{ sid: 'a' }, { sid: 'b' }],
    pageSize: 2,
    page: 0,
    nextToken: 'PAnext',
    prevToken: null,
  });
  const filters = 'To=%2B15005550006&DateSent%3C=2019-05-24';
  assert.deepEqual(body, {
    messages: [{ sid: 'a' }, { sid: 'b' }],
    first_page_uri: `${PATH}?${filters}&PageSize=2&Page=0`,
    next_page_uri: `${PATH}?${filters}&PageSize=2&Page=1&PageToken=PAnext`,
    previous_page_uri: null,
    page: 0,
    page_size: 2,
    start: 0,
    end: 1,
    uri: `${PATH}?${filters}&PageSize=2&Page=0`,
  });
  // The filters survive a round trip through the next link.
  const next = FormParams.parse((body.next_page_uri as string).split('?')[1]!);
  assert.equal(next.get('DateSent<'), '2019-05-24');
  assert.equal(next.get('To'), '+15005550006');
});

test('list2010: middle page links both ways', () => {
  const body = list2010({
    key: 'calls',
    path: PATH,
    query: FormParams.parse('PageSize=2&Page=1&PageToken=PAcur'),
    records: [{}, {}],
    pageSize: 2,
    page: 1,
    nextToken: 'PAn',
    prevToken: 'PBp',
  });
  assert.equal(body.next_page_uri, `${PATH}?PageSize=2&Page=2&PageToken=PAn`);
  assert.equal(body.previous_page_uri, `${PATH}?PageSize=2&Page=0&PageToken=PBp`);
  assert.equal(body.uri, `${PATH}?PageSize=2&Page=1&PageToken=PAcur`);
  assert.equal(body.first_page_uri, `${PATH}?PageSize=2&Page=0`);
  assert.equal(body.start, 2);
  assert.equal(body.end, 3);
  assert.deepEqual(body.calls, [{}, {}]);
});

test('list2010: last (short) page has no next; empty page clamps end to start', () => {
  const last = list2010({
    key: 'messages',
    path: PATH,
    query: FormParams.parse(''),
    records: [{}],
    pageSize: 2,
    page: 2,
    nextToken: null,
    prevToken: 'PBp',
  });
  assert.equal(last.next_page_uri, null);
  assert.equal(last.start, 4);
  assert.equal(last.end, 4);
  const empty = list2010({
    key: 'messages',
    path: PATH,
    query: FormParams.parse(''),
    records: [],
    pageSize: 50,
    page: 0,
    nextToken: null,
    prevToken: null,
  });
  assert.equal(empty.start, 0);
  assert.equal(empty.end, 0);
  assert.equal(empty.previous_page_uri, null);
});

test('listV1: absolute URLs with origin and prefix, meta.key names the array', () => {
  const origin = 'http://127.0.0.1:3000';
  const base = `${origin}/messaging/v1/Services`;
  const first = listV1({
    key: 'services',
    origin,
    prefix: '/messaging',
    path: '/v1/Services',
    query: FormParams.parse('FriendlyName=a+b'),
    records: [{ sid: 'MG1' }],
    pageSize: 1,
    page: 0,
    nextToken: 'PAn',
    prevToken: null,
  });
  assert.deepEqual(first, {
    services: [{ sid: 'MG1' }],
    meta: {
      page: 0,
      page_size: 1,
      first_page_url: `${base}?FriendlyName=a+b&PageSize=1&Page=0`,
      previous_page_url: null,
      next_page_url: `${base}?FriendlyName=a+b&PageSize=1&Page=1&PageToken=PAn`,
      key: 'services',
      url: `${base}?FriendlyName=a+b&PageSize=1&Page=0`,
    },
  });
  const last = listV1({
    key: 'services',
    origin,
    prefix: '/messaging',
    path: '/v1/Services',
    query: FormParams.parse('PageSize=1&Page=1&PageToken=PAn'),
    records: [{ sid: 'MG2' }],
    pageSize: 1,
    page: 1,
    nextToken: null,
    prevToken: 'PBp',
  });
  const meta = last.meta as Record<string, unknown>;
  assert.equal(meta.next_page_url, null);
  assert.equal(meta.previous_page_url, `${base}?PageSize=1&Page=0&PageToken=PBp`);
  assert.equal(meta.url, `${base}?PageSize=1&Page=1&PageToken=PAn`);
});
