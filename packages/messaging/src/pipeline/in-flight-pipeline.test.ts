import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SubmitError } from '@twilio-lab/super-network';
import type { OutboundSms, SubmitResult } from '@twilio-lab/super-network';
import type { WriteOp } from '@twilio-lab/backends';
import { eventually, startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

const FROM = '+14155550700';
const TO = '+14155550701';

type Json = Record<string, unknown>;

/** Create-a-message and wait-for-a-status helpers over whichever harness a suite holds. */
function messageHelpers(harness: () => Harness): {
  send(fields?: Record<string, string>): Promise<string>;
  statusOf(sid: string, wanted: string): Promise<Json>;
} {
  return {
    async send(fields = {}) {
      const h = harness();
      const res = await h.call('POST', h.api('/Messages.json'), {
        From: FROM,
        To: TO,
        Body: 'hello',
        ...fields,
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return String(res.json.sid);
    },
    async statusOf(sid, wanted) {
      return eventually(async () => {
        const m = await harness().message(sid);
        return m.status === wanted ? m : undefined;
      }, `${sid} → ${wanted}`);
    },
  };
}

/** Counts the module's reads of whole message rows (the in-flight cache is meant to avoid them). */
function countRowReads(h: Harness): { readonly n: number; restore(): void } {
  const store = h.store;
  const original = store.all.bind(store);
  const counter = {
    n: 0,
    restore: () => {
      store.all = original;
    },
  };
  store.all = <T extends object>(sql: string, params?: readonly (string | number | null)[]): Promise<T[]> => {
    if (sql.startsWith('SELECT * FROM messages WHERE sid IN')) counter.n++;
    return original<T>(sql, params);
  };
  return counter;
}

/** Makes the next status write (an UPDATE of messages.status) fail once. */
function failNextStatusWrite(h: Harness): { readonly failed: boolean; restore(): void } {
  const store = h.store;
  const original = store.write.bind(store);
  const state = {
    failed: false,
    restore: () => {
      store.write = original;
    },
  };
  store.write = (ops: readonly WriteOp[]): Promise<number[]> => {
    if (!state.failed && ops[0]?.sql.trimStart().startsWith('UPDATE messages SET status')) {
      state.failed = true;
      return Promise.reject(new Error('disk full'));
    }
    return original(ops);
  };
  return state;
}

/** Holds every submit until release(); `started` resolves when the first one is waiting. */
function gateSubmits(h: Harness): { started: Promise<void>; release: () => void; restore: () => void } {
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

describe('in-flight message cache in the pipeline', () => {
  let h: Harness;
  const restores: (() => void)[] = [];
  before(async () => {
    h = await startHarness();
    await h.provision(FROM);
  });
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
    h.queue.hold();
    return h.queue.release();
  });
  after(() => h.close());

  const { send, statusOf } = messageHelpers(() => h);

  function callbackStatuses(path: string, sid: string): string[] {
    return h.sink
      .on(path)
      .filter((r) => r.params.MessageSid === sid)
      .map((r) => String(r.params.MessageStatus));
  }

  it('sends the redacted body when Body="" lands before the sender sees the message', async () => {
    h.queue.hold();
    const sid = await send();
    const redact = await h.call('POST', h.api(`/Messages/${sid}.json`), { Body: '' });
    assert.equal(redact.status, 200);
    await h.queue.release();
    await statusOf(sid, 'sent');
    const submitted = h.net.submitted.filter((s) => s.messageSid === sid);
    assert.deepEqual(
      submitted.map((s) => s.body),
      [''],
    );
  });

  it('a redaction during the submit is not undone by the outcome, and a retry sends the redacted body', async () => {
    const gate = gateSubmits(h);
    restores.push(gate.restore);
    h.net.plan = (sms, attempt) =>
      attempt === 1
        ? new SubmitError('throttled', 20429, true, 20)
        : { carrier: 'fake', carrierMessageId: 'c-' + sms.messageSid, failedOver: [] };
    restores.push(() => {
      h.net.plan = (sms) => ({ carrier: 'fake', carrierMessageId: 'c-' + sms.messageSid, failedOver: [] });
    });
    const sid = await send();
    await gate.started;
    assert.equal((await h.call('POST', h.api(`/Messages/${sid}.json`), { Body: '' })).status, 200);
    gate.release();
    await statusOf(sid, 'sent');
    const bodies = h.net.submitted.filter((s) => s.messageSid === sid).map((s) => s.body);
    assert.deepEqual(bodies, ['hello', '']);
    await h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });
    const m = await statusOf(sid, 'delivered');
    assert.equal(m.body, '');
  });

  it('a message deleted before the sender sees it is never sent', async () => {
    const held = h.inFlightMessages();
    h.queue.hold();
    const deleted = await send();
    const kept = await send();
    assert.equal((await h.call('DELETE', h.api(`/Messages/${deleted}.json`))).status, 204);
    await h.queue.release();
    await statusOf(kept, 'sent');
    assert.equal(
      h.net.submitted.some((s) => s.messageSid === deleted),
      false,
    );
    assert.equal(h.inFlightMessages(), held + 1, 'only the kept message is held');
    await h.net.receipt({
      messageSid: kept,
      accountSid: h.account.sid,
      status: 'delivered',
      errorCode: null,
    });
    assert.equal(h.inFlightMessages(), held);
  });

  it('a message deleted during its submit stays deleted and is let go', async () => {
    const held = h.inFlightMessages();
    const gate = gateSubmits(h);
    restores.push(gate.restore);
    const sid = await send();
    await gate.started;
    assert.equal((await h.call('DELETE', h.api(`/Messages/${sid}.json`))).status, 204);
    gate.release();
    // The account's next message is sent after this one's outcome was written.
    const next = await send();
    await statusOf(next, 'sent');
    assert.equal(
      h.net.submitted.some((s) => s.messageSid === sid),
      true,
    );
    assert.equal((await h.call('GET', h.api(`/Messages/${sid}.json`))).status, 404);
    assert.equal(h.inFlightMessages(), held + 1, 'only the next message is held');
    // A receipt for it is ignored.
    await h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });
    assert.equal((await h.call('GET', h.api(`/Messages/${sid}.json`))).status, 404);
  });

  it('a failed sender write is retried from the committed state', async () => {
    const path = '/failed-sender-write';
    const failure = failNextStatusWrite(h);
    restores.push(failure.restore);
    const sid = await send({ StatusCallback: h.sink.url(path) });
    await statusOf(sid, 'sent');
    assert.equal(failure.failed, true);
    await eventually(() => callbackStatuses(path, sid).length === 2, 'callbacks');
    // Its changes are made again, callbacks included, not skipped as already done.
    assert.deepEqual(callbackStatuses(path, sid), ['sending', 'sent']);
    assert.equal(h.net.submitted.filter((s) => s.messageSid === sid).length, 2);
  });

  it('a failed receipt write leaves the message to the carrier’s resend', async () => {
    const held = h.inFlightMessages();
    const path = '/failed-receipt-write';
    const sid = await send({ StatusCallback: h.sink.url(path) });
    await statusOf(sid, 'sent');
    const failure = failNextStatusWrite(h);
    restores.push(failure.restore);
    const receipt = {
      messageSid: sid,
      accountSid: h.account.sid,
      status: 'delivered' as const,
      errorCode: null,
    };
    await assert.rejects(h.net.receipt(receipt), /disk full/);
    assert.equal((await h.message(sid)).status, 'sent');
    assert.equal(h.inFlightMessages(), held + 1);
    await h.net.receipt(receipt);
    assert.equal((await h.message(sid)).status, 'delivered');
    await eventually(() => callbackStatuses(path, sid).length === 3, 'callbacks');
    assert.deepEqual(callbackStatuses(path, sid), ['sending', 'sent', 'delivered']);
    assert.equal(h.inFlightMessages(), held);
  });

  it('never holds a scheduled message', async () => {
    const held = h.inFlightMessages();
    const service = await h.call('POST', '/v1/Services', { FriendlyName: 'scheduled' });
    const serviceSid = String(service.json.sid);
    const number = await h.provision('+14155550702');
    await h.call('POST', `/v1/Services/${serviceSid}/PhoneNumbers`, { PhoneNumberSid: String(number.sid) });
    const res = await h.call('POST', h.api('/Messages.json'), {
      To: TO,
      MessagingServiceSid: serviceSid,
      Body: 'later',
      ScheduleType: 'fixed',
      SendAt: new Date(Date.now() + 20 * 60_000).toISOString(),
    });
    assert.equal(res.json.status, 'scheduled', JSON.stringify(res.json));
    assert.equal(h.inFlightMessages(), held);
  });
});

describe('in-flight message cache across a restart', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision(FROM);
  });
  after(() => h.close());

  const { send, statusOf } = messageHelpers(() => h);

  /**
   * A message and the callback its receipt recorded, minus what differs between two messages.
   * The callback is read from the outbox: the harness's webhook dispatcher stays stopped after
   * a restart, so post-restart callbacks are recorded but never delivered.
   */
  async function receiptOutcome(sid: string, status: string): Promise<Json> {
    const message: Json = { ...(await h.message(sid)) };
    for (const k of ['sid', 'uri', 'subresource_uris', 'date_created', 'date_updated', 'date_sent']) {
      delete message[k];
    }
    const outbox = await h.store.all<{ url: string; method: string; params: string }>(
      "SELECT url, method, params FROM webhook_outbox WHERE kind = 'message-status' AND resource_sid = ?",
      [sid],
    );
    const callbacks = outbox
      .map((row) => ({ ...row, params: JSON.parse(row.params) as Record<string, string> }))
      .filter((row) => row.params.MessageStatus === status);
    assert.equal(callbacks.length, 1, `one ${status} callback for ${sid}`);
    const callback = callbacks[0];
    for (const k of ['MessageSid', 'SmsSid', 'RawDlrDoneDate']) delete callback?.params[k];
    return { message, callback };
  }

  it('applies a receipt from memory exactly as after a restart (read from the store)', async () => {
    const path = '/restart-equivalence';
    const before = await send({ StatusCallback: h.sink.url(path) });
    await statusOf(before, 'sent');
    await h.restart();
    const held = await send({ StatusCallback: h.sink.url(path) });
    await statusOf(held, 'sent');
    assert.equal(h.inFlightMessages(), 1, 'only the message created after the restart is held');

    const reads = countRowReads(h);
    const receipt = { accountSid: h.account.sid, status: 'undelivered' as const, errorCode: 30005 };
    await h.net.receipt({ ...receipt, messageSid: before });
    assert.equal(reads.n, 1, 'the message sent before the restart is read from the store');
    await h.net.receipt({ ...receipt, messageSid: held });
    assert.equal(reads.n, 1, 'the held message needs no read');
    assert.equal(h.inFlightMessages(), 0);
    reads.restore();

    const fromStore = await receiptOutcome(before, 'undelivered');
    const fromMemory = await receiptOutcome(held, 'undelivered');
    assert.equal((fromMemory.message as Json).status, 'undelivered');
    assert.equal((fromMemory.message as Json).error_code, 30005);
    assert.deepEqual(fromMemory, fromStore);
  });
});

describe('in-flight message cache past its capacity', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ messaging: { inFlightCapacity: 2 } });
    await h.provision(FROM);
  });
  after(() => h.close());

  it('reads evicted messages from the store and sends and settles every one', async () => {
    const path = '/evicted';
    h.queue.hold();
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.call('POST', h.api('/Messages.json'), {
        From: FROM,
        To: TO,
        Body: `m${i}`,
        StatusCallback: h.sink.url(path),
      });
      assert.equal(res.status, 201);
      sids.push(String(res.json.sid));
    }
    assert.equal(h.inFlightMessages(), 2);
    const reads = countRowReads(h);
    try {
      await h.queue.release();
      for (const sid of sids) {
        await eventually(async () => (await h.message(sid)).status === 'sent', `${sid} sent`);
      }
      assert.equal(reads.n > 0, true, 'the evicted message was read from the store');
      const sendReads = reads.n;
      for (const sid of sids) {
        await h.net.receipt({
          messageSid: sid,
          accountSid: h.account.sid,
          status: 'delivered',
          errorCode: null,
        });
      }
      assert.equal(reads.n, sendReads + 1, 'one receipt (the evicted message) needed a read');
    } finally {
      reads.restore();
    }
    for (const [i, sid] of sids.entries()) {
      const m = await h.message(sid);
      assert.equal(m.status, 'delivered');
      assert.equal(m.body, `m${i}`);
      await eventually(
        () => h.sink.on(path).filter((r) => r.params.MessageSid === sid).length === 3,
        'callbacks',
      );
    }
    assert.equal(h.inFlightMessages(), 0);
  });
});
