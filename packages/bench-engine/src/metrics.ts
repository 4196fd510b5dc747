/**
 * The measurement contract between the load runtime (which records) and the budgets, reports
 * and comparisons (which read). Everything a run measured is a list of series; a series is one
 * metric under one exact tag set, like k6's sub-metrics.
 *
 * Latencies are recorded in MICROSECONDS into HDR histograms (1 µs .. 1 h, 3 significant
 * digits) and exchanged as hdr-histogram-js base64 encodings, so that histograms recorded in
 * different worker threads merge exactly. Budgets and reports speak milliseconds.
 */

export type MetricType = 'trend' | 'rate' | 'counter';

/** Tags every sample carries (k6 style); flows may add their own (e.g. status, flow, cell). */
export type Tags = Readonly<Record<string, string>>;

export interface TrendSeries {
  metric: string;
  type: 'trend';
  tags: Tags;
  /** hdr-histogram-js `encodeIntoCompressedBase64` of a histogram of microsecond values. */
  histogram: string;
  count: number;
}

export interface RateSeries {
  metric: string;
  type: 'rate';
  tags: Tags;
  /** Samples that were true (e.g. failed requests for http_req_failed). */
  trues: number;
  total: number;
}

export interface CounterSeries {
  metric: string;
  type: 'counter';
  tags: Tags;
  value: number;
}

export type Series = TrendSeries | RateSeries | CounterSeries;

/** Everything recorded during one wall-clock second of the run (the last one may be shorter). */
export interface MetricsWindow {
  /** Milliseconds since the run's start. */
  startMs: number;
  endMs: number;
  series: Series[];
}

export interface RunMetrics {
  /** Whole-run series (the merge of every window). */
  total: Series[];
  /** One entry per second, in order; sliding-window budgets and time-series reports read these. */
  windows: MetricsWindow[];
}

/**
 * Built-in metric names. Trends are durations measured from the arrival's INTENDED start
 * time (no coordinated omission).
 */
export const METRICS = {
  /** Trend: request duration, from the intended start to the full response. */
  httpReqDuration: 'http_req_duration',
  /** Rate: requests that failed (network error, or a status the flow did not expect). */
  httpReqFailed: 'http_req_failed',
  /** Trend: one flow iteration, intended start to end (including awaited statuses). */
  iterationDuration: 'iteration_duration',
  /** Counter: iterations completed. */
  iterations: 'iterations',
  /** Counter: arrivals that found no free VU (open model: counted, never queued). */
  droppedIterations: 'dropped_iterations',
  /** Counter: arrivals that started later than the lateness tolerance after their intended time. */
  lateArrivals: 'late_arrivals',
  /** Trend: POST /Messages, intended start to the 201. */
  smsAcceptDuration: 'sms_accept_duration',
  /** Trend: 201 to the `delivered` (or other awaited) StatusCallback at the sink. */
  smsEndToEndDuration: 'sms_e2e_duration',
  /** Counter: accepted messages that never reached a terminal status (reconciliation). */
  messagesLost: 'messages_lost',
  /** Rate: `check` outcomes of flows. */
  checks: 'checks',
} as const;
