/**
 * Publishes message pointers to messages.outbound, and never loses one to a queue outage.
 *
 * By the time a message is published the store already holds it (the 201 went out, or is about
 * to), so a failed publish must not fail the request nor wait for a restart's recovery scan:
 * the pointers are kept and published again with back-off until the broker takes them. Order
 * between one account's messages can loosen across an outage (a retried pointer may land after
 * a newer one); Twilio does not promise send order either.
 */
import type { Queue } from '@twilio-lab/backends';
import type { Logger } from '@twilio-lab/cell';
import type { CounterChild } from '@twilio-lab/metrics';
import type { MessageRow } from '../messages/schema.js';
import { publishOutbound } from './outbox.js';

type Pointer = Pick<MessageRow, 'sid' | 'account_sid'>;

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/** Largest publish on retry: one outage's backlog goes back in bounded batches. */
const RETRY_BATCH = 5_000;

export class OutboundPublisher {
  private pending: Pointer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private retrying = false;
  private stopped = false;

  constructor(
    private readonly queue: Queue,
    private readonly log: Logger,
    /** queue_published_total{queue="messages.outbound"}, when metrics are on. */
    private readonly published?: CounterChild,
  ) {}

  /** Messages waiting for the queue to come back. */
  get backlog(): number {
    return this.pending.length;
  }

  /** Resolves once the pointers are on the queue, or held for a retry (it never rejects). */
  async publish(rows: readonly Pointer[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await publishOutbound(this.queue, rows);
      this.published?.inc(rows.length);
    } catch (err) {
      this.hold(rows, err);
    }
  }

  /** Stops retrying; what is still held is re-queued by the recovery scan of the next start. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private hold(rows: readonly Pointer[], err: unknown): void {
    if (this.pending.length === 0) {
      this.log.warn({ err: String(err), messages: rows.length }, 'messages.outbound unavailable; retrying');
    }
    for (const row of rows) this.pending.push({ sid: row.sid, account_sid: row.account_sid });
    this.arm();
  }

  private arm(): void {
    if (this.stopped || this.timer !== null || this.retrying) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.retry();
    }, this.retryMs);
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    this.retrying = true;
    try {
      while (!this.stopped && this.pending.length > 0) {
        const batch = this.pending.slice(0, RETRY_BATCH);
        try {
          await publishOutbound(this.queue, batch);
          this.published?.inc(batch.length);
        } catch {
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
          return;
        }
        this.pending = this.pending.slice(batch.length);
        this.retryMs = FIRST_RETRY_MS;
        if (this.pending.length === 0)
          this.log.info({}, 'messages.outbound available again; backlog published');
      }
    } finally {
      this.retrying = false;
      if (this.pending.length > 0) this.arm();
    }
  }
}
