/**
 * sms.send end to end against a real embedded lab: every accepted message reaches the sink
 * as `delivered`, with valid signatures, and reconciles.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, type RunningLab } from '@twilio-lab/lab';
import { METRICS } from '../metrics.js';
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
});
