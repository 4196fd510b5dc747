import type { MetricsWindow, RunMetrics, Series, Tags } from '../metrics.js';
import { aggregateSeries, observe } from './aggregate.js';
import type { Aggregate } from './aggregate.js';
import { compare } from './expression.js';
import type { ThresholdExpression } from './expression.js';
import { newHistogram } from './histogram.js';
import { KNOWN_METRIC_TYPES } from './selector.js';
import type { MetricSelector } from './selector.js';

/** One budget: a selector and one expression, with k6's options plus a sliding window. */
export interface Threshold {
  selector: MetricSelector;
  expression: ThresholdExpression;
  /** Stop the run as soon as this threshold fails (checked by `evaluateIncremental`). */
  abortOnFail: boolean;
  /** Do not abort before this much of the run has passed (enough samples first). */
  delayAbortEvalMs: number;
  /** Evaluate on every window of this width instead of the whole run; fails if any fails. */
  windowMs?: number;
}

export interface WindowVerdict {
  startMs: number;
  endMs: number;
  observed: number;
}

export interface ThresholdResult {
  /** The selector as written (e.g. 'http_req_duration{scenario:storm}'). */
  selector: string;
  metric: string;
  tags: Tags;
  /** The expression as written (e.g. 'p(99)<200'). */
  expression: string;
  /** Whole run: the value compared; windowed: the worst window's value; null without samples. */
  observed: number | null;
  ok: boolean;
  abortOnFail: boolean;
  /** Why there is no observed value, or why the threshold failed without one. */
  reason?: string;
  window?: {
    widthMs: number;
    /** Windows that had samples and were compared. */
    evaluated: number;
    failed: number;
    /** The window furthest on the wrong side of the limit (null when none was evaluated). */
    worst: WindowVerdict | null;
  };
}

export interface IncrementalEvaluation {
  /** True when an abortOnFail threshold has failed: the run should stop (exit 105). */
  abort: boolean;
  /** Results of the abortOnFail thresholds that were due for evaluation. */
  results: ThresholdResult[];
}

/** Evaluates every threshold at the end of a run. */
export function evaluateThresholds(thresholds: readonly Threshold[], metrics: RunMetrics): ThresholdResult[] {
  const durationMs = spanMs(metrics.windows);
  return thresholds.map((threshold) =>
    threshold.windowMs === undefined
      ? evaluateWhole(threshold, metrics.total, durationMs)
      : evaluateWindowed(threshold, metrics.windows, threshold.windowMs),
  );
}

/**
 * For use while the run goes on, after each window arrives: evaluates the abortOnFail
 * thresholds whose delayAbortEval has passed: whole-run ones on everything so far, windowed
 * ones on the most recent full window (earlier windows were checked by earlier calls).
 */
export function evaluateIncremental(
  thresholds: readonly Threshold[],
  windowsSoFar: readonly MetricsWindow[],
): IncrementalEvaluation {
  const last = windowsSoFar[windowsSoFar.length - 1];
  const first = windowsSoFar[0];
  if (last === undefined || first === undefined) return { abort: false, results: [] };
  const elapsedMs = last.endMs - first.startMs;
  const results: ThresholdResult[] = [];
  for (const threshold of thresholds) {
    if (!threshold.abortOnFail || elapsedMs < threshold.delayAbortEvalMs) continue;
    if (threshold.windowMs === undefined) {
      results.push(evaluateWhole(threshold, windowsSoFar.flatMap(seriesOf), elapsedMs));
      continue;
    }
    if (elapsedMs < threshold.windowMs) continue;
    let start = windowsSoFar.length - 1;
    while (start > 0 && last.endMs - (windowsSoFar[start - 1] as MetricsWindow).startMs <= threshold.windowMs)
      start--;
    const result = evaluateWindowed(threshold, windowsSoFar.slice(start), threshold.windowMs);
    // A window with no samples yet is not a failure while the run is still going.
    if (result.window?.evaluated !== 0) results.push(result);
  }
  return { abort: results.some((result) => !result.ok), results };
}

function seriesOf(window: MetricsWindow): Series[] {
  return window.series;
}

function spanMs(windows: readonly MetricsWindow[]): number {
  const first = windows[0];
  const last = windows[windows.length - 1];
  return first === undefined || last === undefined ? 0 : last.endMs - first.startMs;
}

function baseResult(threshold: Threshold): Omit<ThresholdResult, 'observed' | 'ok'> {
  return {
    selector: threshold.selector.source,
    metric: threshold.selector.metric,
    tags: threshold.selector.tags,
    expression: threshold.expression.source,
    abortOnFail: threshold.abortOnFail,
  };
}

/**
 * Nothing recorded under a counter means it never moved: that is a 0, not missing data
 * (`messages_lost: count==0` must pass when nothing was lost). Trends and rates without
 * samples stay missing, so a misspelt selector fails loudly instead of passing silently.
 */
function aggregateOrZero(
  threshold: Threshold,
  series: readonly Series[],
  durationMs: number,
): Aggregate | undefined {
  const { metric, tags } = threshold.selector;
  const found = aggregateSeries(series, metric, tags, durationMs);
  if (found !== undefined) return found;
  const known = KNOWN_METRIC_TYPES[metric];
  const countLike =
    threshold.expression.aggregation === 'count' || threshold.expression.aggregation === 'value';
  if (known === 'counter' || (known === undefined && countLike))
    return { type: 'counter', value: 0, durationMs };
  return undefined;
}

function evaluateWhole(threshold: Threshold, series: readonly Series[], durationMs: number): ThresholdResult {
  const aggregate = aggregateOrZero(threshold, series, durationMs);
  if (aggregate === undefined) {
    return { ...baseResult(threshold), observed: null, ok: false, reason: 'no samples matched the selector' };
  }
  const observed = observe(aggregate, threshold.expression);
  if (observed.value === undefined) {
    return { ...baseResult(threshold), observed: null, ok: false, reason: observed.reason };
  }
  const { operator, value } = threshold.expression;
  return { ...baseResult(threshold), observed: observed.value, ok: compare(observed.value, operator, value) };
}

/**
 * Slides a window of `widthMs` over the per-second windows one step at a time. Each group is
 * as wide as fits in `widthMs`; a trailing group cut short by the end of the run is skipped
 * (the group before it covered the same time), unless the whole run is shorter than the width.
 * Trend groups are kept as one running histogram (add the entering window, subtract the
 * leaving one) so a long run costs one merge per window, not one per window per group.
 */
function evaluateWindowed(
  threshold: Threshold,
  windows: readonly MetricsWindow[],
  widthMs: number,
): ThresholdResult {
  const perWindow = windows.map((w) => aggregateOrZero(threshold, w.series, w.endMs - w.startMs));
  const running = { trend: newHistogram(), trues: 0, total: 0, counter: 0 };
  const apply = (aggregate: Aggregate | undefined, sign: 1 | -1): void => {
    if (aggregate === undefined) return;
    if (aggregate.type === 'trend') {
      if (sign === 1) running.trend.add(aggregate.histogram);
      else running.trend.subtract(aggregate.histogram);
    } else if (aggregate.type === 'rate') {
      running.trues += sign * aggregate.trues;
      running.total += sign * aggregate.total;
    } else running.counter += sign * aggregate.value;
  };
  const kind = perWindow.find((a) => a !== undefined)?.type;
  const { operator, value: limit } = threshold.expression;
  let evaluated = 0;
  let failed = 0;
  let worst: WindowVerdict | null = null;
  let reason: string | undefined;
  let end = -1; // last window index inside the current group
  const tolerance = 1; // window edges are whole milliseconds; do not lose a group to rounding
  for (let start = 0; start < windows.length; start++) {
    const startMs = (windows[start] as MetricsWindow).startMs;
    while (
      end + 1 < windows.length &&
      (windows[end + 1] as MetricsWindow).endMs - startMs <= widthMs + tolerance
    ) {
      end++;
      apply(perWindow[end], 1);
    }
    if (end < start) {
      // A single window wider than the budget window: evaluate it alone.
      end = start;
      apply(perWindow[end], 1);
    }
    const endMs = (windows[end] as MetricsWindow).endMs;
    const truncated = end === windows.length - 1 && endMs - startMs < widthMs - tolerance;
    if (truncated && start > 0) break;
    if (kind !== undefined) {
      const aggregate: Aggregate =
        kind === 'trend'
          ? { type: 'trend', histogram: running.trend }
          : kind === 'rate'
            ? { type: 'rate', trues: running.trues, total: running.total }
            : { type: 'counter', value: running.counter, durationMs: endMs - startMs };
      const observed = observe(aggregate, threshold.expression);
      if (observed.value !== undefined) {
        evaluated++;
        const ok = compare(observed.value, operator, limit);
        if (!ok) failed++;
        if (worst === null || isWorse(observed.value, ok, worst, operator, limit)) {
          worst = { startMs, endMs, observed: observed.value };
        }
      } else if (observed.reason !== 'no samples') reason = observed.reason;
    }
    apply(perWindow[start], -1);
    if (truncated) break;
  }
  const base = { ...baseResult(threshold), window: { widthMs, evaluated, failed, worst } };
  if (evaluated === 0) {
    return { ...base, observed: null, ok: false, reason: reason ?? 'no samples matched the selector' };
  }
  return { ...base, observed: worst === null ? null : worst.observed, ok: failed === 0 };
}

function isWorse(
  observed: number,
  ok: boolean,
  current: WindowVerdict,
  operator: ThresholdExpression['operator'],
  limit: number,
): boolean {
  switch (operator) {
    case '<':
    case '<=':
      return observed > current.observed;
    case '>':
    case '>=':
      return observed < current.observed;
    default:
      // For == and != there is no direction: the first failing window is the one to show.
      return !ok && compare(current.observed, operator, limit);
  }
}
