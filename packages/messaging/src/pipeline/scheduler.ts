import type { CellContext } from '@twilio-lab/cell';
import type { WriteOp } from '@twilio-lab/backends';
import type { MessageRow } from '../messages/schema.js';
import type { KeyedLanes } from '../util/lanes.js';
import { loadMessages } from './outbox.js';
import { commitStatus, statusOps } from './status.js';

const DUE_BATCH = 500;
/** setTimeout cannot wait longer than 2^31-1 ms (~24.8 days); SendAt may be 35 days ahead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Releases scheduled messages at their SendAt. One timer, armed for the nearest SendAt in the
 * store; it also wakes at least every `maxSleepMs` so a clock that jumps (or a test clock)
 * is noticed. The store is the schedule, so a restart only has to call rearm().
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: CellContext,
    private readonly lanes: KeyedLanes,
    private readonly release: (rows: readonly MessageRow[]) => Promise<void>,
    private readonly maxSleepMs: number,
  ) {}

  /** Makes sure the timer fires no later than `at` (epoch ms). */
  arm(at: number): void {
    if (this.stopped || (this.timer !== null && this.timerAt <= at)) return;
    if (this.timer !== null) clearTimeout(this.timer);
    const delay = Math.min(Math.max(at - this.ctx.now(), 0), this.maxSleepMs, MAX_TIMER_MS);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  /** Arms the timer for the nearest scheduled message in the store, if any. */
  async rearm(): Promise<void> {
    const next = await this.ctx.store.get<{ at: number | null }>(
      "SELECT MIN(send_at) AS at FROM messages WHERE status = 'scheduled'",
    );
    if (next?.at !== null && next?.at !== undefined) this.arm(next.at);
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.stopped || this.running !== null) return;
    this.running = this.releaseDue()
      .then(() => this.rearm())
      .catch((err: unknown) => {
        this.ctx.log.error({ err: String(err) }, 'scheduled message release failed; retrying');
        this.arm(this.ctx.now() + 1000);
      })
      .finally(() => {
        this.running = null;
      });
  }

  private async releaseDue(): Promise<void> {
    for (;;) {
      const due = await this.ctx.store.all<{ sid: string }>(
        "SELECT sid FROM messages WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at LIMIT ?",
        [this.ctx.now(), DUE_BATCH],
      );
      if (due.length === 0 || this.stopped) return;
      const sids = due.map((d) => d.sid);
      await this.lanes.run(sids, async () => {
        const rows = await loadMessages(this.ctx.store, sids);
        const ops: WriteOp[] = [];
        const released: MessageRow[] = [];
        const now = this.ctx.now();
        for (const sid of sids) {
          const row = rows.get(sid);
          // Canceled (or deleted) since the query: nothing to release.
          if (row === undefined || row.status !== 'scheduled') continue;
          ops.push(...statusOps(this.ctx, row, { status: 'queued' }, now));
          released.push(row);
        }
        await commitStatus(this.ctx, ops);
        await this.release(released);
      });
      if (due.length < DUE_BATCH) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
