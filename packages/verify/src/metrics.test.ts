import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '@twilio-lab/metrics';
import type { Registry } from '@twilio-lab/metrics';
import { startVerifyHarness } from './testing/harness.js';
import type { VerifyHarness } from './testing/harness.js';

const TO = '+15017122662';

/** The value of one series (histograms: name it …_count or …_sum); undefined when absent. */
async function seriesValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name.replace(/_(count|sum)$/, ''));
  const values = ((await metric?.get())?.values ?? []) as {
    metricName?: string;
    labels: Record<string, unknown>;
    value: number;
  }[];
  return values.find(
    (v) => (v.metricName ?? name) === name && Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  )?.value;
}

describe('verify metrics (a cell context with a registry)', () => {
  let h: VerifyHarness;
  let registry: Registry;
  let va: string;
  before(async () => {
    registry = createRegistry({ process: 'test', runtimeMetrics: false });
    h = await startVerifyHarness({ metrics: registry });
    va = await h.service();
  });
  after(() => h.close());

  it('records starts by channel and outcome, checks by outcome, and the time to approve', async () => {
    const verifications = `/v2/Services/${va}/Verifications`;
    assert.equal((await h.call('POST', verifications, { To: TO, Channel: 'sms' })).status, 201);
    assert.equal((await h.call('POST', verifications, { To: 'nope', Channel: 'sms' })).status, 400);
    const check = (code: string) =>
      h.call('POST', `/v2/Services/${va}/VerificationCheck`, { To: TO, Code: code });
    assert.equal(
      (await check('000000' === h.channels.lastCode() ? '111111' : '000000')).json.status,
      'pending',
    );
    assert.equal((await check(h.channels.lastCode())).json.status, 'approved');
    assert.equal((await check(h.channels.lastCode())).status, 404);

    const starts = 'twilio_lab_verify_verifications_total';
    assert.equal(await seriesValue(registry, starts, { channel: 'sms', outcome: 'created' }), 1);
    assert.equal(await seriesValue(registry, starts, { channel: 'sms', outcome: 'invalid' }), 1);
    const checks = 'twilio_lab_verify_checks_total';
    assert.equal(await seriesValue(registry, checks, { outcome: 'pending' }), 1);
    assert.equal(await seriesValue(registry, checks, { outcome: 'approved' }), 1);
    assert.equal(await seriesValue(registry, checks, { outcome: 'not_found' }), 1);
    const approve = 'twilio_lab_verify_time_to_approve_seconds_count';
    assert.equal(await seriesValue(registry, approve, { channel: 'sms' }), 1);
  });
});
