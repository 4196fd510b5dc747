import { writeFile } from 'node:fs/promises';
import type { MetricsWindow, RunMetrics } from '../metrics.js';
import { METRICS } from '../metrics.js';
import type { ThresholdResult } from '../budgets/evaluate.js';
import { aggregateSeries } from '../budgets/aggregate.js';
import { mergeTrendSeries } from '../budgets/histogram.js';
import type { Histogram } from '../budgets/histogram.js';
import { esc, lineChart } from './svg.js';
import type { ChartMarker, ChartSeries } from './svg.js';
import { runDurationMs, summaryRows } from './stats.js';
import { formatThresholdLine } from './table.js';

/** A moment on the run's timeline worth marking (a phase starting, a fault injected or reverted). */
export interface Annotation {
  atMs: number;
  label: string;
  kind?: 'phase' | 'fault' | 'note';
}

export interface HtmlReportInput {
  title: string;
  metrics: RunMetrics;
  thresholds?: readonly ThresholdResult[];
  annotations?: readonly Annotation[];
  /** Trend charted over time and as a percentile spectrum. Default http_req_duration (else the first trend). */
  latencyMetric?: string;
  /** Counter charted as throughput. Default 'iterations'. */
  throughputMetric?: string;
  /** Rate whose trues are charted as errors. Default 'http_req_failed'. */
  errorMetric?: string;
  /** Lines shown under the title (scenario, start time, verdict, …). */
  subtitle?: readonly string[];
}

const COLORS = {
  p50: '#2f6fde',
  p99: '#d2452f',
  max: '#8a8a8a',
  throughput: '#2e9b57',
  errors: '#d2452f',
  dropped: '#b07d12',
};
const MARKER_COLORS: Readonly<Record<NonNullable<Annotation['kind']>, string>> = {
  phase: '#6b5bd2',
  fault: '#c2185b',
  note: '#555555',
};

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:940px;color:#1d1d1f;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:#555;margin:0}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid #e4e4e4;text-align:right}th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left;word-break:break-all}
.ok{color:#1e7d3c}.fail{color:#c62828;font-weight:600}
.chart{display:block;max-width:100%;height:auto;margin:8px 0}
.chart .grid{stroke:#ececec}.chart .tick{font-size:11px;fill:#555}.chart .axis{font-size:12px;fill:#333}
.chart .ct{font-size:13px;font-weight:600;fill:#1d1d1f}
.none{color:#777;font-style:italic}
`;

/** A self-contained report: inline CSS and SVG, no scripts, fonts or images fetched from anywhere. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { metrics } = input;
  const durationMs = runDurationMs(metrics.windows);
  const latencyMetric = input.latencyMetric ?? pickLatencyMetric(metrics);
  const markers: ChartMarker[] = (input.annotations ?? []).map((a) => ({
    x: a.atMs / 1000,
    label: a.label,
    color: MARKER_COLORS[a.kind ?? 'note'],
  }));
  const body: string[] = [];
  body.push(`<h1>${esc(input.title)}</h1>`);
  for (const line of input.subtitle ?? []) body.push(`<p class="sub">${esc(line)}</p>`);

  body.push('<h2>Thresholds</h2>', thresholdTable(input.thresholds ?? []));

  body.push('<h2>Latency over time</h2>');
  body.push(latencyOverTime(metrics.windows, latencyMetric, markers));
  body.push('<h2>Percentile spectrum</h2>');
  body.push(percentileSpectrum(metrics, latencyMetric));
  body.push('<h2>Throughput</h2>');
  body.push(throughputChart(metrics.windows, input.throughputMetric ?? METRICS.iterations, markers));
  body.push('<h2>Errors</h2>');
  body.push(errorsChart(metrics.windows, input.errorMetric ?? METRICS.httpReqFailed, markers));
  if ((input.annotations ?? []).length > 0)
    body.push('<h2>Timeline</h2>', annotationTable(input.annotations ?? []));
  body.push('<h2>All metrics</h2>', metricsTable(metrics, durationMs));

  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(input.title)}</title><style>${STYLE}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`
  );
}

export async function writeHtmlReport(path: string, input: HtmlReportInput): Promise<void> {
  await writeFile(path, renderHtmlReport(input));
}

function pickLatencyMetric(metrics: RunMetrics): string {
  if (metrics.total.some((s) => s.metric === METRICS.httpReqDuration)) return METRICS.httpReqDuration;
  return metrics.total.find((s) => s.type === 'trend')?.metric ?? METRICS.httpReqDuration;
}

function trendOf(series: MetricsWindow['series'], metric: string): Histogram {
  return mergeTrendSeries(series.flatMap((s) => (s.type === 'trend' && s.metric === metric ? [s] : [])));
}

function latencyOverTime(windows: readonly MetricsWindow[], metric: string, markers: ChartMarker[]): string {
  const p50: [number, number][] = [];
  const p99: [number, number][] = [];
  const max: [number, number][] = [];
  for (const w of windows) {
    const h = trendOf(w.series, metric);
    if (h.totalCount === 0) continue;
    const x = w.startMs / 1000;
    p50.push([x, h.getValueAtPercentile(50) / 1000]);
    p99.push([x, h.getValueAtPercentile(99) / 1000]);
    max.push([x, h.getValueAtPercentile(100) / 1000]);
  }
  if (p50.length === 0) return none(`no ${metric} samples`);
  const series: ChartSeries[] = [
    { name: 'max', color: COLORS.max, points: max },
    { name: 'p99', color: COLORS.p99, points: p99 },
    { name: 'p50', color: COLORS.p50, points: p50 },
  ];
  return lineChart({
    title: `${metric} per second`,
    xLabel: 'seconds into the run',
    yLabel: 'ms',
    series,
    markers,
  });
}

/**
 * HDR's classic plot: latency against 1/(1-percentile) on a log axis, so the tail from p90 to
 * p99.99 gets as much room as the body. It stops where the sample count runs out.
 */
function percentileSpectrum(metrics: RunMetrics, metric: string): string {
  const h = trendOf(metrics.total, metric);
  if (h.totalCount === 0) return none(`no ${metric} samples`);
  const decades = Math.max(1, Math.min(6, Math.log10(h.totalCount)));
  const points: [number, number][] = [];
  for (let x = 0; x <= decades + 1e-9; x += 0.05) {
    points.push([x, h.getValueAtPercentile(100 * (1 - 10 ** -x)) / 1000]);
  }
  points.push([decades, h.getValueAtPercentile(100) / 1000]);
  const labels = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%', '99.9999%'];
  const xTicks = labels.slice(0, Math.floor(decades) + 1).map((label, x) => ({ x, label }));
  return lineChart({
    title: `${metric}: percentile spectrum (${h.totalCount} samples)`,
    xLabel: 'percentile',
    yLabel: 'ms',
    series: [{ name: 'latency', color: COLORS.p99, points }],
    xTicks,
  });
}

function perSecond(
  windows: readonly MetricsWindow[],
  pick: (w: MetricsWindow) => number | undefined,
): [number, number][] {
  const points: [number, number][] = [];
  for (const w of windows) {
    const value = pick(w);
    const seconds = (w.endMs - w.startMs) / 1000;
    if (value !== undefined && seconds > 0) points.push([w.startMs / 1000, value / seconds]);
  }
  return points;
}

function counterIn(w: MetricsWindow, metric: string): number | undefined {
  const aggregate = aggregateSeries(w.series, metric, {}, w.endMs - w.startMs);
  return aggregate?.type === 'counter' ? aggregate.value : undefined;
}

function throughputChart(windows: readonly MetricsWindow[], metric: string, markers: ChartMarker[]): string {
  const points = perSecond(windows, (w) => counterIn(w, metric) ?? 0);
  if (!windows.some((w) => counterIn(w, metric) !== undefined)) return none(`no ${metric} recorded`);
  return lineChart({
    title: `${metric} per second`,
    xLabel: 'seconds into the run',
    yLabel: 'per second',
    series: [{ name: metric, color: COLORS.throughput, points }],
    markers,
  });
}

function errorsChart(windows: readonly MetricsWindow[], metric: string, markers: ChartMarker[]): string {
  const failed = perSecond(windows, (w) => {
    const aggregate = aggregateSeries(w.series, metric, {}, 0);
    return aggregate?.type === 'rate' ? aggregate.trues : 0;
  });
  const dropped = perSecond(windows, (w) => counterIn(w, METRICS.droppedIterations) ?? 0);
  if (failed.every((p) => p[1] === 0) && dropped.every((p) => p[1] === 0))
    return none('no errors and no dropped iterations');
  return lineChart({
    title: 'errors per second',
    xLabel: 'seconds into the run',
    yLabel: 'per second',
    series: [
      { name: metric, color: COLORS.errors, points: failed },
      { name: METRICS.droppedIterations, color: COLORS.dropped, points: dropped },
    ],
    markers,
  });
}

function thresholdTable(results: readonly ThresholdResult[]): string {
  if (results.length === 0) return none('no thresholds');
  const rows = results.map(
    (r) =>
      `<tr><td class="${r.ok ? 'ok' : 'fail'}">${r.ok ? '✓' : '✗'} ${esc(r.selector)}</td><td>${esc(r.expression)}</td>` +
      `<td>${r.observed === null ? esc(r.reason ?? '') : esc(String(Math.round(r.observed * 1000) / 1000))}</td>` +
      `<td>${esc(formatThresholdLine(r).replace(/^[✓✗] /, ''))}</td></tr>`,
  );
  return `<table><tr><th>selector</th><th>expression</th><th>observed</th><th>detail</th></tr>${rows.join('')}</table>`;
}

function annotationTable(annotations: readonly Annotation[]): string {
  const rows = [...annotations]
    .sort((a, b) => a.atMs - b.atMs)
    .map(
      (a) =>
        `<tr><td>${esc(a.label)}</td><td>${esc(a.kind ?? 'note')}</td><td>${(a.atMs / 1000).toFixed(1)} s</td></tr>`,
    );
  return `<table><tr><th>event</th><th>kind</th><th>at</th></tr>${rows.join('')}</table>`;
}

function metricsTable(metrics: RunMetrics, durationMs: number): string {
  const rows = summaryRows(metrics.total, durationMs);
  if (rows.length === 0) return none('nothing recorded');
  const cell = (v: number): string => `<td>${Math.round(v * 100) / 100}</td>`;
  const html = rows.map((r) => {
    if (r.trend !== undefined) {
      const t = r.trend;
      return `<tr><td>${esc(r.label)}</td><td>${t.count}</td>${[t.avg, t.med, t.p90, t.p95, t.p99, t.max].map(cell).join('')}<td></td></tr>`;
    }
    const rate =
      r.rate !== undefined
        ? `${(r.rate.rate * 100).toFixed(2)}% (${r.rate.trues}/${r.rate.total})`
        : `${(r.counter?.perSecond ?? 0).toFixed(2)}/s`;
    const count = r.rate?.total ?? r.counter?.value ?? 0;
    return `<tr><td>${esc(r.label)}</td><td>${count}</td><td></td><td></td><td></td><td></td><td></td><td></td><td>${esc(rate)}</td></tr>`;
  });
  return (
    `<table><tr><th>metric</th><th>count</th><th>avg ms</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>rate</th></tr>` +
    `${html.join('')}</table>`
  );
}

function none(text: string): string {
  return `<p class="none">${esc(text)}</p>`;
}
