import type { MetricType } from '../metrics.js';
import { ThresholdSyntaxError } from './errors.js';

/** k6 aggregation methods. `p` carries its percentile in `ThresholdExpression.percentile`. */
export type Aggregation = 'p' | 'avg' | 'min' | 'med' | 'max' | 'count' | 'rate' | 'value';
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface ThresholdExpression {
  /** As written, trimmed (e.g. 'p(99)<200'). */
  source: string;
  aggregation: Aggregation;
  /** 0..100, only for `p`. */
  percentile?: number;
  operator: ComparisonOperator;
  /** Milliseconds for trend aggregations, a 0..1 fraction for `rate` on rate metrics. */
  value: number;
}

/** Which aggregations make sense for which metric type (as in k6; `count`/`value` extras noted). */
export const AGGREGATIONS_BY_TYPE: Readonly<Record<MetricType, readonly Aggregation[]>> = {
  // `count` on a trend (samples recorded) is an extension k6 lacks; it is handy for "at least N".
  trend: ['avg', 'min', 'med', 'max', 'p', 'count'],
  rate: ['rate'],
  // `value` on a counter is its total, like k6's gauge `value`, so `messages_lost: value==0` reads well.
  counter: ['count', 'rate', 'value'],
};

const EXPRESSION = /^(p\(\s*([^)]*?)\s*\)|[A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>|=)?\s*(.*)$/;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const NAMED: ReadonlySet<string> = new Set(['avg', 'min', 'med', 'max', 'count', 'rate', 'value']);
const AGGREGATION_HINT = 'expected p(N), avg, min, med, max, count, rate or value';

/** Parses one k6 threshold expression such as 'p(99)<200', 'rate<0.01' or 'count>=100'. */
export function parseThresholdExpression(text: string): ThresholdExpression {
  const source = text.trim();
  const fail = (message: string): never => {
    throw new ThresholdSyntaxError(text, `invalid threshold '${source}': ${message}`);
  };
  const match = EXPRESSION.exec(source);
  if (source.length === 0 || match === null) return fail(`expected '<aggregation> <operator> <number>'`);
  const [, head = '', percentileText, operator, valueText = ''] = match;
  let aggregation: Aggregation;
  let percentile: number | undefined;
  if (percentileText !== undefined) {
    aggregation = 'p';
    percentile = Number(percentileText);
    if (!NUMBER.test(percentileText) || percentile < 0 || percentile > 100) {
      fail(`the percentile in '${head}' must be a number from 0 to 100`);
    }
  } else if (NAMED.has(head)) {
    aggregation = head as Aggregation;
  } else if (/^p\d/.test(head) || head === 'p') {
    return fail(`unknown aggregation '${head}' (percentiles are written p(N), e.g. p(99))`);
  } else {
    return fail(`unknown aggregation '${head}' (${AGGREGATION_HINT})`);
  }
  if (operator === undefined) return fail(`missing comparison operator (<, <=, >, >=, == or !=)`);
  if (operator === '=') return fail(`'=' is not an operator; use '=='`);
  if (valueText.length === 0) return fail(`missing the number after '${operator}'`);
  if (!NUMBER.test(valueText))
    return fail(`'${valueText}' is not a number (durations are plain milliseconds)`);
  const expression: ThresholdExpression = {
    source,
    aggregation,
    operator: operator as ComparisonOperator,
    value: Number(valueText),
  };
  if (percentile !== undefined) expression.percentile = percentile;
  return expression;
}

/** Whether `observed` satisfies the expression's comparison. */
export function compare(observed: number, operator: ComparisonOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

/** 'p(99)' / 'avg' … as written in expressions, for reports. */
export function aggregationLabel(
  expression: Pick<ThresholdExpression, 'aggregation' | 'percentile'>,
): string {
  return expression.aggregation === 'p' ? `p(${expression.percentile ?? 0})` : expression.aggregation;
}
