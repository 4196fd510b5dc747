import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smsSegments } from './sms.js';

test('empty body is one GSM-7 segment', () => {
  assert.deepEqual(smsSegments(''), { encoding: 'GSM-7', segments: 1, units: 0 });
});

test('GSM-7 boundaries: 160 / 161 / 306 / 307', () => {
  assert.deepEqual(smsSegments('a'.repeat(160)), { encoding: 'GSM-7', segments: 1, units: 160 });
  assert.deepEqual(smsSegments('a'.repeat(161)), { encoding: 'GSM-7', segments: 2, units: 161 });
  assert.deepEqual(smsSegments('a'.repeat(153 * 2)), { encoding: 'GSM-7', segments: 2, units: 306 });
  assert.deepEqual(smsSegments('a'.repeat(307)), { encoding: 'GSM-7', segments: 3, units: 307 });
});

test('extension characters count two septets', () => {
  assert.deepEqual(smsSegments('€'), { encoding: 'GSM-7', segments: 1, units: 2 });
  assert.deepEqual(smsSegments('{}[]~|^\\\f'), { encoding: 'GSM-7', segments: 1, units: 18 });
  assert.deepEqual(smsSegments('€'.repeat(80)), { encoding: 'GSM-7', segments: 1, units: 160 });
  assert.equal(smsSegments('a'.repeat(159) + '€').segments, 2);
});

test('an escape pair is never split across segments', () => {
  // 152 plain septets leave one free in part 1: the euro moves whole into part 2.
  const body = 'a'.repeat(152) + '€' + 'a'.repeat(152);
  const result = smsSegments(body);
  assert.equal(result.units, 306);
  assert.equal(result.segments, 3);
});

test('GSM-7 basic set includes accented and Greek letters', () => {
  assert.equal(smsSegments('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r').encoding, 'GSM-7');
});

test('UCS-2: one emoji switches encoding; 70 / 71 boundary', () => {
  assert.deepEqual(smsSegments('hi 😀'), { encoding: 'UCS-2', segments: 1, units: 5 });
  assert.deepEqual(smsSegments('ж'.repeat(70)), { encoding: 'UCS-2', segments: 1, units: 70 });
  assert.deepEqual(smsSegments('ж'.repeat(71)), { encoding: 'UCS-2', segments: 2, units: 71 });
  assert.equal(smsSegments('ж'.repeat(134)).segments, 2);
  assert.equal(smsSegments('ж'.repeat(135)).segments, 3);
});

test('surrogate pairs are not split across UCS-2 segments', () => {
  // 66 code units then an emoji (2 units) would straddle the 67-unit boundary.
  const body = 'ж'.repeat(66) + '😀' + 'ж'.repeat(66);
  const result = smsSegments(body);
  assert.equal(result.units, 134);
  assert.equal(result.segments, 3);
  assert.equal(smsSegments('😀'.repeat(35)).segments, 1);
  assert.equal(smsSegments('😀'.repeat(36)).segments, 2);
});

test('a 1600-character body', () => {
  assert.deepEqual(smsSegments('x'.repeat(1600)), { encoding: 'GSM-7', segments: 11, units: 1600 });
  assert.deepEqual(smsSegments('ж'.repeat(1600)), { encoding: 'UCS-2', segments: 24, units: 1600 });
});
