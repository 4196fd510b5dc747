import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '@twilio-lab/metrics';
import type { Registry } from '@twilio-lab/metrics';
import { eventually, startHarness } from './test-support.js';
import type { Harness } from './test-support.js';

const FROM = '+14155550500';
const TO = '+14155550501';

/** The value of one series (histograms: name it …_count or …_sum); undefined when absent. */
async function seriesValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
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

describe('messaging metrics (a cell context with a registry)', () => {
  let h: Harness;
  let registry: Registry;
  before(async () => {
    registry = createRegistry({ process: 'test', runtimeMetrics: false });
    h = await startHarness({ metrics: registry });
    await h.provision(FROM);
  });
  after(() => h.close());

  it('records acceptance, every status entered, the send, the receipt and end-to-end time', async () => {
    const res = await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: 'count me' });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const sid = String(res.json.sid);
    await eventually(async () => (await h.message(sid)).status === 'sent', 'sent');
    await h.net.receipt({ messageSid: sid, accountSid: h.account.sid, status: 'delivered', errorCode: null });

    const accepted = 'twilio_lab_messages_accepted_total';
    assert.equal(await seriesValue(registry, accepted, { direction: 'outbound-api', tier: 'full' }), 1);
    assert.equal(await seriesValue(registry, 'twilio_lab_message_accept_to_durable_seconds_count'), 1);
    const transitions = 'twilio_lab_message_status_transitions_total';
    for (const status of ['queued', 'sending', 'sent', 'delivered']) {
      assert.equal(await seriesValue(registry, transitions, { status }), 1, status);
    }
    assert.equal(await seriesValue(registry, transitions, { status: 'failed' }), 0);
    const endToEnd = 'twilio_lab_message_end_to_end_seconds_count';
    assert.equal(await seriesValue(registry, endToEnd, { outcome: 'delivered' }), 1);
    assert.equal(
      await seriesValue(registry, 'twilio_lab_sender_sent_total', { sender_kind: 'long-code' }),
      1,
    );
    const published = 'twilio_lab_queue_published_total';
    assert.equal(await seriesValue(registry, published, { queue: 'messages.outbound' }), 1);
    const receipts = 'twilio_lab_carrier_receipts_total';
    assert.equal(await seriesValue(registry, receipts, { carrier: 'fake', status: 'delivered' }), 1);
    const queued = 'twilio_lab_sender_queued_messages';
    assert.equal(await seriesValue(registry, queued, { sender_kind: 'long-code' }), 0);
  });

  it('counts an inbound message as accepted with direction inbound', async () => {
    await h.net.inbound({ from: TO, to: FROM, body: 'hello' });
    const accepted = 'twilio_lab_messages_accepted_total';
    assert.equal(await seriesValue(registry, accepted, { direction: 'inbound', tier: 'full' }), 1);
    const transitions = 'twilio_lab_message_status_transitions_total';
    assert.equal(await seriesValue(registry, transitions, { status: 'received' }), 1);
  });
});
