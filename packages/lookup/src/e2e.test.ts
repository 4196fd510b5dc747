import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labClient } from '@twilio-lab/client';
import { startGatewayHarness } from './testing/harness.js';
import type { GatewayHarness } from './testing/harness.js';

describe('Lookups v2 through the gateway with the official twilio client', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(() => h.close());

  it('fetches line type intelligence', async () => {
    const client = labClient(h.baseUrl, h.account.sid, h.account.authToken);
    const result = await client.lookups.v2
      .phoneNumbers('+14159929960')
      .fetch({ fields: 'line_type_intelligence' });
    assert.equal(result.phoneNumber, '+14159929960');
    assert.equal(result.callingCountryCode, '1');
    assert.equal(result.countryCode, 'US');
    assert.equal(result.nationalFormat, '(415) 992-9960');
    assert.equal(result.valid, true);
    // The SDK turns the package into a LineTypeIntelligenceInfo with camel-case members.
    assert.deepEqual(
      { ...result.lineTypeIntelligence },
      {
        mobileCountryCode: '310',
        mobileNetworkCode: '410',
        carrierName: 'us-mobile-east',
        type: 'nonFixedVoip',
        errorCode: null,
      },
    );
    assert.equal(result.callerName, null);
    assert.equal(result.url, `${h.baseUrl}/lookups/v2/PhoneNumbers/+14159929960`);
  });

  it('fetches a national number with countryCode, and an invalid one', async () => {
    const client = labClient(h.baseUrl, h.account.sid, h.account.authToken);
    const gb = await client.lookups.v2.phoneNumbers('07772000001').fetch({ countryCode: 'GB' });
    assert.equal(gb.phoneNumber, '+447772000001');
    assert.equal(gb.nationalFormat, '07772 000001');
    const bad = await client.lookups.v2.phoneNumbers('+141599299600').fetch();
    assert.equal(bad.valid, false);
    assert.deepEqual(bad.validationErrors, ['TOO_LONG']);
  });

  it('surfaces an unknown field as a RestException with code 20001', async () => {
    const client = labClient(h.baseUrl, h.account.sid, h.account.authToken);
    await assert.rejects(
      client.lookups.v2.phoneNumbers('+14159929960').fetch({ fields: 'no_such_field' }),
      (error: { status?: number; code?: number }) => error.status === 400 && error.code === 20001,
    );
  });
});
