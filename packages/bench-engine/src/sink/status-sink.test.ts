import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeForm, signWebhook } from '@twilio-lab/core';
import { MetricsRecorder } from '../runtime/recorder.js';
import { decodeHistogram } from '../runtime/histogram.js';
import { StatusSink } from './status-sink.js';

const TOKEN = 'a'.repeat(32);
const SID = 'SM' + '1'.repeat(32);

describe('webhook sink', () => {
  let sink: StatusSink;
  const recorder = new MetricsRecorder();

  before(async () => {
    sink = await StatusSink.start({ authToken: TOKEN, recorder });
  });
  after(async () => {
    await sink.close();
  });

  async function callback(
    params: Record<string, string>,
    opts: { token?: string; signWith?: string; idempotency?: string } = {},
  ): Promise<number> {
    const signature = signWebhook(opts.signWith ?? TOKEN, sink.url, params);
    const res = await fetch(sink.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        ...(opts.idempotency ? { 'i-twilio-idempotency-token': opts.idempotency } : {}),
      },
      body: encodeForm(params),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it('rejects a callback whose X-Twilio-Signature does not validate (403, counted)', async () => {
    assert.equal(
      await callback({ MessageSid: SID, MessageStatus: 'sent' }, { signWith: 'b'.repeat(32) }),
      403,
    );
    const res = await fetch(sink.url, { method: 'POST', body: 'MessageSid=x&MessageStatus=sent' });
    assert.equal(res.status, 403, 'no signature at all');
    await res.arrayBuffer();
    const counted = recorder.snapshot(0, 1).series.find((s) => s.metric === 'sink_invalid_signature');
    assert.ok(counted?.type === 'counter');
    assert.equal(counted.value, 2);
  });

  it('accepts signed callbacks, measures 201 → delivered, reconciles and counts duplicates', async () => {
    const acceptedAt = performance.timeOrigin + performance.now();
    let settled: [string, boolean] | undefined;
    // The callback for 'sending' beats the load thread's note; 'delivered' comes after it.
    assert.equal(
      await callback({ MessageSid: SID, MessageStatus: 'sending' }, { idempotency: 'tok-1' }),
      200,
    );
    sink.expect(SID, acceptedAt, 'delivered', { scenario: 's' }, (status, ok) => (settled = [status, ok]));
    assert.equal(settled, undefined);
    assert.equal(sink.outstanding, 1);
    assert.equal(
      await callback({ MessageSid: SID, MessageStatus: 'delivered' }, { idempotency: 'tok-2' }),
      200,
    );
    assert.deepEqual(settled, ['delivered', true]);
    // A retry of the same callback (same token) and a repeat with a new token.
    await callback({ MessageSid: SID, MessageStatus: 'delivered' }, { idempotency: 'tok-2' });
    await callback({ MessageSid: SID, MessageStatus: 'delivered' }, { idempotency: 'tok-3' });

    const lostSid = 'SM' + '2'.repeat(32);
    sink.expect(lostSid, acceptedAt, undefined);
    await callback({ MessageSid: lostSid, MessageStatus: 'sent' });

    const r = await sink.reconcile(100);
    assert.equal(r.accepted, 2);
    assert.equal(r.terminal, 1);
    assert.equal(r.lost, 1);
    assert.equal(r.duplicates, 2);
    assert.equal(r.duplicatesWithNewToken, 1);
    assert.deepEqual(r.byStatus, { delivered: 1, sent: 1 });

    const series = recorder.snapshot(0, 1).series;
    const e2e = series.find((s) => s.metric === 'sms_e2e_duration');
    assert.ok(e2e?.type === 'trend');
    assert.equal(e2e.count, 1);
    assert.equal(decodeHistogram(e2e.histogram).totalCount, 1);
    const lost = series.find((s) => s.metric === 'messages_lost');
    assert.ok(lost?.type === 'counter');
    assert.equal(lost.value, 1);
  });

  it('settles a wait as failed when the message fails', async () => {
    const sid = 'SM' + '3'.repeat(32);
    let settled: [string, boolean] | undefined;
    sink.expect(sid, 0, 'delivered', {}, (status, ok) => (settled = [status, ok]));
    await callback({ MessageSid: sid, MessageStatus: 'undelivered' });
    assert.deepEqual(settled, ['undelivered', false]);
  });
});

describe('webhook sink over several accounts', () => {
  const accounts = { ['AC' + 'a'.repeat(32)]: 'c'.repeat(32), ['AC' + 'b'.repeat(32)]: 'd'.repeat(32) };
  let sink: StatusSink;
  const recorder = new MetricsRecorder();

  before(async () => {
    sink = await StatusSink.start({ authToken: 'unused', accounts, recorder });
  });
  after(async () => {
    await sink.close();
  });

  async function post(params: Record<string, string>, signWith: string): Promise<number> {
    const res = await fetch(sink.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signWebhook(signWith, sink.url, params),
      },
      body: encodeForm(params),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it('checks each callback against the token of the account it names, and refuses the rest', async () => {
    const [[sidA, tokenA], [sidB, tokenB]] = Object.entries(accounts) as [[string, string], [string, string]];
    const msgA = 'SM' + '4'.repeat(32);
    const msgB = 'SM' + '5'.repeat(32);
    sink.expect(msgA, 0);
    sink.expect(msgB, 0);
    assert.equal(await post({ AccountSid: sidA, MessageSid: msgA, MessageStatus: 'delivered' }, tokenA), 200);
    assert.equal(await post({ AccountSid: sidB, MessageSid: msgB, MessageStatus: 'delivered' }, tokenB), 200);
    // Signed with the other account's token, from an account of no one's, and naming no account.
    assert.equal(await post({ AccountSid: sidA, MessageSid: msgA, MessageStatus: 'sent' }, tokenB), 403);
    const stranger = 'AC' + 'e'.repeat(32);
    assert.equal(await post({ AccountSid: stranger, MessageSid: msgA, MessageStatus: 'sent' }, tokenA), 403);
    assert.equal(await post({ MessageSid: msgA, MessageStatus: 'sent' }, tokenA), 403);
    // The main-account token alone no longer signs anything once accounts are given.
    assert.equal(await post({ AccountSid: sidA, MessageSid: msgA, MessageStatus: 'sent' }, 'unused'), 403);

    const r = await sink.reconcile(100);
    assert.equal(r.accepted, 2);
    assert.equal(r.terminal, 2);
    assert.equal(r.lost, 0);
    assert.equal(r.invalidSignatures, 4);
    assert.deepEqual(r.byStatus, { delivered: 2 });
  });
});
