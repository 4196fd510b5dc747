import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonResponse } from './json.js';

test('jsonResponse serializes the body and sets the content type', () => {
  const res = jsonResponse(201, { sid: 'SM1', n: 1 }, { etag: 'x' });
  assert.equal(res.status, 201);
  assert.equal(res.body, '{"sid":"SM1","n":1}');
  assert.deepEqual(res.headers, { 'content-type': 'application/json', etag: 'x' });
});

test('jsonResponse with an undefined body is empty (204)', () => {
  const res = jsonResponse(204, undefined);
  assert.equal(res.status, 204);
  assert.equal(res.body, '');
});
