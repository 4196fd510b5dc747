import type { RunMetrics } from '../metrics.js';
import type { ThresholdResult } from '../budgets/evaluate.js';
import { runDurationMs, summaryRows } from './stats.js';

/**
 * The end-of-run summary as text: one table of trends (ms), one of rates and counters, then
 * every threshold with ✓/✗ and its observed value.
 */
export function formatSummaryTable(metrics: RunMetrics, thresholds: readonly ThresholdResult[] = []): string {
  const rows = summaryRows(metrics.total, runDurationMs(metrics.windows));
  const out: string[] = [];
  const trends = rows.flatMap((r) => (r.trend === undefined ? [] : [{ label: r.label, t: r.trend }]));
  if (trends.length > 0) {
    out.push(
      ...table(
        ['metric (ms)', 'count', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'],
        trends.map(({ label, t }) => [
          label,
          String(t.count),
          ms(t.avg),
          ms(t.med),
          ms(t.p90),
          ms(t.p95),
          ms(t.p99),
          ms(t.max),
        ]),
      ),
    );
  }
  const others = rows.filter((r) => r.trend === undefined);
  if (others.length > 0) {
    if (out.length > 0) out.push('');
    out.push(
      ...table(
        ['metric', 'count', 'rate'],
        others.map((r) =>
          r.rate !== undefined
            ? [r.label, `${r.rate.trues}/${r.rate.total}`, `${(r.rate.rate * 100).toFixed(2)}%`]
            : [r.label, String(r.counter?.value ?? 0), `${(r.counter?.perSecond ?? 0).toFixed(2)}/s`],
        ),
      ),
    );
  }
  if (thresholds.length > 0) {
    if (out.length > 0) out.push('');
    out.push('thresholds');
    for (const result of thresholds) out.push(`  ${formatThresholdLine(result)}`);
  }
  return `${out.join('\n')}\n`;
}

/** '✓ http_req_duration{scenario:storm} p(99)<200 (observed 123.4)'. */
export function formatThresholdLine(result: ThresholdResult): string {
  const mark = result.ok ? '✓' : '✗';
  const observed =
    result.observed === null ? (result.reason ?? 'no value') : `observed ${round(result.observed)}`;
  const where =
    result.window?.worst != null
      ? `, worst ${result.window.widthMs / 1000}s window at ${result.window.worst.startMs / 1000}s; ${result.window.failed}/${result.window.evaluated} windows failed`
      : '';
  const abort = result.abortOnFail ? ' [abortOnFail]' : '';
  return `${mark} ${result.selector} ${result.expression} (${observed}${where})${abort}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}
