/**
 * sms.send end to end against a real embedded lab: every accepted message reaches the sink
 * as `delivered`, with valid signatures, and reconciles.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, type RunningLab } from '@twilio-lab/lab';
import { METRICS } from '../metrics.js';
import type { AccountPlan } from './plan.js';
import { runPlan } from './run-plan.js';
import { counterValue, rateOf, trendHistogram } from './test-support.js';

const FROM = '+15017122661';

describe('sms.send against the embedded lab', () => {
  let lab: RunningLab;

  before(async () => {
    lab = await startLab({ port: 0, ephemeral: true, log: 'silent' });
    const { baseUrl, accountSid, authToken } = lab.info;
    const res = await fetch(`${baseUrl}/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `PhoneNumber=${encodeURIComponent(FROM)}`,
    });
    assert.equal(res.status, 201, await res.text());
  });
  after(async () => {
    await lab.close(5_000);
  });

  it('measures accept and 201 → delivered, and reconciles every message as delivered', async () => {
    const { baseUrl, accountSid, authToken } = lab.info;
    const to = Array.from({ length: 10 }, (_, i) => `+1555867${String(2000 + i)}`);
    const result = await runPlan({
      workers: 2,
      target: { baseUrl, accountSid, authToken },
      sink: { drainTimeoutMs: 15_000 },
      scenarios: [
        {
          name: 'sms',
          tags: { region: 'local' },
          startTimeMs: 0,
          gracefulStopMs: 15_000,
          executor: {
            type: 'constant-arrival-rate',
            rate: 20,
            timeUnitMs: 1_000,
            durationMs: 2_000,
            preAllocatedVUs: 20,
            maxVUs: 100,
          },
          flows: [
            {
              flow: 'sms.send',
              weight: 3,
              with: { to, from: FROM, body: 'bench', awaitStatus: 'delivered', timeoutMs: 10_000 },
            },
            { flow: 'sms.send', weight: 1, with: { to, from: FROM, body: 'fire and forget' } },
          ],
        },
      ],
    });
    const r = result.reconciliation;
    assert.equal(r.accepted, 40);
    assert.equal(r.terminal, 40);
    assert.equal(r.lost, 0);
    assert.deepEqual(r.byStatus, { delivered: 40 });
    assert.equal(r.invalidSignatures, 0);
    assert.equal(r.duplicatesWithNewToken, 0);
    assert.equal(
      trendHistogram(result.metrics, METRICS.smsAcceptDuration, { scenario: 'sms' }).totalCount,
      40,
    );
    assert.equal(
      trendHistogram(result.metrics, METRICS.smsEndToEndDuration, { region: 'local' }).totalCount,
      40,
    );
    assert.deepEqual(rateOf(result.metrics, METRICS.checks, { check: 'status is delivered' }), {
      trues: 30,
      total: 30,
    });
    assert.deepEqual(rateOf(result.metrics, METRICS.checks, { check: 'accepted' }), { trues: 40, total: 40 });
    assert.equal(counterValue(result.metrics, METRICS.messagesLost), 0);
    assert.equal(counterValue(result.metrics, METRICS.iterations), 40);
  });

  it('spreads messages over several accounts round robin, each signed and reconciled on its own', async () => {
    const { baseUrl, accountSid, authToken } = lab.info;
    const parent = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    const accounts: AccountPlan[] = [{ accountSid, authToken }];
    for (const name of ['sub one', 'sub two']) {
      const res = await fetch(`${baseUrl}/2010-04-01/Accounts.json`, {
        method: 'POST',
        headers: { authorization: parent, 'content-type': 'application/x-www-form-urlencoded' },
        body: `FriendlyName=${encodeURIComponent(name)}`,
      });
      assert.equal(res.status, 201);
      const sub = (await res.json()) as { sid: string; auth_token: string };
      // The parent buys for its subaccount (acting for it).
      const bought = await fetch(`${baseUrl}/2010-04-01/Accounts/${sub.sid}/IncomingPhoneNumbers.json`, {
        method: 'POST',
        headers: { authorization: parent, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'AreaCode=501',
      });
      assert.equal(bought.status, 201);
      const number = ((await bought.json()) as { phone_number: string }).phone_number;
      accounts.push({ accountSid: sub.sid, authToken: sub.auth_token, senders: { [FROM]: number } });
    }
    const result = await runPlan({
      workers: 2,
      target: { baseUrl, accountSid, authToken, accounts },
      sink: { drainTimeoutMs: 15_000 },
      scenarios: [
        {
          name: 'multi',
          tags: {},
          startTimeMs: 0,
          gracefulStopMs: 15_000,
          executor: {
            type: 'constant-arrival-rate',
            rate: 30,
            timeUnitMs: 1_000,
            durationMs: 2_000,
            preAllocatedVUs: 20,
            maxVUs: 100,
          },
          flows: [
            {
              flow: 'sms.send',
              weight: 1,
              with: { to: '+15558673000', from: FROM, awaitStatus: 'delivered', timeoutMs: 10_000 },
            },
          ],
        },
      ],
    });
    const r = result.reconciliation;
    assert.equal(r.accepted, 60);
    assert.equal(r.terminal, 60);
    assert.equal(r.lost, 0);
    assert.deepEqual(r.byStatus, { delivered: 60 });
    assert.equal(r.invalidSignatures, 0, 'each account signs with its own token and the sink knows each');
    for (const [i, account] of accounts.entries()) {
      const tags = { scenario: 'multi', account: `a${i}` };
      assert.deepEqual(rateOf(result.metrics, METRICS.checks, { ...tags, check: 'status is delivered' }), {
        trues: 20,
        total: 20,
      });
      assert.equal(trendHistogram(result.metrics, METRICS.smsEndToEndDuration, tags).totalCount, 20);
      // The lab saw them on that account, sent from that account's own number.
      const res = await fetch(
        `${baseUrl}/2010-04-01/Accounts/${account.accountSid}/Messages.json?To=%2B15558673000&PageSize=1000`,
        {
          headers: {
            authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`,
          },
        },
      );
      const sent = ((await res.json()) as { messages: { from: string }[] }).messages;
      assert.equal(sent.length, 20);
      assert.ok(sent.every((m) => m.from === (account.senders?.[FROM] ?? FROM)));
    }
    // The tag is the account's index, never its SID.
    const tagged = result.metrics.total.flatMap((s) =>
      s.tags.account === undefined ? [] : [s.tags.account],
    );
    assert.deepEqual([...new Set(tagged)].sort(), ['a0', 'a1', 'a2']);
  });
});
