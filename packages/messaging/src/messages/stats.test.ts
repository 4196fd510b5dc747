import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHarness, type Harness } from '../test-support.js';
import { messageStatusCounts } from './stats.js';

describe('messageStatusCounts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision('+15017122661');
  });
  after(() => h.close());

  it('counts every status, zero for the absent ones, and a total', async () => {
    const empty = await messageStatusCounts(h.store);
    assert.equal(empty.total, 0);
    assert.equal(empty.delivered, 0);
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.call('POST', h.api('/Messages.json'), {
        To: `+1555867000${i}`,
        From: '+15017122661',
        Body: 'count me',
      });
      assert.equal(res.status, 201);
      sids.push(res.json.sid as string);
    }
    const sent = await eventually(async () => {
      const c = await messageStatusCounts(h.store);
      return c.sent === 3 ? c : undefined;
    }, 'three submits');
    assert.equal(sent.total, 3);
    for (const sid of sids.slice(0, 2)) {
      h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });
    }
    h.net.receipt({
      messageSid: sids[2]!,
      accountSid: h.account.sid,
      status: 'undelivered',
      errorCode: 30003,
    });
    const counts = await eventually(async () => {
      const c = await messageStatusCounts(h.store);
      return c.delivered === 2 && c.undelivered === 1 ? c : undefined;
    }, 'receipts applied');
    assert.equal(counts.total, 3);
    assert.equal(counts.queued, 0);

    // Deleting a message takes it out of its status's count (the counts come from a table kept by triggers).
    const removed = await h.call('DELETE', h.api(`/Messages/${sids[2]!}.json`));
    assert.equal(removed.status, 204);
    const after = await messageStatusCounts(h.store);
    assert.equal(after.undelivered, 0);
    assert.equal(after.delivered, 2);
    assert.equal(after.total, 2);
  });
});
