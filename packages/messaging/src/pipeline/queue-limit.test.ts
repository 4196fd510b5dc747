import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SubmitError } from '@twilio-lab/super-network';
import { eventually, startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

const FROM = '+14155550700';
const TO = '+14155550701';
const LIMIT = 2;

const deliver = (sms: { messageSid: string }) => ({
  carrier: 'fake',
  carrierMessageId: sms.messageSid,
  failedOver: [],
});

describe('per-sender queue limit (21611)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ messaging: { maxQueuedPerSender: LIMIT } });
    await h.provision(FROM);
  });
  after(() => h.close());

  const create = (body: string) =>
    h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: body });

  async function storedMessages(): Promise<number> {
    const row = await h.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages');
    return row?.n ?? 0;
  }

  async function statusOf(sid: string, wanted: string): Promise<void> {
    await eventually(async () => (await h.message(sid)).status === wanted, `${sid} → ${wanted}`);
  }

  it('refuses a create over the limit with 21611 and writes nothing; sends free the queue', async () => {
    h.queue.hold();
    const first = await create('one');
    const second = await create('two');
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(h.queuedMessages(), 2);
    const stored = await storedMessages();

    const over = await create('three');
    assert.equal(over.status, 400);
    assert.equal(over.json.code, 21611);
    assert.equal(await storedMessages(), stored);
    assert.equal(h.queuedMessages(), 2);

    await h.queue.release();
    await statusOf(String(first.json.sid), 'sent');
    await statusOf(String(second.json.sid), 'sent');
    await eventually(() => h.queuedMessages() === 0, 'queue drained');
    const again = await create('four');
    assert.equal(again.status, 201);
    await statusOf(String(again.json.sid), 'sent');
    await eventually(() => h.queuedMessages() === 0, 'queue drained');
  });

  it('counts a message once however often a retryable failure re-queues it', async () => {
    h.net.plan = (sms, attempt) =>
      attempt < 4 ? new SubmitError('throttled', 30008, true, 5) : deliver(sms);
    try {
      const res = await create('retry me');
      assert.equal(res.status, 201);
      const sid = String(res.json.sid);
      await eventually(
        () => h.net.submitted.filter((s) => s.messageSid === sid).length >= 3,
        'two re-publishes',
      );
      assert.equal(h.queuedMessages(), 1);
      await statusOf(sid, 'sent');
      await eventually(() => h.queuedMessages() === 0, 'queue drained');
    } finally {
      h.net.plan = deliver;
    }
  });

  it('a failed message leaves the count', async () => {
    h.net.plan = () => new SubmitError('filtered', 30007, false);
    try {
      const res = await create('refused');
      await statusOf(String(res.json.sid), 'failed');
      await eventually(() => h.queuedMessages() === 0, 'queue drained');
    } finally {
      h.net.plan = deliver;
    }
  });

  it('a deleted message leaves the count', async () => {
    h.queue.hold();
    const res = await create('deleted');
    assert.equal(h.queuedMessages(), 1);
    const removed = await h.call('DELETE', h.api(`/Messages/${String(res.json.sid)}.json`));
    assert.equal(removed.status, 204);
    assert.equal(h.queuedMessages(), 0);
    await h.queue.release();
  });

  it('recovery counts the messages it re-queues', async () => {
    h.queue.hold();
    const first = await create('a');
    const second = await create('b');
    await h.restart({ holdPublishes: true });
    assert.equal(h.queuedMessages(), 2);
    const over = await create('c');
    assert.equal(over.status, 400);
    assert.equal(over.json.code, 21611);

    await h.queue.release();
    await statusOf(String(first.json.sid), 'sent');
    await statusOf(String(second.json.sid), 'sent');
    await eventually(() => h.queuedMessages() === 0, 'queue drained');
    assert.equal((await create('d')).status, 201);
  });
});
