import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SubmitError } from '@twilio-lab/super-network';
import type { OutboundSms, SubmitResult } from '@twilio-lab/super-network';
import { eventually, startHarness } from '../test-support.js';
import type { Harness, SinkRequest } from '../test-support.js';

const FROM = '+14155550600';
const TO = '+14155550601';

type Json = Record<string, unknown>;

describe('sender and receipt batching', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision(FROM);
  });
  after(() => h.close());

  async function send(fields: Record<string, string>): Promise<string> {
    const res = await h.call('POST', h.api('/Messages.json'), fields);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return String(res.json.sid);
  }

  async function statusOf(sid: string, wanted: string): Promise<Json> {
    return eventually(async () => {
      const m = await h.message(sid);
      return m.status === wanted ? m : undefined;
    }, `${sid} → ${wanted}`);
  }

  function statuses(path: string, sid: string): string[] {
    return h.sink
      .on(path)
      .filter((r: SinkRequest) => r.params.MessageSid === sid)
      .map((r) => String(r.params.MessageStatus));
  }

  /** Holds every submit until the returned release() is called. */
  function gateSubmits(): { started: Promise<void>; release: () => void; restore: () => void } {
    const net = h.net;
    const original = net.submit.bind(net);
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const startedPromise = new Promise<void>((resolve) => {
      started = resolve;
    });
    net.submit = async (sms: OutboundSms): Promise<SubmitResult> => {
      started();
      await gate;
      return original(sms);
    };
    return { started: startedPromise, release, restore: () => (net.submit = original) };
  }

  it('while the submit is in flight the message reads queued; a receipt that overtakes it waits', async () => {
    const gate = gateSubmits();
    try {
      const sid = await send({ To: TO, From: FROM, Body: 'held', StatusCallback: h.sink.url('/held') });
      await gate.started;
      assert.equal((await h.message(sid)).status, 'queued');
      // The carrier's receipt arrives before the sender recorded 'sent'.
      h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal((await h.message(sid)).status, 'queued');
      gate.release();
      const m = await statusOf(sid, 'delivered');
      assert.notEqual(m.date_sent, null);
      assert.notEqual(m.price, null);
      const calls = await eventually(() => {
        const got = statuses('/held', sid);
        return got.length >= 3 ? got : undefined;
      }, 'three callbacks');
      assert.deepEqual(calls, ['sending', 'sent', 'delivered']);
    } finally {
      gate.restore();
    }
  });

  it('a refused submit commits sending and failed together, callbacks in order', async () => {
    h.net.plan = () => new SubmitError('filtered', 30007, false);
    try {
      const sid = await send({ To: TO, From: FROM, Body: 'x', StatusCallback: h.sink.url('/refused') });
      await statusOf(sid, 'failed');
      const calls = await eventually(() => {
        const got = statuses('/refused', sid);
        return got.length >= 2 ? got : undefined;
      }, 'two callbacks');
      assert.deepEqual(calls, ['sending', 'failed']);
    } finally {
      h.net.plan = (sms) => ({ carrier: 'fake', carrierMessageId: sms.messageSid, failedOver: [] });
    }
  });

  it('a retryable failure stores sending (one callback) until the retry succeeds', async () => {
    let attempts = 0;
    let releaseRetry!: () => void;
    const retryGate = new Promise<void>((resolve) => {
      releaseRetry = resolve;
    });
    h.net.plan = (sms, attempt) => {
      attempts = attempt;
      return attempt < 2
        ? new SubmitError('throttled', 30008, true, 5)
        : { carrier: 'fake', carrierMessageId: sms.messageSid, failedOver: [] };
    };
    const net = h.net;
    const original = net.submit.bind(net);
    net.submit = async (sms) => {
      if (attempts >= 1) await retryGate;
      return original(sms);
    };
    try {
      const sid = await send({ To: TO, From: FROM, Body: 'again', StatusCallback: h.sink.url('/again') });
      await statusOf(sid, 'sending');
      releaseRetry();
      await statusOf(sid, 'sent');
      const calls = await eventually(() => {
        const got = statuses('/again', sid);
        return got.length >= 2 ? got : undefined;
      }, 'two callbacks');
      assert.deepEqual(calls, ['sending', 'sent']);
    } finally {
      net.submit = original;
      h.net.plan = (sms) => ({ carrier: 'fake', carrierMessageId: sms.messageSid, failedOver: [] });
    }
  });

  it('applies many receipts of one turn, including two for one message, in arrival order', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 20; i++) sids.push(await send({ To: TO, From: FROM, Body: `m${i}` }));
    for (const sid of sids) await statusOf(sid, 'sent');
    const [first, second] = sids;
    assert.ok(first !== undefined && second !== undefined);
    for (const sid of sids) {
      h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });
    }
    // Later in the same turn: cannot move a delivered message backwards.
    h.net.receipt({ messageSid: first, accountSid: h.account.sid, status: 'undelivered', errorCode: 30003 });
    // Another account's receipt for a message in the batch is ignored.
    h.net.receipt({ messageSid: second, accountSid: h.other.sid, status: 'undelivered', errorCode: 30003 });
    for (const sid of sids) await statusOf(sid, 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await h.message(first)).status, 'delivered');
    assert.equal((await h.message(first)).error_code, null);
  });
});
