import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormParams, decodePathSegment, encodeForm } from './form.js';

test('repeated keys are kept in order', () => {
  const p = FormParams.parse('MediaUrl=a&To=%2B1555&MediaUrl=b&MediaUrl=c');
  assert.deepEqual(p.getAll('MediaUrl'), ['a', 'b', 'c']);
  assert.equal(p.get('MediaUrl'), 'a');
  assert.equal(p.size, 4);
  assert.deepEqual(p.names(), ['MediaUrl', 'To']);
  assert.deepEqual(p.entries(), [
    ['MediaUrl', 'a'],
    ['To', '+1555'],
    ['MediaUrl', 'b'],
    ['MediaUrl', 'c'],
  ]);
  assert.deepEqual(p.toObject(), { MediaUrl: 'a', To: '+1555' });
});

test("'+' is a space and %2B is a plus", () => {
  const p = FormParams.parse('Body=hello+world&To=%2B15005550006&From=+15005550006');
  assert.equal(p.get('Body'), 'hello world');
  assert.equal(p.get('To'), '+15005550006');
  assert.equal(p.get('From'), ' 15005550006');
});

test('names with < > and dots are kept literally', () => {
  const p = FormParams.parse('DateSent%3C=2019-05-24&DateSent>=2019-01-01&Timers.Inactive=PT5M');
  assert.equal(p.get('DateSent<'), '2019-05-24');
  assert.equal(p.get('DateSent>'), '2019-01-01');
  assert.equal(p.get('Timers.Inactive'), 'PT5M');
  assert.equal(p.has('Timers'), false);
});

test('malformed escapes do not throw and keep the raw text', () => {
  const p = FormParams.parse('a=100%&b=%zz&c=%E0%A4&d=ok%20%ZZ%41');
  assert.equal(p.get('a'), '100%');
  assert.equal(p.get('b'), '%zz');
  assert.equal(p.get('c'), '%E0%A4');
  assert.equal(p.get('d'), 'ok %ZZA');
});

test('UTF-8 and emoji round-trip through toString and parse', () => {
  const body = 'héllo 😀 世界 & = + %';
  const encoded = encodeForm({ Body: body, MediaUrl: ['x', 'y'] });
  assert.equal(encoded.includes('😀'), false);
  const p = FormParams.parse(encoded);
  assert.equal(p.get('Body'), body);
  assert.deepEqual(p.getAll('MediaUrl'), ['x', 'y']);
  assert.equal(FormParams.parse(p.toString()).get('Body'), body);
});

test('empty parts, names without values and empty input', () => {
  const p = FormParams.parse('&a&&b=&=v&');
  assert.equal(p.get('a'), '');
  assert.equal(p.get('b'), '');
  assert.equal(p.get(''), 'v');
  assert.equal(p.get('missing'), undefined);
  assert.deepEqual(p.getAll('missing'), []);
  assert.equal(FormParams.parse('').size, 0);
});

test('a value may contain =', () => {
  assert.equal(FormParams.parse('Attributes=%7B%22a%22%3A1%7D&x=a=b').get('x'), 'a=b');
});

test('from() accepts strings and arrays; getAll returns a copy', () => {
  const p = FormParams.from({ To: '+1', MediaUrl: ['a', 'b'] });
  p.getAll('MediaUrl').push('c');
  assert.deepEqual(p.getAll('MediaUrl'), ['a', 'b']);
  assert.equal(p.toString(), 'To=%2B1&MediaUrl=a&MediaUrl=b');
});

test('decodePathSegment keeps a literal plus', () => {
  assert.equal(decodePathSegment('+15005550006'), '+15005550006');
  assert.equal(decodePathSegment('%2B15005550006'), '+15005550006');
  assert.equal(decodePathSegment('a%20b+c'), 'a b+c');
  assert.equal(decodePathSegment('bad%'), 'bad%');
});
