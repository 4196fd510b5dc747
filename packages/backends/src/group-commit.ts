import type { WriteOp } from './types.js';

/** One write() call waiting for its batch. The executor settles it by setting one of the two. */
export interface PendingWrite {
  readonly ops: readonly WriteOp[];
  result?: number[];
  error?: Error;
  readonly resolve: (changes: number[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Runs one batch in one transaction; sets `result` or `error` on every item, never throws
 * (a returned promise never rejects). Returns whether a transaction was committed.
 * Synchronous for the in-thread store, a promise for the writer thread.
 */
export type BatchExecutor = (batch: readonly PendingWrite[]) => boolean | Promise<boolean>;

/**
 * Group commit: every write() arriving before the next check phase of the event loop joins
 * one batch, which the executor commits as one transaction (one fsync for all callers).
 * At most `maxInFlight` batches are in flight: calls made meanwhile wait in `#pending` and
 * form the next batch, so batches grow exactly when the disk is the bottleneck. With an
 * asynchronous executor (the writer thread) two in flight keep the writer busy: it starts the
 * next transaction the moment one commits instead of idling through the round trip back to
 * this thread. The writer runs batches in order, so commit order is submit order. A batch is
 * capped so one huge burst cannot hold every caller's latency hostage to the slowest tail.
 */
export class GroupCommitter {
  readonly #execute: BatchExecutor;
  readonly #maxBatch: number;
  #pending: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #maxInFlight: number;
  #commits = 0;
  #writes = 0;

  constructor(execute: BatchExecutor, maxBatch = 2_000, maxInFlight = 1) {
    this.#execute = execute;
    this.#maxBatch = maxBatch;
    this.#maxInFlight = Math.max(1, maxInFlight);
  }

  submit(ops: readonly WriteOp[]): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.#pending.push({ ops, resolve, reject });
      this.#schedule();
    });
  }

  /** Commits everything queued, synchronously. Only for a synchronous executor (close of the in-thread store). */
  flushAll(): void {
    if (this.#scheduled !== null) {
      clearImmediate(this.#scheduled);
      this.#scheduled = null;
    }
    while (this.#pending.length > 0) {
      const running = this.#flushOne();
      if (running !== null) throw new Error('flushAll needs a synchronous executor; use drain()');
    }
  }

  /** Resolves once nothing is queued or in flight (every accepted write has its answer). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.#inFlight.size > 0) {
        await Promise.all([...this.#inFlight]);
        continue;
      }
      if (this.#pending.length === 0) return;
      if (this.#scheduled !== null) {
        clearImmediate(this.#scheduled);
        this.#scheduled = null;
      }
      const running = this.#flushOne();
      if (running !== null) await running;
    }
  }

  get stats(): { commits: number; writes: number } {
    return { commits: this.#commits, writes: this.#writes };
  }

  #schedule(): void {
    if (this.#scheduled === null && this.#inFlight.size < this.#maxInFlight && this.#pending.length > 0) {
      this.#scheduled = setImmediate(this.#onImmediate);
    }
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = null;
    if (this.#inFlight.size >= this.#maxInFlight || this.#pending.length === 0) return;
    this.#flushOne();
    // What is left beyond the cap (or arrived meanwhile) goes in the next turn, after pending I/O.
    this.#schedule();
  };

  /** Starts one batch; returns its completion when the executor is asynchronous, else null. */
  #flushOne(): Promise<void> | null {
    const all = this.#pending;
    let batch: PendingWrite[];
    if (all.length <= this.#maxBatch) {
      batch = all;
      this.#pending = [];
    } else {
      batch = all.slice(0, this.#maxBatch);
      this.#pending = all.slice(this.#maxBatch);
    }
    const outcome = this.#execute(batch);
    if (typeof outcome === 'boolean') {
      this.#settle(batch, outcome);
      return null;
    }
    const running: Promise<void> = outcome.then((committed) => {
      this.#inFlight.delete(running);
      this.#settle(batch, committed);
      this.#schedule();
    });
    this.#inFlight.add(running);
    return running;
  }

  #settle(batch: readonly PendingWrite[], committed: boolean): void {
    if (committed) this.#commits += 1;
    this.#writes += batch.length;
    for (const item of batch) {
      if (item.error !== undefined) item.reject(item.error);
      else item.resolve(item.result ?? []);
    }
  }
}
