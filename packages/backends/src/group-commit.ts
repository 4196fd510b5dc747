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
 * Runs one batch in one transaction; sets `result` or `error` on every item, never throws.
 * Returns whether a transaction was committed.
 */
export type BatchExecutor = (batch: readonly PendingWrite[]) => boolean;

/**
 * Group commit: every write() arriving before the next check phase of the event loop joins
 * one batch, which the executor commits as one transaction (one fsync for all callers).
 * The executor is synchronous (better-sqlite3), so nothing can arrive while a commit runs:
 * calls made meanwhile wait in `#pending` for the next flush. A batch is capped so one huge
 * burst cannot hold every caller's latency hostage to the slowest tail.
 */
export class GroupCommitter {
  readonly #execute: BatchExecutor;
  readonly #maxBatch: number;
  #pending: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  #commits = 0;
  #writes = 0;

  constructor(execute: BatchExecutor, maxBatch = 2_000) {
    this.#execute = execute;
    this.#maxBatch = maxBatch;
  }

  submit(ops: readonly WriteOp[]): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.#pending.push({ ops, resolve, reject });
      if (this.#scheduled === null) this.#scheduled = setImmediate(this.#onImmediate);
    });
  }

  /** Commits everything queued, synchronously (used by close). */
  flushAll(): void {
    if (this.#scheduled !== null) {
      clearImmediate(this.#scheduled);
      this.#scheduled = null;
    }
    while (this.#pending.length > 0) this.#flushOne();
  }

  get stats(): { commits: number; writes: number } {
    return { commits: this.#commits, writes: this.#writes };
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = null;
    this.#flushOne();
    // What is left beyond the cap goes in the next turn, after pending I/O got a chance.
    if (this.#pending.length > 0) this.#scheduled = setImmediate(this.#onImmediate);
  };

  #flushOne(): void {
    const all = this.#pending;
    let batch: PendingWrite[];
    if (all.length <= this.#maxBatch) {
      batch = all;
      this.#pending = [];
    } else {
      batch = all.slice(0, this.#maxBatch);
      this.#pending = all.slice(this.#maxBatch);
    }
    if (this.#execute(batch)) this.#commits += 1;
    this.#writes += batch.length;
    for (const item of batch) {
      if (item.error !== undefined) item.reject(item.error);
      else item.resolve(item.result ?? []);
    }
  }
}
