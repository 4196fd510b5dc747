import { twilioError } from '@twilio-lab/core';
import type { FormParams } from '@twilio-lab/core';
import type { CellContext } from '@twilio-lab/cell';
import type { InFlightMessages } from '../pipeline/in-flight.js';
import { senderKeyOf } from '../pipeline/queued-per-sender.js';
import type { QueuedPerSender } from '../pipeline/queued-per-sender.js';
import { commitStatus, statusOps } from '../pipeline/status.js';
import type { KeyedLanes } from '../util/lanes.js';
import { messagingRecorder } from '../metrics.js';
import type { MessagingRecorder } from '../metrics.js';
import { buildMessage, insertOps } from './rows.js';
import type { MessageRow } from './schema.js';
import { validateCreate } from './validation.js';

/** Where a durable new message goes next: the sender's topic, or the scheduler. */
export interface Dispatch {
  publish(rows: readonly MessageRow[]): Promise<void>;
  schedule(at: number): void;
}

/**
 * Creating and changing outbound messages, shared by the REST routes and TwiML replies.
 * The durability rule: the message (and its media) is in the store before anyone hears of it.
 */
export class OutboundMessages {
  private readonly metrics: MessagingRecorder | undefined;

  constructor(
    private readonly ctx: CellContext,
    private readonly lanes: KeyedLanes,
    private readonly dispatch: Dispatch,
    private readonly inFlight: InFlightMessages,
    private readonly queued: QueuedPerSender,
  ) {
    this.metrics = messagingRecorder(ctx);
  }

  async create(
    accountSid: string,
    form: FormParams,
    direction: 'outbound-api' | 'outbound-reply',
  ): Promise<MessageRow> {
    const metrics = this.metrics;
    const acceptedAt = metrics === undefined ? 0 : performance.now();
    const now = this.ctx.now();
    const draft = await validateCreate(this.ctx.store, accountSid, form, now);
    const { message, media } = buildMessage({
      accountSid,
      direction,
      status: draft.status,
      from: draft.from,
      to: draft.to,
      body: draft.body,
      encoding: draft.encoding,
      segments: draft.segments,
      mediaUrls: draft.mediaUrls,
      messagingServiceSid: draft.service?.sid ?? null,
      statusCallback: draft.statusCallback,
      validityPeriod: draft.validityPeriod,
      sendAt: draft.sendAt,
      dateSent: null,
      now,
    });
    // Counted before the write (21611 writes nothing), so concurrent creates cannot overshoot.
    const senderKey = draft.sendAt === null ? senderKeyOf(message) : null;
    if (senderKey !== null) this.queued.admit(message.sid, senderKey);
    try {
      await this.ctx.store.write(insertOps(message, media));
    } catch (err) {
      this.queued.release(message.sid);
      throw err;
    }
    if (metrics !== undefined) {
      metrics.acceptToDurable.observe((performance.now() - acceptedAt) / 1000);
      // Only an account's first message awaits (its tier lookup); the rest record synchronously.
      const first = metrics.accepted(message);
      if (first !== undefined) await first;
    }
    // Held until it is terminal, so the sender and the receipts read no row (scheduled: not held).
    this.inFlight.add(message);
    if (draft.sendAt !== null) {
      this.dispatch.schedule(draft.sendAt);
    } else {
      // The message is durable already: a publish the queue cannot take now is retried in the
      // background (OutboundPublisher), so it never fails the request.
      await this.dispatch.publish([message]);
    }
    return message;
  }

  /** Status=canceled: only a scheduled message can be canceled. */
  async cancel(accountSid: string, sid: string): Promise<MessageRow | undefined> {
    return this.lanes.run([sid], async () => {
      const row = await this.find(accountSid, sid);
      if (row === undefined) return undefined;
      if (row.status !== 'scheduled') {
        throw twilioError(20001, `Message is not in a cancelable state: its status is '${row.status}'`);
      }
      await commitStatus(this.ctx, statusOps(this.ctx, row, { status: 'canceled' }, this.ctx.now()));
      this.inFlight.forget(sid); // never held while scheduled; kept exact all the same
      return row;
    });
  }

  /** Body="" removes the text for good; the rest of the record stays. */
  async redact(accountSid: string, sid: string): Promise<void> {
    const now = this.ctx.now();
    const [redacted] = await this.ctx.store.write([
      {
        sql: "UPDATE messages SET body = '', date_updated = ? WHERE sid = ? AND account_sid = ?",
        params: [now, sid, accountSid],
      },
    ]);
    // A sender holding a copy from before finds the entry replaced on commit and drops it.
    if ((redacted ?? 0) > 0) this.inFlight.redacted(sid, now);
  }

  async remove(accountSid: string, sid: string): Promise<boolean> {
    const [, messagesDeleted] = await this.ctx.store.write([
      {
        sql: 'DELETE FROM message_media WHERE message_sid = ? AND account_sid = ?',
        params: [sid, accountSid],
      },
      { sql: 'DELETE FROM messages WHERE sid = ? AND account_sid = ?', params: [sid, accountSid] },
    ]);
    if ((messagesDeleted ?? 0) === 0) return false;
    this.inFlight.forget(sid);
    this.queued.release(sid);
    return true;
  }

  find(accountSid: string, sid: string): Promise<MessageRow | undefined> {
    return this.ctx.store.get<MessageRow>('SELECT * FROM messages WHERE sid = ? AND account_sid = ?', [
      sid,
      accountSid,
    ]);
  }
}
