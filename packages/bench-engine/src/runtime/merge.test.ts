import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsWindow, Series } from '../metrics.js';
import { decodeHistogram } from './histogram.js';
import { mergeSeries, WindowMerger } from './merge.js';
import { MetricsRecorder } from './recorder.js';

function trendOf(series: Series[], metric: string): Extract<Series, { type: 'trend' }> {
  const s = series.find((x) => x.metric === metric && x.type === 'trend');
  assert.ok(s && s.type === 'trend', `trend ${metric}`);
  return s;
}

describe('merging what several threads recorded', () => {
  it('merged worker histograms equal one histogram that recorded every sample', () => {
    const single = new MetricsRecorder();
    const workers = [new MetricsRecorder(), new MetricsRecorder(), new MetricsRecorder()];
    const tags = { scenario: 's' };
    // A skewed, multi-modal sample set: mostly fast, a slow tail.
    for (let i = 0; i < 30_000; i++) {
      const ms = i % 97 === 0 ? 150 + (i % 50) : 0.2 + ((i * 7919) % 1000) / 100;
      single.trend('lat', tags).recordMs(ms);
      workers[i % 3]!.trend('lat', tags).recordMs(ms);
      single.rate('failed', tags).add(i % 10 === 0);
      workers[i % 3]!.rate('failed', tags).add(i % 10 === 0);
      single.counter('n', tags).add();
      workers[i % 3]!.counter('n', tags).add();
    }
    const expected = single.snapshot(0, 1000).series;
    const merged = mergeSeries(workers.map((w) => w.snapshot(0, 1000).series));
    const a = decodeHistogram(trendOf(expected, 'lat').histogram);
    const b = decodeHistogram(trendOf(merged, 'lat').histogram);
    assert.equal(b.totalCount, 30_000);
    assert.equal(trendOf(merged, 'lat').count, 30_000);
    for (const p of [50, 90, 99, 99.9, 100])
      assert.equal(b.getValueAtPercentile(p), a.getValueAtPercentile(p), `p${p}`);
    assert.equal(b.mean, a.mean);
    assert.equal(b.maxValue, a.maxValue);
    assert.deepEqual(
      merged.find((s) => s.metric === 'failed'),
      expected.find((s) => s.metric === 'failed'),
    );
    assert.deepEqual(
      merged.find((s) => s.metric === 'n'),
      expected.find((s) => s.metric === 'n'),
    );
  });

  it('keeps series with different tag sets apart and ignores tag order', () => {
    const r1 = new MetricsRecorder();
    const r2 = new MetricsRecorder();
    r1.counter('n', { a: '1', b: '2' }).add(2);
    r2.counter('n', { b: '2', a: '1' }).add(3);
    r2.counter('n', { a: '1' }).add(7);
    const merged = mergeSeries([r1.snapshot(0, 1).series, r2.snapshot(0, 1).series]);
    assert.equal(merged.length, 2);
    assert.equal(
      merged.find((s) => Object.keys(s.tags).length === 2 && s.type === 'counter' && s.value === 5) !==
        undefined,
      true,
    );
  });

  it('hands windows on in order once every live source reported them', () => {
    const seen: MetricsWindow[] = [];
    const merger = new WindowMerger(['a', 'b'], (w) => seen.push(w));
    const win = (startMs: number, value: number): MetricsWindow => ({
      startMs,
      endMs: startMs + 1000,
      series: [{ metric: 'n', type: 'counter', tags: {}, value }],
    });
    merger.add('a', win(0, 1));
    merger.add('a', win(1000, 2));
    assert.equal(seen.length, 0, 'b has not reported second 0');
    merger.add('b', win(0, 10));
    assert.deepEqual(
      seen.map((w) => [w.startMs, (w.series[0] as { value: number }).value]),
      [[0, 11]],
    );
    merger.finish('b');
    assert.equal(seen.length, 2);
    const metrics = merger.close();
    assert.deepEqual(metrics.total, [{ metric: 'n', type: 'counter', tags: {}, value: 13 }]);
  });
});
