import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry, metricsText } from './registry.js';
import { httpMetrics, statusClass, statusClassIndex } from './http-metrics.js';
import {
  carrierMetrics,
  messagingMetrics,
  queueMetrics,
  senderMetrics,
  verifyMetrics,
  webhookMetrics,
  webhookOutcome,
} from './product-metrics.js';

describe('createRegistry', () => {
  it('labels every series with the process and topology place, and prefixes runtime metrics', async () => {
    const registry = createRegistry({ process: 'cell', region: 'us1', cell: 'c2' });
    const text = (await metricsText(registry)).body;
    assert.match(text, /^twilio_lab_process_cpu_seconds_total\{process="cell",region="us1",cell="c2"\} /m);
    assert.match(text, /^# TYPE twilio_lab_nodejs_eventloop_lag_seconds gauge$/m);
    assert.match(text, /^# TYPE twilio_lab_nodejs_heap_size_used_bytes gauge$/m);
    assert.match(text, /^# TYPE twilio_lab_nodejs_gc_duration_seconds histogram$/m);
  });

  it('builds each set of families once per registry, so several callers share them', async () => {
    const registry = createRegistry({ process: 'lab', runtimeMetrics: false });
    assert.equal(httpMetrics(registry), httpMetrics(registry));
    const sets = [
      messagingMetrics,
      senderMetrics,
      queueMetrics,
      carrierMetrics,
      webhookMetrics,
      verifyMetrics,
    ];
    for (const build of sets) assert.equal(build(registry), build(registry));
    const text = (await metricsText(registry)).body;
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    assert.ok(names.length >= 25, `${names.length} families`);
    for (const [name, type] of names) {
      assert.match(name, /^twilio_lab_[a-z_]+$/, name);
      if (type === 'counter') assert.match(name, /_total$/, name);
      if (type === 'histogram') assert.match(name, /_seconds$/, name);
    }
    assert.equal(createRegistry({ process: 'lab', runtimeMetrics: false }) === registry, false);
  });
});

describe('label helpers', () => {
  it('maps statuses to classes and webhook outcomes', () => {
    assert.equal(statusClass(201), '2xx');
    assert.equal(statusClass(429), '4xx');
    assert.equal(statusClass(99), '5xx');
    assert.equal(statusClassIndex(503), 4);
    assert.equal(statusClassIndex(700), 4);
    assert.equal(webhookOutcome(204), '2xx');
    assert.equal(webhookOutcome('timeout'), 'timeout');
    assert.equal(webhookOutcome(0), 'error');
  });
});
