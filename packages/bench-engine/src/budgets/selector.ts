import { METRICS } from '../metrics.js';
import type { MetricType, Tags } from '../metrics.js';
import { ThresholdSyntaxError } from './errors.js';

/** `metric{tag:value,...}`: the metric plus the tags every matching series must carry. */
export interface MetricSelector {
  /** As written, trimmed. */
  source: string;
  metric: string;
  tags: Tags;
}

const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Types of the built-in metrics, so a budget like `http_req_duration: rate<0.01` is caught early. */
export const KNOWN_METRIC_TYPES: Readonly<Record<string, MetricType>> = {
  [METRICS.httpReqDuration]: 'trend',
  [METRICS.httpReqFailed]: 'rate',
  [METRICS.iterationDuration]: 'trend',
  [METRICS.iterations]: 'counter',
  [METRICS.droppedIterations]: 'counter',
  [METRICS.lateArrivals]: 'counter',
  [METRICS.smsAcceptDuration]: 'trend',
  [METRICS.smsEndToEndDuration]: 'trend',
  [METRICS.messagesLost]: 'counter',
  [METRICS.checks]: 'rate',
};

/** Parses 'http_req_duration{scenario:storm,phase:peak}' (k6 sub-metric syntax). */
export function parseSelector(text: string): MetricSelector {
  const source = text.trim();
  const fail = (message: string): never => {
    throw new ThresholdSyntaxError(text, `invalid metric selector '${source}': ${message}`);
  };
  const brace = source.indexOf('{');
  const metric = (brace === -1 ? source : source.slice(0, brace)).trim();
  if (!METRIC_NAME.test(metric)) {
    fail(metric.length === 0 ? 'missing the metric name' : `'${metric}' is not a metric name`);
  }
  const tags: Record<string, string> = {};
  if (brace !== -1) {
    if (!source.endsWith('}')) fail(`expected '}' at the end`);
    const body = source.slice(brace + 1, -1);
    if (body.includes('{') || body.includes('}')) fail('nested braces');
    if (body.trim().length > 0) {
      for (const pair of body.split(',')) {
        const colon = pair.indexOf(':');
        if (colon === -1) fail(`tag '${pair.trim()}' must be written key:value`);
        const key = pair.slice(0, colon).trim();
        const value = pair.slice(colon + 1).trim();
        if (!TAG_KEY.test(key)) fail(`'${key}' is not a tag name`);
        if (value.length === 0) fail(`tag '${key}' has an empty value`);
        if (key in tags) fail(`tag '${key}' appears twice`);
        tags[key] = value;
      }
    }
  } else if (source.includes('}')) {
    fail(`'}' without '{'`);
  }
  return { source, metric, tags };
}

/** Whether a series with `seriesTags` is selected: it must carry every selector tag with its value. */
export function tagsMatch(selectorTags: Tags, seriesTags: Tags): boolean {
  for (const key in selectorTags) {
    if (seriesTags[key] !== selectorTags[key]) return false;
  }
  return true;
}
