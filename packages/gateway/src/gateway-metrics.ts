/**
 * The gateway's RED metrics with nothing allocated per request: a request carries a RouteSeries
 * (found through a per-product path → template cache) and two small indexes; recording the
 * answer is an array read, an addition and a bucket scan.
 */
import type { HttpMethod, ProductId } from '@twilio-lab/core';
import {
  ACCOUNT_TIERS,
  httpMetrics,
  RouteTemplateCache,
  STATUS_CLASSES,
  statusClassIndex,
} from '@twilio-lab/metrics';
import type { CounterChild, HistogramChild, HttpMetrics, Registry } from '@twilio-lab/metrics';

/** Method label values; OTHER is any method the gateway refuses with 405. */
const METHOD_LABELS = ['GET', 'POST', 'PUT', 'DELETE', 'OTHER'] as const;
export const OTHER_METHOD_INDEX = 4;
const METHOD_INDEX: Readonly<Record<HttpMethod, number>> = { GET: 0, POST: 1, PUT: 2, DELETE: 3 };

export function methodIndex(method: HttpMethod): number {
  return METHOD_INDEX[method];
}

export const TIER_NONE = 0;
const TIER_INDEX: Readonly<Record<string, number>> = { Full: 1, Trial: 2 };

/** Tier index of an identity Account's type. */
export function tierIndex(accountType: string): number {
  return TIER_INDEX[accountType] ?? TIER_NONE;
}

const CLASSES = STATUS_CLASSES.length;
const TIERS = ACCOUNT_TIERS.length;

/** The series of one product + route template, children created on first use per method/status/tier. */
export class RouteSeries {
  private readonly counters: (CounterChild | undefined)[] = [];
  private readonly durations: (HistogramChild | undefined)[] = [];

  constructor(
    private readonly http: HttpMetrics,
    readonly product: string,
    readonly route: string,
  ) {}

  record(method: number, status: number, tier: number, seconds: number): void {
    const cls = statusClassIndex(status);
    const d = method * CLASSES + cls;
    const c = d * TIERS + tier;
    (this.counters[c] ??= this.counterChild(method, cls, tier)).inc();
    (this.durations[d] ??= this.durationChild(method, cls)).observe(seconds);
  }

  private counterChild(method: number, cls: number, tier: number): CounterChild {
    return this.http.requests.child({
      product: this.product,
      route: this.route,
      method: METHOD_LABELS[method] ?? 'OTHER',
      status_class: STATUS_CLASSES[cls] ?? '5xx',
      tier: ACCOUNT_TIERS[tier] ?? 'none',
    });
  }

  private durationChild(method: number, cls: number): HistogramChild {
    return this.http.duration.child({
      product: this.product,
      route: this.route,
      method: METHOD_LABELS[method] ?? 'OTHER',
      status_class: STATUS_CLASSES[cls] ?? '5xx',
    });
  }
}

/** Product label of requests the gateway answers itself (health, /metrics, 405, unknown product). */
export const GATEWAY_PRODUCT = 'gateway';
export const LAB_PRODUCT = 'lab';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

/** True when only this machine can reach a server bound to `host` (then /metrics needs no token). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

export type AuthFailureReason = 'missing' | 'invalid' | 'admin_token';

export class GatewayMetrics {
  readonly http: HttpMetrics;
  private readonly byProduct = new Map<string, RouteTemplateCache<RouteSeries>>();
  private readonly fixedSeries = new Map<string, RouteSeries>();
  private readonly rateLimitedChildren = new Map<string, CounterChild>();
  private readonly authFailureChildren = new Map<string, CounterChild>();

  constructor(readonly registry: Registry) {
    this.http = httpMetrics(registry);
  }

  /** Series of a product-relative raw path (templated, bounded per product). */
  route(product: ProductId | typeof LAB_PRODUCT, path: string): RouteSeries {
    let cache = this.byProduct.get(product);
    if (cache === undefined) {
      cache = new RouteTemplateCache((template) => new RouteSeries(this.http, product, template));
      this.byProduct.set(product, cache);
    }
    return cache.get(path);
  }

  /** Series with a route name chosen by the gateway ('/healthz', '_unknown_product', …). */
  fixed(product: string, route: string): RouteSeries {
    const key = `${product} ${route}`;
    let series = this.fixedSeries.get(key);
    if (series === undefined) {
      series = new RouteSeries(this.http, product, route);
      this.fixedSeries.set(key, series);
    }
    return series;
  }

  rateLimited(product: string, tier: number): void {
    const key = `${product} ${tier}`;
    let child = this.rateLimitedChildren.get(key);
    if (child === undefined) {
      child = this.http.rateLimited.child({ product, tier: ACCOUNT_TIERS[tier] ?? 'none' });
      this.rateLimitedChildren.set(key, child);
    }
    child.inc();
  }

  authFailure(product: string, reason: AuthFailureReason): void {
    const key = `${product} ${reason}`;
    let child = this.authFailureChildren.get(key);
    if (child === undefined) {
      child = this.http.authFailures.child({ product, reason });
      this.authFailureChildren.set(key, child);
    }
    child.inc();
  }

  /** Reads the gateway's in-flight count at every scrape (nothing to do per request). */
  trackInFlight(read: () => number): void {
    const child = this.http.inFlight.child({});
    this.http.inFlight.onCollect(() => child.set(read()));
  }
}
