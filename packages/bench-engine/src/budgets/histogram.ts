import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { TrendSeries } from '../metrics.js';

export type { Histogram } from 'hdr-histogram-js';

/**
 * The histogram settings shared by recorders and readers (see metrics.ts): microseconds from
 * 1 µs to 1 h, 3 significant digits, the JS implementation (WebAssembly is not usable in every
 * worker) with packed counts because most buckets of a latency histogram are empty.
 */
export const HISTOGRAM_SETTINGS = {
  bitBucketSize: 'packed',
  useWebAssembly: false,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 3,
  autoResize: true,
} as const;

export function newHistogram(): Histogram {
  return build(HISTOGRAM_SETTINGS);
}

// Decoding is the expensive part of reading a series; windows are re-read by sliding budgets
// and by the incremental abort check every second, so each series object is decoded once.
const decoded = new WeakMap<TrendSeries, Histogram>();

/** The series' histogram. Shared and cached: never mutate it (merge into `newHistogram()`). */
export function histogramOf(series: TrendSeries): Histogram {
  let histogram = decoded.get(series);
  if (histogram === undefined) {
    histogram = decodeHistogram(series.histogram);
    decoded.set(series, histogram);
  }
  return histogram;
}

export function decodeHistogram(encoded: string): Histogram {
  if (encoded.length === 0) return newHistogram();
  return decodeFromCompressedBase64(encoded, HISTOGRAM_SETTINGS.bitBucketSize, false);
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** A fresh histogram holding every sample of `series`. */
export function mergeTrendSeries(series: readonly TrendSeries[]): Histogram {
  const merged = newHistogram();
  for (const one of series) merged.add(histogramOf(one));
  return merged;
}

/** Percentile in MILLISECONDS of a microsecond histogram; undefined when it is empty. */
export function percentileMs(histogram: Histogram, percentile: number): number | undefined {
  if (histogram.totalCount === 0) return undefined;
  return histogram.getValueAtPercentile(percentile) / 1000;
}

/** The usual trend statistics, in milliseconds. */
export interface TrendStats {
  count: number;
  avg: number;
  min: number;
  med: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export function trendStats(histogram: Histogram): TrendStats {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, avg: 0, min: 0, med: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const at = (p: number): number => histogram.getValueAtPercentile(p) / 1000;
  return {
    count,
    avg: histogram.mean / 1000,
    // Percentile 0 and 100 rather than minNonZeroValue/maxValue: they stay right after subtract().
    min: at(0),
    med: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: at(100),
  };
}
