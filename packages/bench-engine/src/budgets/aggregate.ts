import type { Series, Tags } from '../metrics.js';
import type { ThresholdExpression } from './expression.js';
import { histogramOf, newHistogram, percentileMs } from './histogram.js';
import type { Histogram } from './histogram.js';
import { tagsMatch } from './selector.js';

/** Everything the selected series recorded, merged (k6 sub-metric semantics). */
export type Aggregate =
  | { type: 'trend'; histogram: Histogram }
  | { type: 'rate'; trues: number; total: number }
  | { type: 'counter'; value: number; durationMs: number };

/**
 * Merges every series of `metric` whose tags include `tags`. Series of another type under the
 * same name (a recording bug) are ignored rather than mixed. Undefined when nothing matched.
 */
export function aggregateSeries(
  series: readonly Series[],
  metric: string,
  tags: Tags,
  durationMs: number,
): Aggregate | undefined {
  let result: Aggregate | undefined;
  for (const one of series) {
    if (one.metric !== metric || !tagsMatch(tags, one.tags)) continue;
    if (result === undefined) {
      result =
        one.type === 'trend'
          ? { type: 'trend', histogram: newHistogram() }
          : one.type === 'rate'
            ? { type: 'rate', trues: 0, total: 0 }
            : { type: 'counter', value: 0, durationMs };
    }
    if (one.type === 'trend' && result.type === 'trend') result.histogram.add(histogramOf(one));
    else if (one.type === 'rate' && result.type === 'rate') {
      result.trues += one.trues;
      result.total += one.total;
    } else if (one.type === 'counter' && result.type === 'counter') result.value += one.value;
  }
  return result;
}

/**
 * The number the expression compares, or undefined when the aggregate has no samples (an empty
 * trend has no p99) or the aggregation does not apply to its type (the reason is returned).
 */
export function observe(
  aggregate: Aggregate,
  expression: ThresholdExpression,
): { value: number } | { value: undefined; reason: string } {
  const noSamples = { value: undefined, reason: 'no samples' } as const;
  const wrongType = {
    value: undefined,
    reason: `'${expression.aggregation === 'p' ? 'p(N)' : expression.aggregation}' does not apply to a ${aggregate.type} metric`,
  } as const;
  switch (aggregate.type) {
    case 'trend': {
      const h = aggregate.histogram;
      if (expression.aggregation === 'count') return { value: h.totalCount };
      if (h.totalCount === 0) return noSamples;
      switch (expression.aggregation) {
        case 'p':
          return { value: percentileMs(h, expression.percentile ?? 0) as number };
        case 'avg':
          return { value: h.mean / 1000 };
        case 'min':
          return { value: h.getValueAtPercentile(0) / 1000 };
        case 'med':
          return { value: h.getValueAtPercentile(50) / 1000 };
        case 'max':
          return { value: h.getValueAtPercentile(100) / 1000 };
        default:
          return wrongType;
      }
    }
    case 'rate':
      if (expression.aggregation !== 'rate') return wrongType;
      return aggregate.total === 0 ? noSamples : { value: aggregate.trues / aggregate.total };
    case 'counter':
      if (expression.aggregation === 'count' || expression.aggregation === 'value') {
        return { value: aggregate.value };
      }
      if (expression.aggregation !== 'rate') return wrongType;
      // k6: a counter's rate is per second over the time it was measured.
      return aggregate.durationMs <= 0
        ? noSamples
        : { value: aggregate.value / (aggregate.durationMs / 1000) };
  }
}
