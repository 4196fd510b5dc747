import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { bodySha256, signWebhook, validateWebhookSignature } from './signature.js';

const TOKEN = '12345';
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const DOC_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};

test('signWebhook matches an HMAC computed by hand from the documented algorithm', () => {
  const url = 'http://127.0.0.1:4000/sms/status?x=1';
  const params = { To: '+15005550006', Body: 'héllo 😀', MessageSid: 'SM1', AccountSid: 'AC1' };
  // Keys sorted: AccountSid, Body, MessageSid, To — each followed by its value.
  const data = url + 'AccountSidAC1' + 'Bodyhéllo 😀' + 'MessageSidSM1' + 'To+15005550006';
  const expected = createHmac('sha1', 'secret-token').update(Buffer.from(data, 'utf8')).digest('base64');
  assert.equal(signWebhook('secret-token', url, params), expected);
});

test('repeated values are sorted (and deduplicated) under their key', () => {
  const url = 'https://example.test/hook';
  const data = url + 'MediaUrlhttp://a' + 'MediaUrlhttp://b' + 'Zz';
  const expected = createHmac('sha1', TOKEN).update(data, 'utf8').digest('base64');
  assert.equal(signWebhook(TOKEN, url, { Z: 'z', MediaUrl: ['http://b', 'http://a', 'http://b'] }), expected);
});

test("signWebhook reproduces Twilio's published example", () => {
  assert.equal(signWebhook(TOKEN, DOC_URL, DOC_PARAMS), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
});

test('validateWebhookSignature accepts a good signature and rejects tampering', () => {
  assert.equal(validateWebhookSignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', DOC_URL, DOC_PARAMS), true);
  assert.equal(
    validateWebhookSignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', DOC_URL, { ...DOC_PARAMS, Digits: '9' }),
    false,
  );
  assert.equal(validateWebhookSignature('54321', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', DOC_URL, DOC_PARAMS), false);
  assert.equal(validateWebhookSignature(TOKEN, 'short', DOC_URL, DOC_PARAMS), false);
  assert.equal(validateWebhookSignature(TOKEN, '', DOC_URL, DOC_PARAMS), false);
});

test('validation accepts the URL with or without the default port', () => {
  const signedWithPort = signWebhook(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', DOC_PARAMS);
  assert.equal(validateWebhookSignature(TOKEN, signedWithPort, DOC_URL, DOC_PARAMS), true);
  const signedWithout = signWebhook(TOKEN, DOC_URL, DOC_PARAMS);
  assert.equal(
    validateWebhookSignature(
      TOKEN,
      signedWithout,
      'https://mycompany.com:443/myapp.php?foo=1&bar=2',
      DOC_PARAMS,
    ),
    true,
  );
  const local = 'http://127.0.0.1:8080/hook';
  assert.equal(
    validateWebhookSignature(TOKEN, signWebhook(TOKEN, 'http://127.0.0.1/hook', {}), local, {}),
    true,
  );
  assert.equal(
    validateWebhookSignature(TOKEN, signWebhook(TOKEN, 'http://127.0.0.1:9090/hook', {}), local, {}),
    false,
  );
});

test('bodySha256 and the JSON-webhook signature match the published vectors', () => {
  const body = '{"property": "value", "boolean": true}';
  const hash = bodySha256(body);
  assert.equal(hash, '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
  assert.equal(signWebhook(TOKEN, `${DOC_URL}&bodySHA256=${hash}`, {}), 'a9nBmqA0ju/hNViExpshrM61xv4=');
});
