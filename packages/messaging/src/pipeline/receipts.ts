import type { CellContext } from '@twilio-lab/cell';
import type { DeliveryReceipt } from '@twilio-lab/super-network';
import type { KeyedLanes } from '../util/lanes.js';
import type { InFlightMessages } from './in-flight.js';
import { priceOf } from './pricing.js';
import { StatusBatch, canMove, commitStatus } from './status.js';
import type { StatusChange } from './status.js';
import { messagingRecorder } from '../metrics.js';
import type { MessagingRecorder } from '../metrics.js';

/** Most receipts applied by one read and one write. */
export const RECEIPT_BATCH = 512;

/**
 * Applies carriers' delivery receipts. Receipts that arrive in one event-loop turn (up to
 * RECEIPT_BATCH) are applied together: their messages come from the in-flight cache (one
 * store read for the ones it does not hold), and one store write carries all their status
 * changes and callbacks. The batch runs in the lanes of its messages, so it lands
 * after the sender's own 'sent' write even when a receipt overtakes it, and never moves a
 * message backwards. Receipts for messages this cell does not hold are ignored.
 */
export class ReceiptApplier {
  private pending: DeliveryReceipt[] = [];
  /** Settles every add() of the pending batch once that batch is durable (or failed). */
  private pendingDone: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private readonly running = new Set<Promise<void>>();
  private readonly metrics: MessagingRecorder | undefined;

  constructor(
    private readonly ctx: CellContext,
    private readonly lanes: KeyedLanes,
    private readonly inFlight: InFlightMessages,
  ) {
    this.metrics = messagingRecorder(ctx);
  }

  /** Resolves once the receipt's status change is durable (or it was ignored as stale or foreign). */
  add(receipt: DeliveryReceipt): Promise<void> {
    // Every receipt a carrier sends counts, stale or foreign ones included.
    this.metrics?.receipt(receipt.carrier, receipt.status);
    const done = new Promise<void>((resolve, reject) => this.pendingDone.push({ resolve, reject }));
    this.pending.push(receipt);
    if (this.pending.length >= RECEIPT_BATCH) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return done;
  }

  /** Applies what is pending now (also called when the batch is full). */
  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const receipts = this.pending;
    const waiters = this.pendingDone;
    this.pending = [];
    this.pendingDone = [];
    const run = this.apply(receipts).then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (err: unknown) => {
        for (const receipt of receipts) {
          this.ctx.log.error({ sid: receipt.messageSid, err: String(err) }, 'delivery receipt not applied');
        }
        for (const w of waiters) w.reject(err);
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async apply(receipts: readonly DeliveryReceipt[]): Promise<void> {
    const sids = [...new Set(receipts.map((r) => r.messageSid))];
    await this.lanes.run(sids, async () => {
      const rows = await this.inFlight.load(this.ctx.store, sids);
      const batch = new StatusBatch();
      const now = this.ctx.now();
      // In arrival order: a second receipt for one message sees the first one's change.
      for (const receipt of receipts) {
        const row = rows.get(receipt.messageSid);
        if (row === undefined || row.account_sid !== receipt.accountSid) continue;
        if (!canMove(row.status, receipt.status)) continue;
        const change: StatusChange = {
          status: receipt.status,
          errorCode: receipt.status === 'delivered' ? null : receipt.errorCode,
        };
        // A receipt that overtook the 'sent' write still leaves a sent date and a price behind.
        if (row.date_sent === null) change.dateSent = receipt.at;
        if (row.price === null) change.price = priceOf(row.num_segments, row.num_media);
        batch.change(this.ctx, row, change, now);
      }
      if (batch.size === 0) return;
      await commitStatus(this.ctx, batch.ops());
      this.inFlight.committed(batch.changed);
    });
  }

  /** Applies what is pending and waits for batches in flight (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
