import { mannWhitneyU, median } from './mann-whitney.js';
import type { RunSamples } from './samples.js';

export type Verdict = 'pass' | 'warn' | 'fail';

export interface CompareOptions {
  /** Significance level of the Mann-Whitney test. Default 0.05. */
  alpha?: number;
  /** Relative regression (0.05 = 5 %) that warns when significant. Default 0.05. */
  warnEffect?: number;
  /** Relative regression that fails when significant. Default 0.10. */
  failEffect?: number;
  /** Fewer samples than this on either side: no verdict beyond 'warn'. Default 5. */
  minSamples?: number;
}

export interface MetricComparison {
  metric: 'throughput' | 'latency_p99';
  /** Medians of the compared samples (throughput: normalised by calibration when both runs have one). */
  baselineMedian: number;
  currentMedian: number;
  /** (current − baseline) / baseline. */
  relativeChange: number;
  /** The change in the bad direction (slower, less throughput), ≥ 0 when it is a regression. */
  regression: number;
  pValue: number;
  z: number;
  baselineSamples: number;
  currentSamples: number;
  verdict: Verdict;
  reason: string;
}

export interface CompareResult {
  verdict: Verdict;
  /** One line per metric that did not pass, plus notes (e.g. missing calibration). */
  reasons: string[];
  metrics: MetricComparison[];
  /** Whether throughput was normalised by each run's calibration throughput. */
  normalised: boolean;
}

const RANK: Readonly<Record<Verdict, number>> = { pass: 0, warn: 1, fail: 2 };

/**
 * CI gate against a baseline. Throughput samples (per second) are divided by each run's
 * calibration throughput, so runs from machines of different speed compare; latency is
 * compared on per-window p99s. A metric regresses only when the difference is both
 * statistically significant (Mann-Whitney U) and at least the minimum effect size, so noise
 * on a busy CI runner neither passes a real 30 % slowdown nor fails a 2 % wobble.
 */
export function compareRuns(
  baseline: RunSamples,
  current: RunSamples,
  options: CompareOptions = {},
): CompareResult {
  const settings = {
    alpha: options.alpha ?? 0.05,
    warnEffect: options.warnEffect ?? 0.05,
    failEffect: options.failEffect ?? 0.1,
    minSamples: options.minSamples ?? 5,
  };
  const reasons: string[] = [];
  const normalised = usable(baseline.calibrationThroughput) && usable(current.calibrationThroughput);
  if (!normalised) {
    reasons.push(
      'no calibration throughput on both runs: raw throughput compared (only meaningful on the same machine)',
    );
  }
  const scale = (samples: RunSamples): number => (normalised ? (samples.calibrationThroughput as number) : 1);
  // A metric neither run sampled (e.g. throughput of a run whose arrivals were all fixed-rate,
  // where throughput is the generator's choice, not the lab's) is left out, not guessed.
  const metrics: MetricComparison[] = [];
  if (baseline.throughputPerSecond.length > 0 || current.throughputPerSecond.length > 0) {
    metrics.push(
      compareMetric(
        'throughput',
        baseline.throughputPerSecond.map((v) => v / scale(baseline)),
        current.throughputPerSecond.map((v) => v / scale(current)),
        -1,
        settings,
      ),
    );
  } else reasons.push('throughput: not sampled by either run (fixed-rate arrivals only), not compared');
  if (baseline.p99PerWindowMs.length > 0 || current.p99PerWindowMs.length > 0) {
    metrics.push(compareMetric('latency_p99', baseline.p99PerWindowMs, current.p99PerWindowMs, 1, settings));
  } else reasons.push('latency_p99: not sampled by either run, not compared');
  for (const metric of metrics)
    if (metric.verdict !== 'pass') reasons.push(`${metric.metric}: ${metric.reason}`);
  const verdict = metrics.reduce<Verdict>(
    (worst, m) => (RANK[m.verdict] > RANK[worst] ? m.verdict : worst),
    'pass',
  );
  return { verdict, reasons, metrics, normalised };
}

function usable(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value > 0;
}

/** `worseSign` is +1 when larger is worse (latency) and −1 when smaller is worse (throughput). */
function compareMetric(
  metric: MetricComparison['metric'],
  baseline: readonly number[],
  current: readonly number[],
  worseSign: 1 | -1,
  settings: Required<CompareOptions>,
): MetricComparison {
  const baselineMedian = median(baseline);
  const currentMedian = median(current);
  const relativeChange =
    baselineMedian === 0 || Number.isNaN(baselineMedian)
      ? 0
      : (currentMedian - baselineMedian) / baselineMedian;
  const regression = worseSign * relativeChange;
  const { z, pValue } = mannWhitneyU(baseline, current);
  const result = {
    metric,
    baselineMedian,
    currentMedian,
    relativeChange,
    regression,
    pValue,
    z,
    baselineSamples: baseline.length,
    currentSamples: current.length,
  };
  const change = `${relativeChange >= 0 ? '+' : ''}${(relativeChange * 100).toFixed(1)}% (median ${round(baselineMedian)} -> ${round(currentMedian)}, p=${pValue.toPrecision(2)})`;
  if (baseline.length < settings.minSamples || current.length < settings.minSamples) {
    return {
      ...result,
      verdict: 'warn',
      reason: `too few samples to judge (${baseline.length} baseline, ${current.length} current; need ${settings.minSamples})`,
    };
  }
  const significant = pValue < settings.alpha;
  if (significant && regression >= settings.failEffect) {
    return {
      ...result,
      verdict: 'fail',
      reason: `regressed ${change}, beyond the ${pct(settings.failEffect)} fail threshold`,
    };
  }
  if (significant && regression >= settings.warnEffect) {
    return {
      ...result,
      verdict: 'warn',
      reason: `regressed ${change}, beyond the ${pct(settings.warnEffect)} warn threshold`,
    };
  }
  const why = !significant
    ? 'no significant difference'
    : regression < 0
      ? 'improved'
      : 'within the minimum effect size';
  return { ...result, verdict: 'pass', reason: `${why}: ${change}` };
}

function pct(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
