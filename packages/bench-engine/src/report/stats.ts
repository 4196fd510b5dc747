import type { MetricType, Series, Tags } from '../metrics.js';
import { histogramOf, trendStats } from '../budgets/histogram.js';
import type { TrendStats } from '../budgets/histogram.js';

/** One printable line of the summary: a series and its statistics. */
export interface SummaryRow {
  /** 'http_req_duration{scenario:storm,status:201}' (tags sorted). */
  label: string;
  metric: string;
  type: MetricType;
  tags: Tags;
  /** Trends: statistics in ms. */
  trend?: TrendStats;
  /** Rates: trues / total. */
  rate?: { trues: number; total: number; rate: number };
  /** Counters: total and per second over the run. */
  counter?: { value: number; perSecond: number };
}

export function seriesLabel(metric: string, tags: Tags): string {
  const keys = Object.keys(tags).sort();
  return keys.length === 0 ? metric : `${metric}{${keys.map((k) => `${k}:${tags[k]}`).join(',')}}`;
}

/** Rows for `series`, sorted by label so reports are stable across runs. */
export function summaryRows(series: readonly Series[], durationMs: number): SummaryRow[] {
  return series
    .map((one): SummaryRow => {
      const row: SummaryRow = {
        label: seriesLabel(one.metric, one.tags),
        metric: one.metric,
        type: one.type,
        tags: one.tags,
      };
      if (one.type === 'trend') row.trend = trendStats(histogramOf(one));
      else if (one.type === 'rate')
        row.rate = { trues: one.trues, total: one.total, rate: one.total === 0 ? 0 : one.trues / one.total };
      else
        row.counter = { value: one.value, perSecond: durationMs > 0 ? one.value / (durationMs / 1000) : 0 };
      return row;
    })
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** A run's length as its windows cover it. */
export function runDurationMs(windows: readonly { startMs: number; endMs: number }[]): number {
  const first = windows[0];
  const last = windows[windows.length - 1];
  return first === undefined || last === undefined ? 0 : last.endMs - first.startMs;
}
