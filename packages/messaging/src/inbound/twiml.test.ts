import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TwilioError } from '@twilio-lab/core';
import { optKeyword } from './keywords.js';
import { readMessagingResponse, replyForm, resolveUrl } from './twiml.js';

describe('MessagingResponse reader', () => {
  it('reads <Message> text, <Body>, <Media> and attributes; stops at <Redirect>', () => {
    const actions = readMessagingResponse(
      '<?xml version="1.0"?><Response><!-- hi --><Message>plain</Message>' +
        '<Message to="+1" from="+2" action="/cb"><Body>b &lt;1&gt;</Body><Media>https://m/x.png</Media></Message>' +
        '<Foo/><Redirect method="get">/next</Redirect><Message>never</Message></Response>',
    );
    assert.deepEqual(actions, [
      { verb: 'message', body: 'plain', mediaUrls: [] },
      {
        verb: 'message',
        body: 'b <1>',
        mediaUrls: ['https://m/x.png'],
        to: '+1',
        from: '+2',
        statusCallback: '/cb',
      },
      { verb: 'redirect', url: '/next', method: 'GET' },
    ]);
  });

  it('treats empty and non-XML bodies as no reply, and malformed XML as 12100', () => {
    assert.deepEqual(readMessagingResponse(''), []);
    assert.deepEqual(readMessagingResponse('OK'), []);
    assert.deepEqual(readMessagingResponse('<Other><Message>x</Message></Other>'), []);
    assert.throws(
      () => readMessagingResponse('<Response><Message>x</Response>'),
      (err: unknown) => err instanceof TwilioError && err.code === 12100,
    );
  });

  it('builds the reply form with defaults and resolved URLs', () => {
    const form = replyForm(
      { verb: 'message', body: 'hi', mediaUrls: ['img.png'], statusCallback: 'status' },
      { to: '+1555', from: '+1666', messagingServiceSid: null, baseUrl: 'http://app.local/sms/in' },
    );
    assert.equal(form.get('To'), '+1555');
    assert.equal(form.get('From'), '+1666');
    assert.deepEqual(form.getAll('MediaUrl'), ['http://app.local/sms/img.png']);
    assert.equal(form.get('StatusCallback'), 'http://app.local/sms/status');
    assert.equal(form.has('MessagingServiceSid'), false);
    assert.equal(resolveUrl('/x', 'http://a.b/c/d'), 'http://a.b/x');
  });

  it('recognises opt-out and opt-in keywords, whole message only', () => {
    assert.equal(optKeyword(' Stop\n'), 'opt-out');
    assert.equal(optKeyword('stopall'), 'opt-out');
    assert.equal(optKeyword('QUIT'), 'opt-out');
    assert.equal(optKeyword('unstop'), 'opt-in');
    assert.equal(optKeyword('yes'), 'opt-in');
    assert.equal(optKeyword('please stop'), null);
    assert.equal(optKeyword('STOP'.padEnd(40, ' ') + 'x'), null);
  });
});
