import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lineTypeOf } from './line-type.js';
import { parseNumber } from './number-parse.js';

function lineType(e164: string): string {
  const parsed = parseNumber(e164, undefined);
  assert.equal(parsed.valid, true, `${e164} should be valid`);
  return lineTypeOf(parsed.phoneNumber, parsed.numberType);
}

describe('lineTypeOf', () => {
  it('splits North American numbers by subscriber range', () => {
    assert.equal(lineType('+14155550100'), 'mobile');
    assert.equal(lineType('+14155556999'), 'mobile');
    assert.equal(lineType('+14155557000'), 'landline');
    assert.equal(lineType('+14155558999'), 'landline');
    assert.equal(lineType('+14159929960'), 'nonFixedVoip');
  });

  it('takes toll-free and premium ranges from the numbering plan', () => {
    assert.equal(lineType('+18005551234'), 'tollFree');
    assert.equal(lineType('+19005551234'), 'premium');
  });

  it("keeps the meaning Twilio's test numbers have elsewhere in the lab", () => {
    assert.equal(lineType('+15005550006'), 'mobile');
    assert.equal(lineType('+15005550009'), 'landline');
    assert.equal(lineType('+15005550004'), 'personal');
  });

  it('uses the numbering plan outside North America', () => {
    assert.equal(lineType('+447772000001'), 'mobile');
    assert.equal(lineType('+442079460000'), 'landline');
    assert.equal(lineType('+4930123456'), 'landline');
    assert.equal(lineType('+33612345678'), 'mobile');
  });

  it('answers unknown when there is no type', () => {
    assert.equal(lineTypeOf('+10000000000', undefined), 'unknown');
  });
});
