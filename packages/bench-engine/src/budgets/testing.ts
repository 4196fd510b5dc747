import type { CounterSeries, MetricsWindow, RateSeries, Series, Tags, TrendSeries } from '../metrics.js';
import { encodeHistogram, newHistogram } from './histogram.js';

/** Test and fixture helpers: series built from plain millisecond values. */
export function trendOf(metric: string, tags: Tags, valuesMs: readonly number[]): TrendSeries {
  const histogram = newHistogram();
  for (const ms of valuesMs) histogram.recordValue(Math.round(ms * 1000));
  return { metric, type: 'trend', tags, histogram: encodeHistogram(histogram), count: valuesMs.length };
}

export function rateOf(metric: string, tags: Tags, trues: number, total: number): RateSeries {
  return { metric, type: 'rate', tags, trues, total };
}

export function counterOf(metric: string, tags: Tags, value: number): CounterSeries {
  return { metric, type: 'counter', tags, value };
}

/** Whole seconds from 0: window i covers [i*1000, (i+1)*1000). */
export function secondWindows(series: readonly (readonly Series[])[]): MetricsWindow[] {
  return series.map((list, i) => ({ startMs: i * 1000, endMs: (i + 1) * 1000, series: [...list] }));
}
