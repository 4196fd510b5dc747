/**
 * What the webhook dispatcher records (docs/METRICS.md, webhook families). The series of a
 * kind are resolved once, when the kind is first seen, and the dispatcher keeps them on its
 * tracked callbacks: an attempt's bookkeeping is an array read and an addition.
 */
import { webhookMetrics } from '@twilio-lab/metrics';
import type { CounterChild, GaugeChild, HistogramChild, Registry, WebhookMetrics } from '@twilio-lab/metrics';

/** Outcome label values, indexed by what attemptOutcome() returns. */
const OUTCOMES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'timeout', 'error'] as const;
export const OUTCOME_TIMEOUT = 5;
export const OUTCOME_ERROR = 6;

/** Outcome index of an HTTP status: its class, or 'error' for a status outside 100–599. */
export function statusOutcome(status: number): number {
  const cls = Math.floor(status / 100);
  return cls >= 1 && cls <= 5 ? cls - 1 : OUTCOME_ERROR;
}

/** The series of one webhook kind. */
export class WebhookKindSeries {
  private readonly attempts: (CounterChild | undefined)[] = [];
  readonly duration: HistogramChild;
  readonly failures: CounterChild;
  readonly deadLetters: CounterChild;
  readonly pendingGauge: GaugeChild;
  /** Callbacks of this kind durable and not finished (read into the gauge at scrape time). */
  pending = 0;

  constructor(
    private readonly families: WebhookMetrics,
    readonly kind: string,
  ) {
    this.duration = families.attemptDuration.child({ kind });
    this.failures = families.failures.child({ kind });
    this.deadLetters = families.deadLetters.child({ kind });
    this.pendingGauge = families.pending.child({ kind });
  }

  /** One attempt: its outcome index and, when an HTTP exchange happened, how long it took. */
  attempt(outcome: number, seconds?: number): void {
    (this.attempts[outcome] ??= this.families.attempts.child({
      kind: this.kind,
      outcome: OUTCOMES[outcome] ?? 'error',
    })).inc();
    if (seconds !== undefined) this.duration.observe(seconds);
  }
}

/** The dispatcher's side of the webhook families; one per dispatcher. */
export class WebhookRecorder {
  private readonly families: WebhookMetrics;
  private readonly kinds = new Map<string, WebhookKindSeries>();

  constructor(registry: Registry) {
    this.families = webhookMetrics(registry);
    // Pending is the dispatcher's own count, read when scraped rather than kept in step.
    this.families.pending.onCollect(() => {
      for (const series of this.kinds.values()) series.pendingGauge.set(series.pending);
    });
  }

  series(kind: string): WebhookKindSeries {
    let series = this.kinds.get(kind);
    if (series === undefined) {
      series = new WebhookKindSeries(this.families, kind);
      this.kinds.set(kind, series);
    }
    return series;
  }

  /** Nothing is pending any more (the dispatcher stopped; its rows wait for the next start). */
  clearPending(): void {
    for (const series of this.kinds.values()) series.pending = 0;
  }
}
