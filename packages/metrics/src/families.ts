/**
 * Counter, gauge and histogram families built for hot paths.
 *
 * prom-client's own metrics hash the label object on every `inc`/`observe`, even through a
 * `labels(...)` child. Here a child is resolved once (a Map lookup keyed by the label values)
 * and then updating it is plain arithmetic on its fields: callers on a hot path keep the child
 * and never build a label object per event. The families register themselves in a prom-client
 * Registry, which renders them with everything else (default labels, default metrics).
 */
import type { Metric, Registry } from 'prom-client';
import { MetricsError } from './errors.js';

export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** Value of every label of the series that catches children past a family's series cap. */
export const OVERFLOW_LABEL_VALUE = '_overflow';
/** Most series a family creates; the rest share the overflow series. */
export const DEFAULT_MAX_SERIES = 2_000;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** A Twilio SID (two letters, 32 hex) or a long digit run (phone numbers): unbounded values. */
const UNBOUNDED_VALUE = /[A-Z]{2}[0-9a-fA-F]{32}|\d{7,}/;
const KEY_SEPARATOR = '\u0001';

export interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Default DEFAULT_MAX_SERIES. */
  maxSeries?: number;
}

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface Rendered {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

abstract class Family<L extends string, C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  private readonly maxSeries: number;
  private readonly series = new Map<string, { labels: LabelValues<L>; child: C }>();
  private overflowCount = 0;

  constructor(o: FamilyOptions<L>, reservedLabels: readonly string[] = []) {
    if (!METRIC_NAME.test(o.name)) {
      throw new MetricsError('METRICS_INVALID_NAME', `"${o.name}" is not a valid Prometheus metric name`);
    }
    const labelNames = o.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || reservedLabels.includes(label)) {
        throw new MetricsError(
          'METRICS_INVALID_LABELS',
          `${o.name}: "${label}" cannot be a label name (letters, digits, '_'; not ${reservedLabels.join(', ') || 'reserved'})`,
        );
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new MetricsError('METRICS_INVALID_LABELS', `${o.name}: duplicate label names`);
    }
    this.name = o.name;
    this.help = o.help;
    this.labelNames = labelNames;
    this.maxSeries = o.maxSeries ?? DEFAULT_MAX_SERIES;
  }

  protected abstract newChild(): C;
  protected abstract samples(labels: LabelValues<L>, child: C, out: Sample[]): void;
  protected abstract resetChild(child: C): void;

  /**
   * The series for these label values, created on first use. Keep the result on hot paths.
   * A value that looks unbounded (a SID, a phone number) or a family past its series cap gets
   * the shared overflow series: a metrics mistake must never fail the request that made it.
   */
  child(labels: LabelValues<L>): C {
    const names = this.labelNames;
    let key = '';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) key += KEY_SEPARATOR;
      key += labels[names[i]!];
    }
    const found = this.series.get(key);
    if (found !== undefined) return found.child;
    if (this.series.size >= this.maxSeries || !this.bounded(labels)) return this.overflow();
    const child = this.newChild();
    this.series.set(key, { labels: this.copyLabels(labels), child });
    return child;
  }

  /** How many times a child was refused (unbounded value or cap): non-zero means a label bug. */
  get overflowed(): number {
    return this.overflowCount;
  }

  private bounded(labels: LabelValues<L>): boolean {
    for (const name of this.labelNames) {
      const value: unknown = labels[name];
      if (typeof value !== 'string' || UNBOUNDED_VALUE.test(value)) return false;
    }
    return true;
  }

  private copyLabels(labels: LabelValues<L>): LabelValues<L> {
    const copy = {} as Record<L, string>;
    for (const name of this.labelNames) copy[name] = labels[name];
    return copy;
  }

  private overflow(): C {
    this.overflowCount++;
    const labels = {} as Record<L, string>;
    for (const name of this.labelNames) labels[name] = OVERFLOW_LABEL_VALUE;
    const key = this.labelNames.map(() => OVERFLOW_LABEL_VALUE).join(KEY_SEPARATOR);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels, child: this.newChild() };
      this.series.set(key, entry);
    }
    return entry.child;
  }

  /** Called before rendering (gauges read their sources here, possibly asynchronously). */
  protected beforeCollect(): void | Promise<void> {}

  // The next three members make a family look like a prom-client metric to its Registry.

  /** prom-client's Registry renders what this returns. */
  async get(): Promise<Rendered> {
    // A family without labels has exactly one series: show it (at 0) before its first update.
    if (this.labelNames.length === 0 && this.series.size === 0) this.child({} as LabelValues<L>);
    await this.beforeCollect();
    const values: Sample[] = [];
    for (const { labels, child } of this.series.values()) this.samples(labels, child, values);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  reset(): void {
    for (const { child } of this.series.values()) this.resetChild(child);
  }

  /** Registers in `registry` (which throws when another metric has the name). */
  register(registry: Registry): this {
    // prom-client types registerMetric with its own classes; the Registry only calls get(),
    // reset(), and reads name/type/help, which a family provides.
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}

export class CounterChild {
  value = 0;

  inc(by = 1): void {
    // Negative or NaN increments would corrupt a counter for good; dropped rather than thrown.
    if (by >= 0) this.value += by;
  }
}

export class CounterFamily<L extends string = never> extends Family<L, CounterChild> {
  readonly type = 'counter' as const;

  constructor(o: FamilyOptions<L>) {
    if (!o.name.endsWith('_total')) {
      throw new MetricsError('METRICS_INVALID_NAME', `counter "${o.name}" must end in _total`);
    }
    super(o);
  }

  protected newChild(): CounterChild {
    return new CounterChild();
  }

  protected samples(labels: LabelValues<L>, child: CounterChild, out: Sample[]): void {
    out.push({ value: child.value, labels: { ...labels } });
  }

  protected resetChild(child: CounterChild): void {
    child.value = 0;
  }
}

export class GaugeChild {
  value = 0;

  set(value: number): void {
    this.value = value;
  }

  inc(by = 1): void {
    this.value += by;
  }

  dec(by = 1): void {
    this.value -= by;
  }
}

/** Sets a gauge's children from a source; may be async (a broker's consumer lag), the scrape waits. */
export type GaugeCollector<L extends string> = (gauge: GaugeFamily<L>) => void | Promise<void>;

export interface GaugeOptions<L extends string> extends FamilyOptions<L> {
  /** Runs before every scrape: set children from their source (a queue length, a map size). */
  collect?: GaugeCollector<L>;
}

export class GaugeFamily<L extends string = never> extends Family<L, GaugeChild> {
  readonly type = 'gauge' as const;
  private readonly collectors: GaugeCollector<L>[] = [];

  constructor(o: GaugeOptions<L>) {
    super(o);
    if (o.collect !== undefined) this.collectors.push(o.collect);
  }

  /** Adds a source read at every scrape (several processes' parts may feed one gauge). */
  onCollect(collect: GaugeCollector<L>): void {
    this.collectors.push(collect);
  }

  protected override async beforeCollect(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const collect of this.collectors) {
      const result = collect(this);
      if (result !== undefined) pending.push(result);
    }
    // A failing source leaves its children at their last value: a scrape never fails for it.
    await Promise.allSettled(pending);
  }

  protected newChild(): GaugeChild {
    return new GaugeChild();
  }

  protected samples(labels: LabelValues<L>, child: GaugeChild, out: Sample[]): void {
    out.push({ value: child.value, labels: { ...labels } });
  }

  protected resetChild(child: GaugeChild): void {
    child.value = 0;
  }
}

export class HistogramChild {
  /** Per bucket (not cumulative), the last one being +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly upperBounds: Float64Array) {
    this.counts = new Float64Array(upperBounds.length + 1);
  }

  observe(value: number): void {
    if (!(value >= 0)) return;
    const bounds = this.upperBounds;
    let i = 0;
    // Linear: latencies sit in the first few buckets, where this beats a binary search.
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export interface HistogramOptions<L extends string> extends FamilyOptions<L> {
  /** Upper bounds in increasing order (+Inf is implicit). */
  buckets: readonly number[];
}

export class HistogramFamily<L extends string = never> extends Family<L, HistogramChild> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  private readonly upperBounds: Float64Array;

  constructor(o: HistogramOptions<L>) {
    super(o, ['le']);
    const b = o.buckets;
    if (b.length === 0 || b.some((v, i) => !Number.isFinite(v) || (i > 0 && v <= b[i - 1]!))) {
      throw new MetricsError(
        'METRICS_INVALID_BUCKETS',
        `${o.name}: buckets must be finite and strictly increasing, got [${b.join(', ')}]`,
      );
    }
    this.buckets = [...b];
    this.upperBounds = Float64Array.from(b);
  }

  protected newChild(): HistogramChild {
    return new HistogramChild(this.upperBounds);
  }

  protected samples(labels: LabelValues<L>, child: HistogramChild, out: Sample[]): void {
    let cumulative = 0;
    const bucketName = `${this.name}_bucket`;
    for (let i = 0; i <= this.buckets.length; i++) {
      cumulative += child.counts[i]!;
      const le = i < this.buckets.length ? this.buckets[i]! : '+Inf';
      out.push({ metricName: bucketName, value: cumulative, labels: { ...labels, le } });
    }
    out.push({ metricName: `${this.name}_sum`, value: child.sum, labels: { ...labels } });
    out.push({ metricName: `${this.name}_count`, value: child.count, labels: { ...labels } });
  }

  protected resetChild(child: HistogramChild): void {
    child.counts.fill(0);
    child.sum = 0;
    child.count = 0;
  }
}
