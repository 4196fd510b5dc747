/** RED metrics of an HTTP server (the gateway; any other server may reuse them). */
import type { Registry } from 'prom-client';
import { HTTP_DURATION_BUCKETS } from './buckets.js';
import { CounterFamily, GaugeFamily, HistogramFamily } from './families.js';
import { oncePerRegistry } from './memo.js';
import { METRIC_PREFIX } from './registry.js';

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** '2xx' for 201; anything outside 100..599 counts as '5xx' (the server misbehaved). */
export function statusClass(status: number): StatusClass {
  return STATUS_CLASSES[Math.floor(status / 100) - 1] ?? '5xx';
}

/** Index of statusClass(status) in STATUS_CLASSES, for tables of pre-resolved children. */
export function statusClassIndex(status: number): number {
  const i = Math.floor(status / 100) - 1;
  return i >= 0 && i < STATUS_CLASSES.length ? i : STATUS_CLASSES.length - 1;
}

/** Account tier label: the identity Account's type, or 'none' before authentication. */
export const ACCOUNT_TIERS = ['none', 'full', 'trial'] as const;
export type AccountTier = (typeof ACCOUNT_TIERS)[number];

export type HttpLabel = 'product' | 'route' | 'method' | 'status_class';

export interface HttpMetrics {
  /** twilio_lab_http_requests_total{product,route,method,status_class,tier} */
  requests: CounterFamily<HttpLabel | 'tier'>;
  /** twilio_lab_http_request_duration_seconds{product,route,method,status_class}: first byte read → response written. */
  duration: HistogramFamily<HttpLabel>;
  /** twilio_lab_http_requests_in_flight: requests past parsing whose answer is not written yet. */
  inFlight: GaugeFamily;
  /** twilio_lab_http_rate_limited_total{product,tier}: 429s from the per-account token bucket. */
  rateLimited: CounterFamily<'product' | 'tier'>;
  /** twilio_lab_http_auth_failures_total{product,reason}; reason: missing | invalid | admin_token. */
  authFailures: CounterFamily<'product' | 'reason'>;
}

export function httpMetrics(registry: Registry): HttpMetrics {
  return oncePerRegistry(registry, 'http', () => ({
    requests: new CounterFamily({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by product, route template, method, status class and account tier.',
      labelNames: ['product', 'route', 'method', 'status_class', 'tier'],
    }).register(registry),
    duration: new HistogramFamily({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time from reading a request to writing its response.',
      labelNames: ['product', 'route', 'method', 'status_class'],
      buckets: HTTP_DURATION_BUCKETS,
    }).register(registry),
    inFlight: new GaugeFamily({
      name: `${METRIC_PREFIX}http_requests_in_flight`,
      help: 'Requests being processed (body read, answer not yet written).',
    }).register(registry),
    rateLimited: new CounterFamily({
      name: `${METRIC_PREFIX}http_rate_limited_total`,
      help: 'Requests refused with 429 by the per-account rate limit.',
      labelNames: ['product', 'tier'],
    }).register(registry),
    authFailures: new CounterFamily({
      name: `${METRIC_PREFIX}http_auth_failures_total`,
      help: 'Requests refused with 401: credentials missing, invalid, or a wrong admin token.',
      labelNames: ['product', 'reason'],
    }).register(registry),
  }));
}
