import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNumber } from './number-parse.js';

describe('parseNumber', () => {
  it('formats a valid US number in E.164 and national format', () => {
    assert.deepEqual(parseNumber('+14159929960', undefined), {
      phoneNumber: '+14159929960',
      valid: true,
      validationErrors: [],
      callingCountryCode: '1',
      country: 'US',
      nationalFormat: '(415) 992-9960',
      numberType: 'FIXED_LINE_OR_MOBILE',
    });
  });

  it('formats a valid GB mobile number', () => {
    const parsed = parseNumber('+447772000001', undefined);
    assert.equal(parsed.valid, true);
    assert.equal(parsed.callingCountryCode, '44');
    assert.equal(parsed.country, 'GB');
    assert.equal(parsed.nationalFormat, '07772 000001');
    assert.equal(parsed.numberType, 'MOBILE');
  });

  it('reads national input with CountryCode, in any case', () => {
    assert.equal(parseNumber('07772 000001', 'GB').phoneNumber, '+447772000001');
    assert.equal(parseNumber('07772000001', 'gb').phoneNumber, '+447772000001');
  });

  it('defaults national input to North America', () => {
    const parsed = parseNumber('(415) 992-9960', undefined);
    assert.equal(parsed.phoneNumber, '+14159929960');
    assert.equal(parsed.country, 'US');
  });

  it('ignores CountryCode when the number is in E.164', () => {
    assert.equal(parseNumber('+447772000001', 'US').country, 'GB');
  });

  const invalid: [string, string | undefined, string, string][] = [
    ['+141599299600', undefined, 'TOO_LONG', '+141599299600'],
    ['+1415992996', undefined, 'TOO_SHORT', '+1415992996'],
    ['+15551234567', undefined, 'INVALID_BUT_POSSIBLE', '+15551234567'],
    ['+999123456', undefined, 'INVALID_COUNTRY_CODE', '+999123456'],
    ['07772000001', 'ZZ', 'INVALID_COUNTRY_CODE', '07772000001'],
    ['hello', undefined, 'NOT_A_NUMBER', 'hello'],
    ['call 4159929960', undefined, 'NOT_A_NUMBER', 'call 4159929960'],
  ];
  for (const [input, country, error, phoneNumber] of invalid) {
    it(`answers ${error} for ${JSON.stringify(input)}${country ? ' in ' + country : ''}`, () => {
      assert.deepEqual(parseNumber(input, country), {
        phoneNumber,
        valid: false,
        validationErrors: [error],
        callingCountryCode: null,
        country: null,
        nationalFormat: null,
        numberType: undefined,
      });
    });
  }
});
