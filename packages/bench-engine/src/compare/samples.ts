import type { MetricsWindow, RunMetrics, Tags } from '../metrics.js';
import { METRICS } from '../metrics.js';
import { aggregateSeries } from '../budgets/aggregate.js';
import { newHistogram } from '../budgets/histogram.js';

/** What `compareRuns` needs from one run; stored in the JSON summary so baselines can be compared later. */
export interface RunSamples {
  /** Completed iterations (or the chosen counter) per second, one entry per full second. */
  throughputPerSecond: number[];
  /** p99 latency in ms of each latency window (several seconds each: one second's p99 is noise). */
  p99PerWindowMs: number[];
  /** Throughput of a raw server measured in the same job; divides throughput so machines compare. */
  calibrationThroughput?: number;
}

export interface SampleOptions {
  /** Counter whose per-second value is the throughput. Default 'iterations'. */
  throughputMetric?: string;
  /** Trend whose per-window p99 is compared. Default 'http_req_duration'. */
  latencyMetric?: string;
  /** Only series with these tags (e.g. one scenario). Default: all. */
  tags?: Tags;
  /** Width of a latency window. Default 5000 ms. */
  latencyWindowMs?: number;
  /** Leading seconds to leave out (warm-up). Default 0. */
  skipFirstSeconds?: number;
  calibrationThroughput?: number;
  /**
   * Throughput from this scenario only (its windows with iterations), or null for none: under
   * fixed-rate arrivals throughput is the generator's choice, not the lab's. Default: all.
   */
  throughputScenario?: string | null;
  /** Latency from this scenario only (its windows with samples), or null for none. Default: all. */
  latencyScenario?: string | null;
}

/** The tag selector for one scenario (null: not sampled; undefined: every scenario). */
function scoped(tags: Tags, scenario: string | null | undefined): Tags | null {
  if (scenario === null) return null;
  return scenario === undefined ? tags : { ...tags, scenario };
}

/** Windows shorter than this fraction of a second (the run's last, cut-off one) are left out. */
const FULL_WINDOW = 0.9;

export function runSamplesFromMetrics(metrics: RunMetrics, options: SampleOptions = {}): RunSamples {
  const throughputMetric = options.throughputMetric ?? METRICS.iterations;
  const latencyMetric = options.latencyMetric ?? METRICS.httpReqDuration;
  const tags = options.tags ?? {};
  const first = metrics.windows[0]?.startMs ?? 0;
  const skipUntil = first + (options.skipFirstSeconds ?? 0) * 1000;
  const windows = metrics.windows.filter(
    (w) => w.startMs >= skipUntil && w.endMs - w.startMs >= FULL_WINDOW * 1000,
  );

  const throughputTags = scoped(tags, options.throughputScenario);
  const latencyTags = scoped(tags, options.latencyScenario);
  const throughputPerSecond: number[] = [];
  if (throughputTags !== null) {
    for (const w of windows) {
      const aggregate = aggregateSeries(w.series, throughputMetric, throughputTags, w.endMs - w.startMs);
      const value = aggregate?.type === 'counter' ? aggregate.value : 0;
      // With a scenario named, only the seconds it was running count.
      if (options.throughputScenario !== undefined && value === 0) continue;
      throughputPerSecond.push(value / ((w.endMs - w.startMs) / 1000));
    }
  }

  const p99PerWindowMs: number[] = [];
  const widthMs = options.latencyWindowMs ?? 5000;
  let group: MetricsWindow[] = [];
  const flush = (): void => {
    const histogram = newHistogram();
    for (const w of group) {
      const aggregate = aggregateSeries(w.series, latencyMetric, latencyTags ?? tags, 0);
      if (aggregate?.type === 'trend') histogram.add(aggregate.histogram);
    }
    if (histogram.totalCount > 0) p99PerWindowMs.push(histogram.getValueAtPercentile(99) / 1000);
    group = [];
  };
  const latencyWindows =
    latencyTags === null
      ? []
      : options.latencyScenario === undefined
        ? windows
        : windows.filter((w) => aggregateSeries(w.series, latencyMetric, latencyTags, 0)?.type === 'trend');
  for (const w of latencyWindows) {
    const groupStart = group[0]?.startMs;
    if (groupStart !== undefined && w.endMs - groupStart > widthMs) flush();
    group.push(w);
  }
  // A trailing group shorter than the width would be compared with full ones: leave it out.
  const groupStart = group[0]?.startMs;
  const groupEnd = group[group.length - 1]?.endMs;
  if (groupStart !== undefined && groupEnd !== undefined && groupEnd - groupStart >= widthMs * FULL_WINDOW)
    flush();

  const samples: RunSamples = { throughputPerSecond, p99PerWindowMs };
  if (options.calibrationThroughput !== undefined)
    samples.calibrationThroughput = options.calibrationThroughput;
  return samples;
}
