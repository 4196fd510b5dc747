/**
 * Merging what several recorders (worker threads and the main thread) measured: series with
 * the same metric and tag set add up; histograms add bucket by bucket, never by averaging
 * percentiles.
 */
import type { MetricsWindow, RunMetrics, Series } from '../metrics.js';
import { encodeHistogram, mergeEncoded } from './histogram.js';
import { seriesKey } from './recorder.js';

export function mergeSeries(lists: readonly (readonly Series[])[]): Series[] {
  const groups = new Map<string, Series[]>();
  for (const list of lists) {
    for (const s of list) {
      const key = `${s.type}\u0002${seriesKey(s.metric, s.tags)}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [s]);
      else group.push(s);
    }
  }
  const merged: Series[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.length === 1) {
      merged.push(first);
      continue;
    }
    switch (first.type) {
      case 'trend': {
        const trends = group as Extract<Series, { type: 'trend' }>[];
        const histogram = mergeEncoded(trends.map((t) => t.histogram));
        merged.push({
          metric: first.metric,
          type: 'trend',
          tags: first.tags,
          histogram: encodeHistogram(histogram),
          count: trends.reduce((n, t) => n + t.count, 0),
        });
        histogram.destroy();
        break;
      }
      case 'rate': {
        const rates = group as Extract<Series, { type: 'rate' }>[];
        merged.push({
          metric: first.metric,
          type: 'rate',
          tags: first.tags,
          trues: rates.reduce((n, r) => n + r.trues, 0),
          total: rates.reduce((n, r) => n + r.total, 0),
        });
        break;
      }
      case 'counter': {
        const counters = group as Extract<Series, { type: 'counter' }>[];
        merged.push({
          metric: first.metric,
          type: 'counter',
          tags: first.tags,
          value: counters.reduce((n, c) => n + c.value, 0),
        });
        break;
      }
    }
  }
  return merged;
}

/**
 * Gathers windows from several sources and hands each second on once every live source has
 * reported it, so a listener sees every window once, complete and in order.
 */
export class WindowMerger {
  private readonly pending = new Map<number, MetricsWindow[]>();
  private readonly reported = new Map<string, number>();
  private readonly finished = new Set<string>();
  private readonly done: MetricsWindow[] = [];

  constructor(
    sources: readonly string[],
    private readonly onWindow?: (window: MetricsWindow) => void,
  ) {
    for (const s of sources) this.reported.set(s, -1);
  }

  add(source: string, window: MetricsWindow): void {
    const list = this.pending.get(window.startMs);
    if (list === undefined) this.pending.set(window.startMs, [window]);
    else list.push(window);
    this.reported.set(source, Math.max(this.reported.get(source) ?? -1, window.startMs));
    this.release();
  }

  /** The source will report nothing more. */
  finish(source: string): void {
    this.finished.add(source);
    this.release();
  }

  /** Hands on everything still pending and returns the run's metrics. */
  close(): RunMetrics {
    this.release(true);
    return { windows: this.done, total: mergeSeries(this.done.map((w) => w.series)) };
  }

  private release(all = false): void {
    for (;;) {
      const starts = [...this.pending.keys()].sort((a, b) => a - b);
      const next = starts[0];
      if (next === undefined) return;
      if (!all) {
        for (const [source, last] of this.reported) {
          if (!this.finished.has(source) && last < next) return;
        }
      }
      const parts = this.pending.get(next)!;
      this.pending.delete(next);
      const window: MetricsWindow = {
        startMs: next,
        endMs: Math.max(...parts.map((p) => p.endMs)),
        series: mergeSeries(parts.map((p) => p.series)),
      };
      this.done.push(window);
      this.onWindow?.(window);
    }
  }
}
