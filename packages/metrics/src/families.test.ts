import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { CounterFamily, GaugeFamily, HistogramFamily, OVERFLOW_LABEL_VALUE } from './families.js';
import { MetricsError } from './errors.js';

const code = (c: string) => (e: unknown) => e instanceof MetricsError && e.code === c;

describe('metric families', () => {
  it('renders counters in the Prometheus text format, with the registry default labels', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ process: 'test' });
    const c = new CounterFamily({ name: 'x_events_total', help: 'Events.', labelNames: ['kind'] }).register(
      registry,
    );
    const a = c.child({ kind: 'a' });
    a.inc();
    a.inc(2);
    assert.equal(c.child({ kind: 'a' }), a, 'the same values give the same child');
    c.child({ kind: 'b' }).inc(-5); // ignored: counters never go down
    const text = await registry.metrics();
    assert.match(text, /# TYPE x_events_total counter/);
    assert.match(text, /^x_events_total\{kind="a",process="test"\} 3$/m);
    assert.match(text, /^x_events_total\{kind="b",process="test"\} 0$/m);
  });

  it('renders histograms cumulatively with +Inf, _sum and _count', async () => {
    const registry = new Registry();
    const h = new HistogramFamily({ name: 'x_seconds', help: 'X.', buckets: [0.1, 1] }).register(registry);
    const child = h.child({});
    for (const v of [0.05, 0.1, 0.5, 3]) child.observe(v);
    child.observe(Number.NaN);
    const text = await registry.metrics();
    assert.match(text, /^x_seconds_bucket\{le="0.1"\} 2$/m);
    assert.match(text, /^x_seconds_bucket\{le="1"\} 3$/m);
    assert.match(text, /^x_seconds_bucket\{le="\+Inf"\} 4$/m);
    assert.match(text, /^x_seconds_sum 3.65$/m);
    assert.match(text, /^x_seconds_count 4$/m);
  });

  it('reads gauges from their sources at scrape time, and shows a label-less series at 0', async () => {
    const registry = new Registry();
    let depth = 7;
    new GaugeFamily({
      name: 'x_depth_messages',
      help: 'Depth.',
      labelNames: ['queue'],
      collect: (g) => g.child({ queue: 'q1' }).set(depth),
    }).register(registry);
    new GaugeFamily({ name: 'x_idle', help: 'Idle.' }).register(registry);
    assert.match(await registry.metrics(), /^x_depth_messages\{queue="q1"\} 7$/m);
    depth = 2;
    const text = await registry.metrics();
    assert.match(text, /^x_depth_messages\{queue="q1"\} 2$/m);
    assert.match(text, /^x_idle 0$/m);
  });

  it('waits for asynchronous sources, and keeps the last value when a source fails', async () => {
    const registry = new Registry();
    let lag: number | Error = 5;
    const gauge = new GaugeFamily({ name: 'x_lag_messages', help: 'Lag.', labelNames: ['group'] });
    gauge.onCollect(async (g) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (lag instanceof Error) throw lag;
      g.child({ group: 'sender' }).set(lag);
    });
    gauge.register(registry);
    assert.match(await registry.metrics(), /^x_lag_messages\{group="sender"\} 5$/m);
    lag = new Error('broker down');
    assert.match(await registry.metrics(), /^x_lag_messages\{group="sender"\} 5$/m);
  });

  it('sends SIDs, phone numbers and series past the cap to one overflow series', async () => {
    const registry = new Registry();
    const c = new CounterFamily({
      name: 'x_total',
      help: 'X.',
      labelNames: ['route'],
      maxSeries: 3,
    }).register(registry);
    c.child({ route: '/Accounts/AC0123456789abcdef0123456789abcdef' }).inc();
    c.child({ route: '+15551234567' }).inc();
    c.child({ route: 'a' }).inc();
    c.child({ route: 'b' }).inc();
    c.child({ route: 'c' }).inc(); // the overflow series took the third slot
    assert.equal(c.overflowed, 3);
    const text = await registry.metrics();
    assert.match(text, new RegExp(`^x_total\\{route="${OVERFLOW_LABEL_VALUE}"\\} 3$`, 'm'));
    assert.doesNotMatch(text, /AC0123|15551234567|route="c"/);
  });

  it('refuses bad names, labels and buckets with stable codes', () => {
    assert.throws(() => new CounterFamily({ name: 'x_count', help: '' }), code('METRICS_INVALID_NAME'));
    assert.throws(() => new GaugeFamily({ name: 'bad-name', help: '' }), code('METRICS_INVALID_NAME'));
    assert.throws(
      () => new GaugeFamily({ name: 'x', help: '', labelNames: ['a', 'a'] }),
      code('METRICS_INVALID_LABELS'),
    );
    assert.throws(
      () => new HistogramFamily({ name: 'x_seconds', help: '', labelNames: ['le'], buckets: [1] }),
      code('METRICS_INVALID_LABELS'),
    );
    assert.throws(
      () => new HistogramFamily({ name: 'x_seconds', help: '', buckets: [1, 1] }),
      code('METRICS_INVALID_BUCKETS'),
    );
  });

  it('resets with the registry', async () => {
    const registry = new Registry();
    const c = new CounterFamily({ name: 'x_total', help: 'X.' }).register(registry);
    c.child({}).inc(4);
    registry.resetMetrics();
    assert.match(await registry.metrics(), /^x_total 0$/m);
  });
});
