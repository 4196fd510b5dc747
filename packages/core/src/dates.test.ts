import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iso8601, parseDateFilter, rfc2822 } from './dates.js';

const KNOWN = Date.UTC(2019, 4, 24, 17, 44, 46, 789);

test('rfc2822 formats a known instant exactly', () => {
  assert.equal(rfc2822(KNOWN), 'Fri, 24 May 2019 17:44:46 +0000');
  assert.equal(rfc2822(Date.UTC(2001, 0, 1, 0, 0, 0)), 'Mon, 01 Jan 2001 00:00:00 +0000');
  assert.equal(rfc2822(Date.UTC(1999, 11, 31, 23, 59, 59)), 'Fri, 31 Dec 1999 23:59:59 +0000');
});

test('rfc2822 cache does not return a stale second', () => {
  assert.equal(rfc2822(KNOWN), 'Fri, 24 May 2019 17:44:46 +0000');
  assert.equal(rfc2822(KNOWN + 100), 'Fri, 24 May 2019 17:44:46 +0000');
  assert.equal(rfc2822(KNOWN + 1000), 'Fri, 24 May 2019 17:44:47 +0000');
  assert.equal(rfc2822(KNOWN), 'Fri, 24 May 2019 17:44:46 +0000');
});

test('iso8601 formats at seconds precision', () => {
  assert.equal(iso8601(Date.UTC(2015, 6, 30, 20, 12, 31, 999)), '2015-07-30T20:12:31Z');
  assert.equal(iso8601(Date.UTC(2015, 6, 30, 20, 12, 32)), '2015-07-30T20:12:32Z');
  assert.equal(iso8601(0), '1970-01-01T00:00:00Z');
});

test('parseDateFilter: YYYY-MM-DD is that UTC day', () => {
  assert.deepEqual(parseDateFilter('2019-05-24'), {
    from: Date.UTC(2019, 4, 24),
    to: Date.UTC(2019, 4, 25),
  });
});

test('parseDateFilter: full date-times are that second', () => {
  const t = Date.UTC(2019, 4, 24, 17, 44, 46);
  assert.deepEqual(parseDateFilter('2019-05-24T17:44:46Z'), { from: t, to: t + 1000 });
  assert.deepEqual(parseDateFilter('2019-05-24T17:44:46'), { from: t, to: t + 1000 });
  assert.deepEqual(parseDateFilter('2019-05-24T19:44:46+02:00'), { from: t, to: t + 1000 });
  assert.deepEqual(parseDateFilter('Fri, 24 May 2019 17:44:46 +0000'), { from: t, to: t + 1000 });
});

test('parseDateFilter rejects garbage and impossible dates', () => {
  for (const bad of ['', 'yesterday', '2019-02-30', '2019-13-01', '2019', '24/05/2019', '2019-05-24Tnope']) {
    assert.equal(parseDateFilter(bad), null, bad);
  }
});
