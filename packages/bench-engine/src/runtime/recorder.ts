/**
 * Collects samples per (metric, exact tag set) for the current one-second window. Hot paths
 * ask once for a handle per series and then record through it, so no tag set is sorted or
 * keyed per sample.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { MetricsWindow, Series, Tags } from '../metrics.js';
import { clampMicros, encodeHistogram, newHistogram } from './histogram.js';

export function seriesKey(metric: string, tags: Tags): string {
  const names = Object.keys(tags).sort();
  let key = metric;
  for (const name of names) key += `\u0000${name}\u0001${tags[name] ?? ''}`;
  return key;
}

export class TrendHandle {
  histogram: Histogram | undefined;
  count = 0;
  constructor(
    readonly metric: string,
    readonly tags: Tags,
  ) {}
  /** Records a duration given in milliseconds (stored in microseconds). */
  recordMs(ms: number): void {
    (this.histogram ??= newHistogram()).recordValue(clampMicros(ms * 1000));
    this.count++;
  }
  recordMicros(us: number): void {
    (this.histogram ??= newHistogram()).recordValue(clampMicros(us));
    this.count++;
  }
}

export class RateHandle {
  trues = 0;
  total = 0;
  constructor(
    readonly metric: string,
    readonly tags: Tags,
  ) {}
  add(value: boolean): void {
    if (value) this.trues++;
    this.total++;
  }
}

export class CounterHandle {
  value = 0;
  constructor(
    readonly metric: string,
    readonly tags: Tags,
  ) {}
  add(n = 1): void {
    this.value += n;
  }
}

type Handle = TrendHandle | RateHandle | CounterHandle;

export class MetricsRecorder {
  private readonly handles = new Map<string, Handle>();

  trend(metric: string, tags: Tags): TrendHandle {
    return this.handle(metric, tags, TrendHandle);
  }
  rate(metric: string, tags: Tags): RateHandle {
    return this.handle(metric, tags, RateHandle);
  }
  counter(metric: string, tags: Tags): CounterHandle {
    return this.handle(metric, tags, CounterHandle);
  }

  private handle<H extends Handle>(
    metric: string,
    tags: Tags,
    kind: new (metric: string, tags: Tags) => H,
  ): H {
    const key = seriesKey(metric, tags);
    const existing = this.handles.get(key);
    if (existing !== undefined) {
      if (!(existing instanceof kind)) throw new TypeError(`metric ${metric} is recorded with two types`);
      return existing;
    }
    const created = new kind(metric, Object.freeze({ ...tags }));
    this.handles.set(key, created);
    return created;
  }

  /**
   * Everything recorded since the last snapshot, as a window; the handles stay valid and
   * start again from zero (series with nothing recorded are left out).
   */
  snapshot(startMs: number, endMs: number): MetricsWindow {
    const series: Series[] = [];
    for (const h of this.handles.values()) {
      if (h instanceof TrendHandle) {
        if (h.count === 0 || h.histogram === undefined) continue;
        series.push({
          metric: h.metric,
          type: 'trend',
          tags: h.tags,
          histogram: encodeHistogram(h.histogram),
          count: h.count,
        });
        h.histogram.reset();
        h.count = 0;
      } else if (h instanceof RateHandle) {
        if (h.total === 0) continue;
        series.push({ metric: h.metric, type: 'rate', tags: h.tags, trues: h.trues, total: h.total });
        h.trues = 0;
        h.total = 0;
      } else {
        if (h.value === 0) continue;
        series.push({ metric: h.metric, type: 'counter', tags: h.tags, value: h.value });
        h.value = 0;
      }
    }
    return { startMs, endMs, series };
  }
}
