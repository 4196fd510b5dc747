import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateWebhookSignature } from '@twilio-lab/core';
import { SubmitError } from '@twilio-lab/super-network';
import type { Cache } from '@twilio-lab/backends';
import { eventually, startHarness } from '../test-support.js';
import type { Harness, SinkRequest } from '../test-support.js';

const FROM = '+14155550400';
const TO = '+14155550401';

type Json = Record<string, unknown>;

async function statusOf(h: Harness, sid: string, wanted: string): Promise<Json> {
  return eventually(async () => {
    const m = await h.message(sid);
    return m.status === wanted ? m : undefined;
  }, `${sid} → ${wanted}`);
}

function callbacksFor(h: Harness, path: string, sid: string): SinkRequest[] {
  return h.sink.on(path).filter((r) => r.params.MessageSid === sid);
}

describe('sending pipeline', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision(FROM);
  });
  after(() => h.close());

  async function send(fields: Record<string, string | string[]>): Promise<string> {
    const res = await h.call('POST', h.api('/Messages.json'), fields);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return String(res.json.sid);
  }

  it('queued → sending → sent → delivered, with signed status callbacks in order', async () => {
    const callback = h.sink.url('/status');
    const sid = await send({ To: TO, From: FROM, Body: 'lifecycle', StatusCallback: callback });
    await statusOf(h, sid, 'sent');
    const submitted = h.net.submitted.find((s) => s.messageSid === sid);
    assert.ok(submitted);
    assert.equal(submitted.from, FROM);
    assert.equal(submitted.body, 'lifecycle');
    assert.equal(submitted.encoding, 'GSM-7');
    h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });
    await statusOf(h, sid, 'delivered');
    const calls = await eventually(() => {
      const got = callbacksFor(h, '/status', sid);
      return got.length >= 3 ? got : undefined;
    }, 'three callbacks');
    assert.deepEqual(
      calls.map((c) => c.params.MessageStatus),
      ['sending', 'sent', 'delivered'],
    );
    for (const c of calls) {
      assert.equal(c.method, 'POST');
      assert.equal(c.params.SmsSid, sid);
      assert.equal(c.params.SmsStatus, c.params.MessageStatus);
      assert.equal(c.params.AccountSid, h.account.sid);
      assert.equal(c.params.From, FROM);
      assert.equal(c.params.To, TO);
      assert.equal(c.params.ApiVersion, '2010-04-01');
      assert.equal(c.params.ErrorCode, undefined);
      const signature = String(c.headers['x-twilio-signature']);
      assert.ok(
        validateWebhookSignature(h.account.authToken, signature, callback, c.params),
        'signature verifies',
      );
      assert.ok(!validateWebhookSignature('0'.repeat(32), signature, callback, c.params));
    }
    assert.match(String(calls[2]?.params.RawDlrDoneDate), /^\d{10}$/);

    // Monotonic: a late receipt never moves a delivered message.
    h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'undelivered', errorCode: 30003 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal((await h.message(sid)).status, 'delivered');
  });

  it('a receipt for another account is ignored', async () => {
    const sid = await send({ To: TO, From: FROM, Body: 'x' });
    await statusOf(h, sid, 'sent');
    h.net.receipt({ messageSid: sid, accountSid: h.other.sid, status: 'delivered', errorCode: null });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal((await h.message(sid)).status, 'sent');
  });

  it('undelivered receipts carry error_code and ErrorCode', async () => {
    const sid = await send({ To: TO, From: FROM, Body: 'x', StatusCallback: h.sink.url('/undelivered') });
    await statusOf(h, sid, 'sent');
    h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'undelivered', errorCode: 30003 });
    const m = await statusOf(h, sid, 'undelivered');
    assert.equal(m.error_code, 30003);
    assert.equal(typeof m.error_message, 'string');
    const last = await eventually(
      () => callbacksFor(h, '/undelivered', sid).find((c) => c.params.MessageStatus === 'undelivered'),
      'undelivered callback',
    );
    assert.equal(last.params.ErrorCode, '30003');
  });

  it('a non-retryable SubmitError fails the message with its code', async () => {
    h.net.plan = () => new SubmitError('filtered', 30007, false);
    try {
      const sid = await send({ To: TO, From: FROM, Body: 'x', StatusCallback: h.sink.url('/failed') });
      const m = await statusOf(h, sid, 'failed');
      assert.equal(m.error_code, 30007);
      const cb = await eventually(
        () => callbacksFor(h, '/failed', sid).find((c) => c.params.MessageStatus === 'failed'),
        'failed callback',
      );
      assert.equal(cb.params.ErrorCode, '30007');
    } finally {
      h.net.plan = (sms) => ({ carrier: 'fake', carrierMessageId: sms.messageSid, failedOver: [] });
    }
  });

  it('a retryable SubmitError keeps the message and retries it', async () => {
    h.net.plan = (sms, attempt) =>
      attempt < 3
        ? new SubmitError('throttled', 30008, true, 5)
        : { carrier: 'fake', carrierMessageId: sms.messageSid, failedOver: [] };
    try {
      const sid = await send({ To: TO, From: FROM, Body: 'retry me' });
      const m = await statusOf(h, sid, 'sent');
      assert.equal(m.error_code, null);
      assert.equal(h.net.submitted.filter((s) => s.messageSid === sid).length, 3);
    } finally {
      h.net.plan = (sms) => ({ carrier: 'fake', carrierMessageId: sms.messageSid, failedOver: [] });
    }
  });

  it('a message past its ValidityPeriod fails with 30001 instead of being sent', async () => {
    h.queue.hold();
    const sid = await send({ To: TO, From: FROM, Body: 'late', ValidityPeriod: '5' });
    h.clock.offset = 10_000;
    try {
      await h.queue.release();
      const m = await statusOf(h, sid, 'failed');
      assert.equal(m.error_code, 30001);
      assert.equal(
        h.net.submitted.some((s) => s.messageSid === sid),
        false,
      );
    } finally {
      h.clock.offset = 0;
    }
  });

  it('recovers queued messages after a restart (the embedded queue is rebuilt from the store)', async () => {
    h.queue.hold();
    const sid = await send({ To: TO, From: FROM, Body: 'survives' });
    await h.restart();
    await statusOf(h, sid, 'sent');
    assert.ok(h.net.submitted.some((s) => s.messageSid === sid));
  });
});

describe('Messaging Service sending', () => {
  let h: Harness;
  const US_A = '+14155550500';
  const US_B = '+14155550501';
  const GB = '+447700900500';
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function service(fields: Record<string, string>, numbers: string[]): Promise<string> {
    const svc = await h.call('POST', '/v1/Services', { FriendlyName: 'svc', ...fields });
    const sid = String(svc.json.sid);
    for (const n of numbers) {
      const existing = await h.call('GET', h.api('/IncomingPhoneNumbers.json'), { PhoneNumber: n });
      const list = existing.json.incoming_phone_numbers as Json[];
      const pn = list[0] ?? (await h.provision(n));
      const added = await h.call('POST', `/v1/Services/${sid}/PhoneNumbers`, {
        PhoneNumberSid: String(pn.sid),
      });
      assert.equal(added.status, 201, JSON.stringify(added.json));
    }
    return sid;
  }

  async function sendVia(serviceSid: string, to: string): Promise<Json> {
    const res = await h.call('POST', h.api('/Messages.json'), {
      To: to,
      MessagingServiceSid: serviceSid,
      Body: 'hi',
    });
    assert.equal(res.status, 201);
    assert.equal(res.json.status, 'accepted');
    assert.equal(res.json.from, null);
    assert.equal(res.json.messaging_service_sid, serviceSid);
    return statusOf(h, String(res.json.sid), 'sent');
  }

  it('picks a pool number of the recipient country, and keeps a sticky sender per recipient', async () => {
    const sid = await service({}, [US_A, GB, US_B]);
    assert.equal((await sendVia(sid, '+447700900999')).from, GB);
    const first = (await sendVia(sid, '+14155550999')).from;
    assert.ok(first === US_A || first === US_B);
    const other = (await sendVia(sid, '+14155550998')).from;
    assert.notEqual(other, first, 'round robin moves to the next US number');
    assert.equal((await sendVia(sid, '+14155550999')).from, first, 'sticky');
    assert.equal((await sendVia(sid, '+14155550999')).from, first, 'still sticky');
  });

  it('without StickySender it round-robins', async () => {
    // The numbers now sit in the first service's pool; a new service gets fresh ones.
    const sid = await service({ StickySender: 'false' }, ['+14155550510', '+14155550511']);
    const a = (await sendVia(sid, '+14155550888')).from;
    const b = (await sendVia(sid, '+14155550888')).from;
    assert.notEqual(a, b);
  });

  it('sends the accepted → queued → sending → sent callbacks to the service StatusCallback', async () => {
    const sid = await service({ StatusCallback: h.sink.url('/svc-status') }, ['+14155550520']);
    const m = await sendVia(sid, '+14155550777');
    const calls = await eventually(() => {
      const got = callbacksFor(h, '/svc-status', String(m.sid));
      return got.length >= 3 ? got : undefined;
    }, 'service callbacks');
    assert.deepEqual(
      calls.map((c) => c.params.MessageStatus),
      ['queued', 'sending', 'sent'],
    );
    assert.equal(calls[0]?.params.MessagingServiceSid, sid);
    assert.equal(calls[0]?.params.From, '+14155550520');
  });

  it('schedules (ScheduleType=fixed) and sends at SendAt; a canceled one is never sent', async () => {
    const sid = await service({ StatusCallback: h.sink.url('/scheduled') }, ['+14155550530']);
    const sendAt = new Date(Date.now() + 20 * 60_000).toISOString();
    const make = async (): Promise<string> => {
      const res = await h.call('POST', h.api('/Messages.json'), {
        To: '+14155550666',
        MessagingServiceSid: sid,
        Body: 'later',
        ScheduleType: 'fixed',
        SendAt: sendAt,
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.equal(res.json.status, 'scheduled');
      return String(res.json.sid);
    };
    const kept = await make();
    const dropped = await make();
    const cancel = await h.call('POST', h.api(`/Messages/${dropped}.json`), { Status: 'canceled' });
    assert.equal(cancel.status, 200);
    assert.equal(cancel.json.status, 'canceled');
    await eventually(
      () => callbacksFor(h, '/scheduled', dropped).find((c) => c.params.MessageStatus === 'canceled'),
      'canceled callback',
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal((await h.message(kept)).status, 'scheduled');
    h.clock.offset = 21 * 60_000;
    try {
      await statusOf(h, kept, 'sent');
    } finally {
      h.clock.offset = 0;
    }
    assert.equal((await h.message(dropped)).status, 'canceled');
    assert.equal(
      h.net.submitted.some((s) => s.messageSid === dropped),
      false,
    );
    const again = await h.call('POST', h.api(`/Messages/${kept}.json`), { Status: 'canceled' });
    assert.equal(again.json.code, 20001);
  });
});

describe('realistic sender throughput', () => {
  let h: Harness;
  let refusals = 0;
  before(async () => {
    // The first take of each sender's bucket is refused: the sender must wait and keep order.
    const refused = new Set<string>();
    h = await startHarness({
      profile: 'realistic',
      cache: (inner): Cache => ({
        kind: inner.kind,
        get: (k) => inner.get(k),
        set: (k, v, t) => inner.set(k, v, t),
        del: (k) => inner.del(k),
        incr: (k, t) => inner.incr(k, t),
        close: () => inner.close(),
        async takeToken(key) {
          if (!refused.has(key)) {
            refused.add(key);
            refusals++;
            return { ok: false, retryAfterMs: 5, remaining: 0 };
          }
          return { ok: true, retryAfterMs: 0, remaining: 1 };
        },
      }),
    });
    await h.provision(FROM);
  });
  after(() => h.close());

  it('waits for a send slot and keeps the order of one sender', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      sids.push(
        String(
          (await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: `n${i}` })).json.sid,
        ),
      );
    }
    for (const sid of sids) await statusOf(h, sid, 'sent');
    assert.equal(refusals, 1);
    assert.deepEqual(
      h.net.submitted.map((s) => s.messageSid),
      sids,
    );
  });
});
