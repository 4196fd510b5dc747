// @twilio-lab/metrics: one naming scheme for every process's Prometheus metrics, and /metrics.
export { createRegistry, metricsText, METRIC_PREFIX, Registry } from './registry.js';
export type { MetricsText, ProcessKind, RegistryOptions } from './registry.js';
export {
  CounterFamily,
  CounterChild,
  GaugeFamily,
  GaugeChild,
  HistogramFamily,
  HistogramChild,
  OVERFLOW_LABEL_VALUE,
  DEFAULT_MAX_SERIES,
} from './families.js';
export type {
  FamilyOptions,
  GaugeCollector,
  GaugeOptions,
  HistogramOptions,
  LabelValues,
} from './families.js';
export { HTTP_DURATION_BUCKETS, IO_DURATION_BUCKETS, PIPELINE_DURATION_BUCKETS } from './buckets.js';
export { httpMetrics, statusClass, statusClassIndex, STATUS_CLASSES, ACCOUNT_TIERS } from './http-metrics.js';
export type { AccountTier, HttpLabel, HttpMetrics, StatusClass } from './http-metrics.js';
export {
  messagingMetrics,
  senderMetrics,
  queueMetrics,
  carrierMetrics,
  webhookMetrics,
  webhookOutcome,
  verifyMetrics,
} from './product-metrics.js';
export type {
  MessagingMetrics,
  SenderMetrics,
  QueueMetrics,
  CarrierMetrics,
  WebhookMetrics,
  VerifyMetrics,
} from './product-metrics.js';
export { routeTemplate, RouteTemplateCache, OTHER_ROUTE, VALUE_PLACEHOLDER } from './route-template.js';
export { writePrometheusTarget, prometheusTargetsDir } from './prometheus-target.js';
export type { PrometheusTarget } from './prometheus-target.js';
export { MetricsError } from './errors.js';
export type { MetricsErrorCode } from './errors.js';
