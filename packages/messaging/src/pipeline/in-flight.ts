import type { Store } from '@twilio-lab/backends';
import type { MessageRow } from '../messages/schema.js';
import { loadMessages } from './outbox.js';
import { TERMINAL_RANK, rankOf } from './status.js';

/** Enough for a large backlog; past it the oldest messages are read from the store again. */
export const DEFAULT_IN_FLIGHT_CAPACITY = 200_000;

/**
 * The committed rows of outbound messages on their way (created, not yet terminal), so the
 * sender and the receipt applier need no store read in the steady state. A row enters at
 * creation (the object the insert wrote) and leaves when a committed change makes it terminal,
 * when the API deletes the message, or when the cache is full (oldest first); every miss is
 * read from the store, which stays the truth.
 *
 * Readers never mutate a cached row: `load` hands out working copies, and `committed` swaps a
 * copy in only once its write resolved, and only if the entry is still the row the copy was
 * taken from. So a failed write leaves the committed row in place, and a change made meanwhile
 * by another path (a redaction) is never overwritten: the entry is dropped instead.
 *
 * Scheduled messages are never held: their release reads the store, and so does the send.
 */
export class InFlightMessages {
  private readonly rows = new Map<string, MessageRow>();
  /** Working copy → the cached row it was copied from. */
  private readonly bases = new WeakMap<MessageRow, MessageRow>();

  constructor(readonly capacity: number = DEFAULT_IN_FLIGHT_CAPACITY) {}

  get size(): number {
    return this.rows.size;
  }

  /** A new message whose insert resolved. */
  add(row: MessageRow): void {
    if (row.status === 'scheduled' || rankOf(row.status) >= TERMINAL_RANK || this.capacity <= 0) return;
    this.rows.set(row.sid, row);
    if (this.rows.size > this.capacity) {
      // Map order is insertion order, and a swap keeps a key's place: the first key is the oldest.
      const oldest = this.rows.keys().next();
      if (oldest.done !== true) this.rows.delete(oldest.value);
    }
  }

  /**
   * Working copies of the given messages, by SID: copies of held rows, the rest read from the
   * store in one query (missing ones were deleted). The caller may change them freely and
   * reports the ones it committed to `committed`.
   */
  async load(store: Store, sids: readonly string[]): Promise<Map<string, MessageRow>> {
    const found = new Map<string, MessageRow>();
    let missing: string[] | null = null;
    for (const sid of sids) {
      const row = this.rows.get(sid);
      if (row === undefined) {
        (missing ??= []).push(sid);
        continue;
      }
      const copy = { ...row };
      this.bases.set(copy, row);
      found.set(sid, copy);
    }
    if (missing !== null) {
      for (const [sid, row] of await loadMessages(store, missing)) found.set(sid, row);
    }
    return found;
  }

  /** The write holding these rows' changes resolved: they are the committed state now. */
  committed(rows: Iterable<MessageRow>): void {
    for (const row of rows) {
      const base = this.bases.get(row);
      // Read from the store: not held (rows only enter at creation).
      if (base === undefined) continue;
      this.bases.delete(row);
      const current = this.rows.get(row.sid);
      if (current === undefined) continue; // evicted or deleted meanwhile
      if (current !== base || rankOf(row.status) >= TERMINAL_RANK) this.rows.delete(row.sid);
      else this.rows.set(row.sid, row);
    }
  }

  /** Body="" resolved for this message (never mutates the held row: a copy replaces it). */
  redacted(sid: string, dateUpdated: number): void {
    const current = this.rows.get(sid);
    if (current !== undefined) this.rows.set(sid, { ...current, body: '', date_updated: dateUpdated });
  }

  /** The message was deleted or changed by a path that does not keep the copy exact. */
  forget(sid: string): void {
    this.rows.delete(sid);
  }

  /** The held row (tests and diagnostics only; callers must not mutate it). */
  peek(sid: string): Readonly<MessageRow> | undefined {
    return this.rows.get(sid);
  }
}
