import type { CellContext } from '@twilio-lab/cell';
import type { DeliveryReceipt } from '@twilio-lab/super-network';
import type { MessageRow } from '../messages/schema.js';
import type { KeyedLanes } from '../util/lanes.js';
import { priceOf } from './pricing.js';
import { canMove, commitStatus, statusOps } from './status.js';
import type { StatusChange } from './status.js';

/**
 * Applies a carrier's delivery receipt. Runs in the message's lane, so it lands after the
 * sender's own 'sent' write even when the receipt overtakes it, and never moves a message
 * backwards. Receipts for messages this cell does not hold are ignored.
 */
export async function applyReceipt(
  ctx: CellContext,
  lanes: KeyedLanes,
  receipt: DeliveryReceipt,
): Promise<void> {
  await lanes.run([receipt.messageSid], async () => {
    const row = await ctx.store.get<MessageRow>('SELECT * FROM messages WHERE sid = ?', [receipt.messageSid]);
    if (row === undefined || row.account_sid !== receipt.accountSid) return;
    if (!canMove(row.status, receipt.status)) return;
    const change: StatusChange = {
      status: receipt.status,
      errorCode: receipt.status === 'delivered' ? null : receipt.errorCode,
    };
    // A receipt that overtook the 'sent' write still leaves a sent date and a price behind.
    if (row.date_sent === null) change.dateSent = receipt.at;
    if (row.price === null) change.price = priceOf(row.num_segments, row.num_media);
    await commitStatus(ctx, statusOps(ctx, row, change, ctx.now()));
  });
}
