import type { CellContext } from '@twilio-lab/cell';
import type { QueueMessage, WriteOp } from '@twilio-lab/backends';
import type { SubmitError, SubmitResult } from '@twilio-lab/super-network';
import { mediaUrlsOf } from '../messages/rows.js';
import type { MessageRow, ServiceRow } from '../messages/schema.js';
import type { KeyedLanes } from '../util/lanes.js';
import type { InFlightMessages } from './in-flight.js';
import { parseOutboundEvent } from './outbox.js';
import { priceOf } from './pricing.js';
import type { QueuedPerSender } from './queued-per-sender.js';
import { chooseSender } from './sender-selection.js';
import { StatusBatch, applyChange, commitStatus } from './status.js';
import { awaitSendSlot } from './throughput.js';
import type { SenderProfile } from './throughput.js';
import { messagingRecorder } from '../metrics.js';
import type { MessagingRecorder } from '../metrics.js';

const IN_FLIGHT = new Set(['accepted', 'queued', 'sending']);
const EXPIRED = 30001;
const EMPTY_POOL = 21452;
/** Back-off when a submit fails in a way that says nothing about when to retry. */
const DEFAULT_RETRY_MS = 1000;

type Outcome =
  { row: MessageRow; ok: true; result: SubmitResult } | { row: MessageRow; ok: false; error: unknown };

/** SubmitError by shape: the class may come from another copy of the package. */
function asSubmitError(err: unknown): SubmitError | null {
  if (err instanceof Error && typeof (err as Partial<SubmitError>).code === 'number') {
    const retryable = (err as Partial<SubmitError>).retryable;
    if (typeof retryable === 'boolean') return err as SubmitError;
  }
  return null;
}

/**
 * The queue consumer that sends messages: resolves the sender of Messaging Service messages,
 * applies the per-sender rate, drops expired messages, submits to the super-network, and
 * records each outcome. Outcomes that arrive together share one store write, which is where
 * the pipeline's throughput comes from.
 */
export class SenderWorker {
  private readonly submitting = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly metrics: MessagingRecorder | undefined;

  constructor(
    private readonly ctx: CellContext,
    private readonly lanes: KeyedLanes,
    private readonly inFlight: InFlightMessages,
    private readonly profile: SenderProfile,
    private readonly republish: (rows: readonly Pick<MessageRow, 'sid' | 'account_sid'>[]) => Promise<void>,
    private readonly queued: QueuedPerSender,
  ) {
    this.metrics = messagingRecorder(ctx);
  }

  async handleBatch(batch: readonly QueueMessage[]): Promise<void> {
    const sids: string[] = [];
    const seen = new Set<string>();
    for (const message of batch) {
      const event = parseOutboundEvent(message.value);
      if (event === null) {
        this.ctx.log.error({ value: message.value }, 'malformed messages.outbound event skipped');
        continue;
      }
      // A duplicate (at-least-once redelivery, recovery) of a message being submitted right now.
      if (seen.has(event.sid) || this.submitting.has(event.sid)) continue;
      seen.add(event.sid);
      sids.push(event.sid);
    }
    if (sids.length === 0) return;
    for (const sid of sids) this.submitting.add(sid);
    try {
      await this.lanes.run(sids, () => this.send(sids));
    } finally {
      for (const sid of sids) this.submitting.delete(sid);
    }
  }

  /**
   * 'sending' has no durability role (a crash leaves the message queued or sending, and
   * recovery resubmits either way), so it is not written before the submit: each message
   * holds its pre-submit changes (queued, sending) and their callbacks in memory and commits
   * them with its outcome. Outcomes that arrive in one event-loop turn share one write.
   */
  private async send(sids: readonly string[]): Promise<void> {
    const rows = await this.inFlight.load(this.ctx.store, sids);
    const services = new Map<string, ServiceRow | undefined>();
    const writer = new TurnWriter(this.ctx, this.inFlight);
    const retries: { row: MessageRow; afterMs: number }[] = [];
    const submissions: Promise<void>[] = [];
    // Messages this batch is done with for good; they leave the per-sender count once durable.
    const done: string[] = [];

    for (const sid of sids) {
      const row = rows.get(sid);
      if (row === undefined || !IN_FLIGHT.has(row.status)) {
        this.queued.release(sid); // deleted, or finished elsewhere
        continue;
      }
      const held: WriteOp[] = [];
      const loadedStatus = row.status;
      if (row.from_number === null) {
        const from = await this.senderFor(row, services);
        if (from === null) {
          writer.batch.change(this.ctx, row, { status: 'failed', errorCode: EMPTY_POOL }, this.ctx.now());
          writer.schedule();
          done.push(sid);
          continue;
        }
        if (row.status === 'accepted') {
          applyChange(this.ctx, row, { status: 'queued', from }, this.ctx.now(), held);
        } else {
          row.from_number = from; // persisted with the outcome below
        }
      }
      const from = row.from_number;
      if (from === null) continue;
      const throttledFor = await awaitSendSlot(this.ctx.cache, this.profile, from);
      if (throttledFor > 0) this.metrics?.throttled(from, throttledFor);
      const now = this.ctx.now();
      if (this.expired(row, now)) {
        writer.batch.adopt(row, held);
        writer.batch.change(this.ctx, row, { status: 'failed', errorCode: EXPIRED }, now);
        writer.schedule();
        done.push(sid);
        continue;
      }
      if (row.status !== 'sending') applyChange(this.ctx, row, { status: 'sending' }, now, held);
      const changed = row.status !== loadedStatus;
      submissions.push(
        this.submit(row).then((outcome) => {
          if (!this.record(outcome, changed, held, writer, retries)) done.push(row.sid);
        }),
      );
    }

    await Promise.all(submissions);
    await writer.settle();
    for (const sid of done) this.queued.release(sid);
    for (const retry of retries) this.retryLater(retry.row, retry.afterMs);
  }

  /**
   * Adds one submit's outcome (with the message's held changes) to the current turn's write.
   * Returns whether the message will be retried (else it is finished: sent or failed).
   */
  private record(
    outcome: Outcome,
    changed: boolean,
    held: readonly WriteOp[],
    writer: TurnWriter,
    retries: { row: MessageRow; afterMs: number }[],
  ): boolean {
    const row = outcome.row;
    const batch = writer.batch;
    // A retry of a message already stored as 'sending' has nothing new to write.
    if (changed || outcome.ok || asSubmitError(outcome.error)?.retryable === false) {
      batch.adopt(row, held);
      writer.schedule();
    }
    const now = this.ctx.now();
    if (outcome.ok) {
      this.metrics?.sent(row.from_number ?? '');
      batch.change(
        this.ctx,
        row,
        { status: 'sent', dateSent: now, price: priceOf(row.num_segments, row.num_media) },
        now,
      );
      return false;
    }
    const error = asSubmitError(outcome.error);
    if (error !== null && !error.retryable) {
      batch.change(this.ctx, row, { status: 'failed', errorCode: error.code }, now);
      return false;
    }
    // Retryable (throttled, every route down) or unexpected: the message is stored as
    // 'sending' and goes back on the topic later; recovery covers a crash meanwhile.
    if (error === null) {
      this.ctx.log.warn(
        { sid: row.sid, err: String(outcome.error) },
        'submit failed unexpectedly; will retry',
      );
    }
    retries.push({
      row,
      afterMs: error !== null && error.retryAfterMs > 0 ? error.retryAfterMs : DEFAULT_RETRY_MS,
    });
    return true;
  }

  private async submit(row: MessageRow): Promise<Outcome> {
    try {
      const result = await this.ctx.superNetwork.submit({
        messageSid: row.sid,
        accountSid: row.account_sid,
        from: row.from_number ?? '',
        to: row.to_number,
        body: row.body,
        encoding: row.encoding,
        segments: row.num_segments,
        mediaUrls: mediaUrlsOf(row),
        ...(row.validity_period !== null ? { validityPeriodSec: row.validity_period } : {}),
      });
      return { row, ok: true, result };
    } catch (error) {
      return { row, ok: false, error };
    }
  }

  private async senderFor(
    row: MessageRow,
    services: Map<string, ServiceRow | undefined>,
  ): Promise<string | null> {
    const serviceSid = row.messaging_service_sid;
    if (serviceSid === null) return null;
    if (!services.has(serviceSid)) {
      services.set(
        serviceSid,
        await this.ctx.store.get<ServiceRow>('SELECT * FROM messaging_services WHERE sid = ?', [serviceSid]),
      );
    }
    const service = services.get(serviceSid);
    if (service === undefined) return null;
    return chooseSender(this.ctx.store, this.ctx.cache, service, row.to_number);
  }

  /** ValidityPeriod counts from creation (or from SendAt for scheduled messages). */
  private expired(row: MessageRow, now: number): boolean {
    if (row.validity_period === null) return false;
    return now - (row.send_at ?? row.date_created) > row.validity_period * 1000;
  }

  private retryLater(row: MessageRow, afterMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.republish([row]).catch((err: unknown) =>
        this.ctx.log.error({ sid: row.sid, err: String(err) }, 'could not re-queue a message for retry'),
      );
    }, afterMs);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Pending retries are dropped: their messages stay 'sending' and recovery re-queues them. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }
}

/**
 * Gathers status changes and commits them once per event-loop turn: everything recorded
 * before the turn ends (e.g. all submit responses read from one socket chunk) is one write.
 */
class TurnWriter {
  batch = new StatusBatch();
  private scheduled = false;
  private readonly commits: Promise<void>[] = [];

  constructor(
    private readonly ctx: CellContext,
    private readonly inFlight: InFlightMessages,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const commit = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = this.batch;
      this.batch = new StatusBatch();
      this.scheduled = false;
      return commitStatus(this.ctx, batch.ops()).then(() => this.inFlight.committed(batch.changed));
    });
    // Failures surface in settle(); until then the rejection is not "unhandled".
    commit.catch(() => undefined);
    this.commits.push(commit);
  }

  /** Resolves when every change recorded so far is durable; rejects if a write failed. */
  async settle(): Promise<void> {
    if (this.batch.size > 0) this.schedule();
    await Promise.all(this.commits);
  }
}
