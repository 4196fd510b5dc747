import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTwilioHostname, labUrl } from './index.js';

const BASE = 'http://127.0.0.1:3000';

test('labUrl maps the product host to a path prefix', () => {
  assert.equal(
    labUrl(BASE, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json'),
    'http://127.0.0.1:3000/api/2010-04-01/Accounts/AC1/Messages.json',
  );
  assert.equal(
    labUrl(BASE, 'https://messaging.twilio.com/v1/Services'),
    'http://127.0.0.1:3000/messaging/v1/Services',
  );
});

test('labUrl drops edge and region labels', () => {
  assert.equal(
    labUrl(BASE, 'https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json'),
    'http://127.0.0.1:3000/api/2010-04-01/Accounts.json',
  );
  assert.equal(labUrl(BASE, 'https://verify.ie1.twilio.com/v2/Services'), `${BASE}/verify/v2/Services`);
});

test('labUrl keeps path and query byte for byte, literal plus included', () => {
  assert.equal(
    labUrl(BASE, 'https://lookups.twilio.com/v2/PhoneNumbers/+14155552671?Fields=line_type_intelligence'),
    `${BASE}/lookups/v2/PhoneNumbers/+14155552671?Fields=line_type_intelligence`,
  );
  assert.equal(
    labUrl(BASE, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?DateSent%3C=2024-01-01'),
    `${BASE}/api/2010-04-01/Accounts/AC1/Messages.json?DateSent%3C=2024-01-01`,
  );
});

test('labUrl handles host-only URLs, explicit ports, upper case and trailing slashes in the base', () => {
  assert.equal(labUrl(BASE, 'https://tls-test.twilio.com:443'), `${BASE}/tls-test/`);
  assert.equal(labUrl(`${BASE}//`, 'https://API.Twilio.com/2010-04-01'), `${BASE}/api/2010-04-01`);
  assert.equal(labUrl(BASE, 'https://api.twilio.com?x=1'), `${BASE}/api/?x=1`);
});

test('labUrl leaves URLs that already point elsewhere alone', () => {
  const labNext = 'http://127.0.0.1:3000/messaging/v1/Services?PageSize=50&Page=1&PageToken=PAabc';
  assert.equal(labUrl(BASE, labNext), labNext);
  assert.equal(labUrl(BASE, 'https://example.com/twilio.com/x'), 'https://example.com/twilio.com/x');
  assert.equal(labUrl(BASE, 'https://eviltwilio.com/x'), 'https://eviltwilio.com/x');
  assert.equal(labUrl(BASE, 'https://api.twilio.com.evil.io/x'), 'https://api.twilio.com.evil.io/x');
});

test('isTwilioHostname', () => {
  assert.equal(isTwilioHostname('api.twilio.com'), true);
  assert.equal(isTwilioHostname('api.dublin.ie1.twilio.com'), true);
  assert.equal(isTwilioHostname('127.0.0.1'), false);
  assert.equal(isTwilioHostname('localhost'), false);
  assert.equal(isTwilioHostname('twilio.com.example'), false);
});
