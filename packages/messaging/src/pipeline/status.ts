import { ERROR_CATALOGUE } from '@twilio-lab/core';
import type { CellContext } from '@twilio-lab/cell';
import type { WriteOp } from '@twilio-lab/backends';
// RawDlrDoneDate uses the SMPP receipt's 'done date' form (YYMMDDhhmm, UTC).
import { receiptDate } from '@twilio-lab/super-network';
import type { MessageRow, MessageStatus } from '../messages/schema.js';
import { messagingRecorder } from '../metrics.js';

/**
 * Progress of an outbound message. A change is only applied when it moves forward, so a late
 * `sent` can never overwrite `delivered`, and a terminal status is final.
 */
const RANK: Readonly<Record<MessageStatus, number>> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  receiving: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  received: 4,
};

export const TERMINAL_RANK = 4;

export function rankOf(status: MessageStatus): number {
  return RANK[status];
}

export function canMove(from: MessageStatus, to: MessageStatus): boolean {
  return RANK[to] > RANK[from];
}

export interface StatusChange {
  status: MessageStatus;
  /** Sender chosen by a Messaging Service. */
  from?: string;
  errorCode?: number | null;
  price?: string;
  dateSent?: number;
}

const UPDATE_STATUS = `UPDATE messages SET status = ?, from_number = ?, error_code = ?, error_message = ?, price = ?,
  date_sent = ?, date_updated = ? WHERE sid = ?`;

/**
 * The ops of one status change: the row update and, in the same write, the status callback
 * (so the change and its callback commit together or not at all). Mutates `row` to the new
 * state so several changes of one message can be chained inside one write.
 */
export function statusOps(ctx: CellContext, row: MessageRow, change: StatusChange, now: number): WriteOp[] {
  const ops: WriteOp[] = [];
  applyChange(ctx, row, change, now, ops);
  ops.unshift(updateOp(row));
  return ops;
}

/**
 * Moves `row` to the new state and appends the change's status callback (if the message has
 * one) to `callbacks`. The row update itself is `updateOp(row)`, taken once after the last
 * change of the message that goes into a write.
 */
export function applyChange(
  ctx: CellContext,
  row: MessageRow,
  change: StatusChange,
  now: number,
  callbacks: WriteOp[],
): void {
  row.status = change.status;
  if (change.from !== undefined) row.from_number = change.from;
  if (change.errorCode !== undefined) {
    row.error_code = change.errorCode;
    row.error_message =
      change.errorCode === null ? null : (ERROR_CATALOGUE[change.errorCode]?.message ?? null);
  }
  if (change.price !== undefined) row.price = change.price;
  if (change.dateSent !== undefined) row.date_sent = change.dateSent;
  row.date_updated = now;
  // Counted when applied: a change whose write then fails is counted all the same (and retried).
  messagingRecorder(ctx)?.status(change.status, row.date_created, now);
  if (row.status_callback !== null && row.status_callback !== '') {
    for (const op of ctx.webhooks.enqueueOps({
      accountSid: row.account_sid,
      url: row.status_callback,
      method: 'POST',
      params: callbackParams(row, now),
      kind: 'message-status',
      resourceSid: row.sid,
    })) {
      callbacks.push(op);
    }
  }
}

/** The UPDATE that stores the row's current status fields. */
export function updateOp(row: MessageRow): WriteOp {
  return {
    sql: UPDATE_STATUS,
    params: [
      row.status,
      row.from_number,
      row.error_code,
      row.error_message,
      row.price,
      row.date_sent,
      row.date_updated,
      row.sid,
    ],
  };
}

/**
 * Status changes of many messages that commit in one write: one UPDATE per message (its last
 * state) and every change's callback in the order the changes were made.
 */
export class StatusBatch {
  private readonly rows = new Map<string, MessageRow>();
  private readonly callbacks: WriteOp[] = [];

  change(ctx: CellContext, row: MessageRow, change: StatusChange, now: number): void {
    applyChange(ctx, row, change, now, this.callbacks);
    this.rows.set(row.sid, row);
  }

  /** Adds changes already applied to `row` elsewhere (their callback ops, in order). */
  adopt(row: MessageRow, callbacks: readonly WriteOp[]): void {
    this.rows.set(row.sid, row);
    for (const op of callbacks) this.callbacks.push(op);
  }

  get size(): number {
    return this.rows.size;
  }

  /** The messages changed, each in its last state (what the write commits). */
  get changed(): Iterable<MessageRow> {
    return this.rows.values();
  }

  ops(): WriteOp[] {
    const ops: WriteOp[] = [];
    for (const row of this.rows.values()) ops.push(updateOp(row));
    for (const op of this.callbacks) ops.push(op);
    return ops;
  }
}

/** Status callback parameters as Twilio sends them. */
export function callbackParams(row: MessageRow, now: number): Record<string, string> {
  const params: Record<string, string> = {
    MessageSid: row.sid,
    MessageStatus: row.status,
    SmsSid: row.sid,
    SmsStatus: row.status,
    AccountSid: row.account_sid,
    From: row.from_number ?? '',
    To: row.to_number,
    ApiVersion: '2010-04-01',
  };
  if (row.messaging_service_sid !== null) params.MessagingServiceSid = row.messaging_service_sid;
  if (row.error_code !== null) params.ErrorCode = String(row.error_code);
  if (row.status === 'delivered' || row.status === 'undelivered') params.RawDlrDoneDate = receiptDate(now);
  return params;
}

/** Commits ops from statusOps (one group-committed write) and kicks callback delivery. */
export async function commitStatus(ctx: CellContext, ops: readonly WriteOp[]): Promise<void> {
  if (ops.length === 0) return;
  await ctx.store.write(ops);
  ctx.webhooks.flush();
}
