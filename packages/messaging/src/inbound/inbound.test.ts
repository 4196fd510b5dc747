import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateWebhookSignature } from '@twilio-lab/core';
import { eventually, startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

const NUMBER = '+14155550600';
const HANDSET = '+14155550601';

type Json = Record<string, unknown>;

const twiml = (inner: string): { status: number; contentType: string; body: string } => ({
  status: 200,
  contentType: 'text/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`,
});

describe('inbound messages', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision(NUMBER, { SmsUrl: h.sink.url('/sms') });
  });
  after(() => h.close());

  async function inboundList(): Promise<Json[]> {
    const res = await h.call('GET', h.api('/Messages.json'), { To: NUMBER });
    return (res.json.messages as Json[]).filter((m) => m.direction === 'inbound');
  }

  it('persists the message before resolving, calls SmsUrl (signed) and sends the <Message> reply', async () => {
    h.sink.reply = (req) =>
      req.path === '/sms' ? twiml('<Message>Thanks &amp; welcome</Message>') : { status: 200 };
    await h.net.inbound({
      from: HANDSET,
      to: NUMBER,
      body: 'hello 👋',
      mediaUrls: ['https://m.example/a.jpg'],
    });
    // Durable as soon as the carrier's handler resolved.
    const [stored] = await inboundList();
    assert.ok(stored);
    assert.equal(stored.status, 'received');
    assert.equal(stored.from, HANDSET);
    assert.equal(stored.body, 'hello 👋');
    assert.match(String(stored.sid), /^MM/);

    const hook = await eventually(() => h.sink.on('/sms')[0], 'inbound webhook');
    assert.equal(hook.params.MessageSid, stored.sid);
    assert.equal(hook.params.SmsMessageSid, stored.sid);
    assert.equal(hook.params.From, HANDSET);
    assert.equal(hook.params.To, NUMBER);
    assert.equal(hook.params.Body, 'hello 👋');
    assert.equal(hook.params.NumMedia, '1');
    assert.equal(hook.params.MediaUrl0, 'https://m.example/a.jpg');
    assert.equal(hook.params.MediaContentType0, 'image/jpeg');
    assert.equal(hook.params.FromCountry, 'US');
    assert.equal(hook.params.AccountSid, h.account.sid);
    assert.ok(
      validateWebhookSignature(
        h.account.authToken,
        String(hook.headers['x-twilio-signature']),
        h.sink.url('/sms'),
        hook.params,
      ),
    );

    const reply = await eventually(() => h.net.submitted.find((s) => s.to === HANDSET), 'reply submitted');
    assert.equal(reply.from, NUMBER);
    assert.equal(reply.body, 'Thanks & welcome');
    const replyRow = await h.message(reply.messageSid);
    assert.equal(replyRow.direction, 'outbound-reply');
  });

  it('follows <Redirect> (relative URL, method) and uses <Body>/<Media> and attributes', async () => {
    h.sink.reply = (req) => {
      if (req.path === '/sms')
        return twiml('<Redirect method="GET">/next</Redirect><Message>unreachable</Message>');
      if (req.path.startsWith('/next')) {
        return twiml(
          `<Unknown/><Message to="+14155550699" statusCallback="/reply-status"><Body>see pic</Body><Media>https://m.example/p.png</Media></Message>`,
        );
      }
      return { status: 200 };
    };
    const before = h.net.submitted.length;
    await h.net.inbound({ from: HANDSET, to: NUMBER, body: 'redirect please' });
    const reply = await eventually(
      () => h.net.submitted.slice(before).find((s) => s.to === '+14155550699'),
      'redirected reply',
    );
    assert.equal(reply.body, 'see pic');
    assert.deepEqual(reply.mediaUrls, ['https://m.example/p.png']);
    const next = h.sink.requests.find((r) => r.path.startsWith('/next'));
    assert.equal(next?.method, 'GET');
    assert.equal(next?.params.Body, 'redirect please');
    assert.equal(
      h.net.submitted.slice(before).some((s) => s.body === 'unreachable'),
      false,
    );
    await eventually(
      () => h.sink.on('/reply-status').find((c) => c.params.MessageSid === reply.messageSid),
      'reply status callback',
    );
  });

  it('keeps the inbound message when the webhook fails or returns non-XML', async () => {
    h.sink.reply = () => ({ status: 500, body: 'boom' });
    const before = h.net.submitted.length;
    await h.net.inbound({ from: HANDSET, to: NUMBER, body: 'into the void' });
    await h.net.inbound({ from: HANDSET, to: NUMBER, body: 'plain text answer' });
    h.sink.reply = () => ({ status: 200, body: 'ok, not xml' });
    await h.net.inbound({ from: HANDSET, to: NUMBER, body: 'third' });
    const bodies = (await inboundList()).map((m) => m.body);
    assert.ok(bodies.includes('into the void'));
    assert.ok(bodies.includes('third'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(h.net.submitted.length, before);
  });

  it('falls back to SmsFallbackUrl when SmsUrl fails', async () => {
    await h.provision('+14155550610', {
      SmsUrl: h.sink.url('/broken'),
      SmsFallbackUrl: h.sink.url('/fallback'),
    });
    h.sink.reply = (req) =>
      req.path === '/fallback' ? twiml('<Message>from fallback</Message>') : { status: 503, body: 'down' };
    await h.net.inbound({ from: HANDSET, to: '+14155550610', body: 'anyone?' });
    const reply = await eventually(
      () => h.net.submitted.find((s) => s.body === 'from fallback'),
      'fallback reply',
    );
    assert.equal(reply.from, '+14155550610');
    assert.equal(h.sink.on('/broken').length, 1);
  });

  it('ignores inbound for a number this cell does not hold', async () => {
    const count = (await h.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages'))?.n;
    await h.net.inbound({ from: HANDSET, to: '+19995550000', body: 'nobody' });
    assert.equal((await h.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages'))?.n, count);
  });

  it('STOP opts the sender out (21610) and START opts back in', async () => {
    h.sink.reply = () => ({ status: 204 });
    const send = async (): Promise<Json> =>
      (await h.call('POST', h.api('/Messages.json'), { To: HANDSET, From: NUMBER, Body: 'promo' })).json;
    assert.equal((await send()).status, 'queued');
    await h.net.inbound({ from: HANDSET, to: NUMBER, body: '  stop ' });
    const refused = await send();
    assert.equal(refused.code, 21610);
    assert.equal(refused.status, 400);
    // Another recipient is unaffected.
    const other = await h.call('POST', h.api('/Messages.json'), {
      To: '+14155550698',
      From: NUMBER,
      Body: 'promo',
    });
    assert.equal(other.status, 201);
    await h.net.inbound({ from: HANDSET, to: NUMBER, body: 'START' });
    assert.equal((await send()).status, 'queued');
  });
});

describe('inbound through a Messaging Service', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("uses the service's InboundRequestUrl, and STOP opts out of the whole service", async () => {
    const number = await h.provision('+14155550700', { SmsUrl: h.sink.url('/number-hook') });
    const svc = await h.call('POST', '/v1/Services', {
      FriendlyName: 'svc',
      InboundRequestUrl: h.sink.url('/service-hook'),
    });
    const serviceSid = String(svc.json.sid);
    await h.call('POST', `/v1/Services/${serviceSid}/PhoneNumbers`, { PhoneNumberSid: String(number.sid) });
    h.sink.reply = () => ({ status: 204 });
    await h.net.inbound({ from: '+14155550701', to: '+14155550700', body: 'hi' });
    const hook = await eventually(() => h.sink.on('/service-hook')[0], 'service webhook');
    assert.equal(hook.params.MessagingServiceSid, serviceSid);
    assert.equal(h.sink.on('/number-hook').length, 0);

    await h.net.inbound({ from: '+14155550701', to: '+14155550700', body: 'UNSUBSCRIBE' });
    const viaService = await h.call('POST', h.api('/Messages.json'), {
      To: '+14155550701',
      MessagingServiceSid: serviceSid,
      Body: 'x',
    });
    assert.equal(viaService.json.code, 21610);
  });
});
