import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { MetricsWindow, RunMetrics } from '../metrics.js';
import { histogramOf, trendStats } from '../budgets/histogram.js';

/**
 * One line per window per series: `{"startMs","endMs","metric","type","tags", …}` with count,
 * avg, min, p50, p90, p95, p99, max (ms) for trends, trues/total/rate for rates and value for
 * counters. Line-at-a-time so a long run never builds one huge string.
 */
export function* timeSeriesLines(metrics: RunMetrics): Generator<string> {
  for (const window of metrics.windows) yield* windowLines(window);
}

export function* windowLines(window: MetricsWindow): Generator<string> {
  const { startMs, endMs } = window;
  for (const series of window.series) {
    const head = { startMs, endMs, metric: series.metric, type: series.type, tags: series.tags };
    if (series.type === 'trend') {
      const s = trendStats(histogramOf(series));
      yield JSON.stringify({
        ...head,
        count: s.count,
        avg: s.avg,
        min: s.min,
        p50: s.med,
        p90: s.p90,
        p95: s.p95,
        p99: s.p99,
        max: s.max,
      });
    } else if (series.type === 'rate') {
      yield JSON.stringify({
        ...head,
        trues: series.trues,
        total: series.total,
        rate: series.total === 0 ? 0 : series.trues / series.total,
      });
    } else {
      yield JSON.stringify({ ...head, value: series.value });
    }
  }
}

export function formatTimeSeriesNdjson(metrics: RunMetrics): string {
  let out = '';
  for (const line of timeSeriesLines(metrics)) out += `${line}\n`;
  return out;
}

export async function writeTimeSeriesNdjson(path: string, metrics: RunMetrics): Promise<void> {
  const stream = createWriteStream(path);
  try {
    for (const line of timeSeriesLines(metrics)) {
      if (!stream.write(`${line}\n`)) await once(stream, 'drain');
    }
  } finally {
    stream.end();
    await once(stream, 'close');
  }
}
