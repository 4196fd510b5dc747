import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_NUMBERS, countryOf, isE164 } from './phone.js';

test('isE164', () => {
  for (const ok of ['+15005550006', '+447700900123', '+3312345', '+123456789012345'])
    assert.equal(isE164(ok), true, ok);
  for (const bad of [
    '15005550006',
    '+05005550006',
    '+1 500 555',
    '+123456',
    '+1234567890123456',
    '',
    '+1555abc1234',
  ]) {
    assert.equal(isE164(bad), false, bad);
  }
});

test('countryOf uses the longest calling-code prefix', () => {
  assert.equal(countryOf('+14155551234'), 'US');
  assert.equal(countryOf('+14165551234'), 'CA');
  assert.equal(countryOf('+447700900123'), 'GB');
  assert.equal(countryOf('+33612345678'), 'FR');
  assert.equal(countryOf('+4915112345678'), 'DE');
  assert.equal(countryOf('+353851234567'), 'IE');
  assert.equal(countryOf('+35812345678'), 'FI');
  assert.equal(countryOf('+6591234567'), 'SG');
  assert.equal(countryOf('+919812345678'), 'IN');
  assert.equal(countryOf('+5511912345678'), 'BR');
  assert.equal(countryOf('+999123456789'), undefined);
  assert.equal(countryOf('not a number'), undefined);
});

test('TEST_NUMBERS holds the magic numbers', () => {
  assert.equal(TEST_NUMBERS.to['+15005550001'], 21211);
  assert.equal(TEST_NUMBERS.to['+15005550004'], 21610);
  assert.equal(TEST_NUMBERS.from['+15005550007'], 21606);
  assert.equal(TEST_NUMBERS.validFrom, '+15005550006');
  assert.equal(TEST_NUMBERS.to[TEST_NUMBERS.validFrom], undefined);
});
