/**
 * Runs one group-commit batch against a better-sqlite3 connection: one transaction, each
 * write() call inside its own savepoint, so one caller's failing op rolls back only that
 * caller. Shared by the in-thread store and the writer thread, which is why it speaks plain
 * data (op arrays in, outcomes out) rather than promises.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { StatementCache } from './statement-cache.js';
import type { SqlValue, WriteOp } from './types.js';

export type CallOutcome = { changes: number[] } | { error: unknown };

export interface BatchResult {
  committed: boolean;
  outcomes: CallOutcome[];
}

export class BatchRunner {
  readonly #db: Database;
  readonly #statements: StatementCache;
  readonly #begin: Statement<unknown[], unknown>;
  readonly #commit: Statement<unknown[], unknown>;
  readonly #rollback: Statement<unknown[], unknown>;
  readonly #savepoint: Statement<unknown[], unknown>;
  readonly #release: Statement<unknown[], unknown>;
  readonly #rollbackToSavepoint: Statement<unknown[], unknown>;

  constructor(db: Database, statements: StatementCache) {
    this.#db = db;
    this.#statements = statements;
    // Savepoints nest inside the batch's transaction; one name is enough because each is
    // released before the next one opens.
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT gc');
    this.#release = db.prepare('RELEASE gc');
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO gc');
  }

  /** Never throws: every call gets an outcome; `committed` says whether a transaction committed. */
  run(calls: readonly (readonly WriteOp[])[]): BatchResult {
    const outcomes = new Array<CallOutcome>(calls.length);
    try {
      this.#begin.run();
    } catch (error) {
      return { committed: false, outcomes: outcomes.fill({ error }) };
    }
    for (let i = 0; i < calls.length; i++) {
      const ops = calls[i]!;
      // A single statement is atomic on its own (SQLite undoes a failed statement and keeps
      // the transaction), so only multi-op calls pay for a savepoint.
      const single = ops.length === 1;
      try {
        if (single) {
          outcomes[i] = { changes: this.#runOps(ops) };
        } else {
          this.#savepoint.run();
          outcomes[i] = { changes: this.#runOps(ops) };
          this.#release.run();
        }
      } catch (error) {
        outcomes[i] = { error };
        const survived = single ? this.#db.inTransaction : this.#undoSavepoint();
        if (!survived) {
          // The engine dropped the whole transaction (e.g. disk full): nobody in it committed.
          return { committed: false, outcomes: outcomes.fill({ error }) };
        }
      }
    }
    try {
      this.#commit.run();
      return { committed: true, outcomes };
    } catch (error) {
      if (this.#db.inTransaction) {
        try {
          this.#rollback.run();
        } catch {
          // The commit error is the one worth reporting.
        }
      }
      return { committed: false, outcomes: outcomes.fill({ error }) };
    }
  }

  #runOps(ops: readonly WriteOp[]): number[] {
    const changes = new Array<number>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      changes[i] = this.#statements.get(op.sql).run(...bindable(op.params)).changes;
    }
    return changes;
  }

  /** Rolls the failed caller's ops back; false when the transaction itself is gone. */
  #undoSavepoint(): boolean {
    if (!this.#db.inTransaction) return false;
    try {
      this.#rollbackToSavepoint.run();
      this.#release.run();
      return true;
    } catch {
      if (this.#db.inTransaction) {
        try {
          this.#rollback.run();
        } catch {
          // Already failing the batch; nothing more to undo.
        }
      }
      return false;
    }
  }
}

/** better-sqlite3 binds Buffers, not plain Uint8Arrays; copy-free view for those. */
export function bindable(params: readonly SqlValue[]): readonly unknown[] {
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      return params.map((v) =>
        v instanceof Uint8Array && !Buffer.isBuffer(v)
          ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
          : v,
      );
    }
  }
  return params;
}
