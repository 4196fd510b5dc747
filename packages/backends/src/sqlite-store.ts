/**
 * The embedded Store: better-sqlite3 in WAL mode with group commit. Durable by default
 * (synchronous=FULL): a write() resolves only after its transaction's commit was synced, so
 * an acknowledged row survives SIGKILL and power loss.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { BackendError } from './errors.js';
import { GroupCommitter } from './group-commit.js';
import type { PendingWrite } from './group-commit.js';
import { StatementCache } from './statement-cache.js';
import type { Migration, Row, SqlValue, Store, StoreStats, WriteOp } from './types.js';

export interface SqliteStoreOptions {
  /** Database file; ':memory:' for a throwaway store. */
  path: string;
  /**
   * 'full' (default) syncs the WAL on every commit: nothing acknowledged is lost even on power
   * loss. 'normal' survives a process crash but may lose the last commits on power loss.
   */
  synchronous?: 'full' | 'normal';
  /** Longest a writer waits for another connection's lock, in ms. Default 5,000. */
  busyTimeoutMs?: number;
  /** Most write() calls in one transaction. Default 2,000. */
  maxBatch?: number;
}

const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)';

export function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  try {
    return Promise.resolve(new SqliteStore(options, 'sqlite'));
  } catch (error) {
    return Promise.reject(storeError(error, `cannot open the SQLite store at ${options.path}`));
  }
}

/** Same engine and code on ':memory:'. Nothing survives the process: only for --ephemeral. */
export function openMemoryStore(): Promise<Store> {
  return Promise.resolve(new SqliteStore({ path: ':memory:' }, 'memory'));
}

class SqliteStore implements Store {
  readonly kind: 'sqlite' | 'memory';
  readonly #db: SqliteDatabase;
  readonly #statements: StatementCache;
  readonly #committer: GroupCommitter;
  readonly #begin: Statement<unknown[], unknown>;
  readonly #commit: Statement<unknown[], unknown>;
  readonly #rollback: Statement<unknown[], unknown>;
  readonly #savepoint: Statement<unknown[], unknown>;
  readonly #release: Statement<unknown[], unknown>;
  readonly #rollbackToSavepoint: Statement<unknown[], unknown>;
  #closed: Promise<void> | null = null;

  constructor(options: SqliteStoreOptions, kind: 'sqlite' | 'memory') {
    this.kind = kind;
    const db = new Database(options.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
      db.pragma('foreign_keys = ON');
    } catch (error) {
      db.close();
      throw error;
    }
    // Numbers, not bigints: every INTEGER the schema holds (epoch ms, counters) fits in 2^53.
    db.defaultSafeIntegers(false);
    this.#db = db;
    this.#statements = new StatementCache(db);
    // Savepoints nest inside the batch's transaction; one name is enough because each is
    // released before the next one opens.
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT gc');
    this.#release = db.prepare('RELEASE gc');
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO gc');
    this.#committer = new GroupCommitter((batch) => this.#executeBatch(batch), options.maxBatch);
  }

  migrate(migrations: readonly Migration[]): Promise<void> {
    if (this.#closed !== null) return Promise.reject(closedError());
    try {
      this.#migrate(migrations);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  all<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (this.#closed !== null) return Promise.reject(closedError());
    try {
      return Promise.resolve(this.#statements.get(sql).all(...bindable(params)) as T[]);
    } catch (error) {
      return Promise.reject(storeError(error, 'query failed'));
    }
  }

  get<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    if (this.#closed !== null) return Promise.reject(closedError());
    try {
      return Promise.resolve(this.#statements.get(sql).get(...bindable(params)) as T | undefined);
    } catch (error) {
      return Promise.reject(storeError(error, 'query failed'));
    }
  }

  write(ops: readonly WriteOp[]): Promise<number[]> {
    if (this.#closed !== null) return Promise.reject(closedError());
    if (ops.length === 0) return Promise.resolve([]);
    return this.#committer.submit(ops);
  }

  stats(): StoreStats {
    return this.#committer.stats;
  }

  close(): Promise<void> {
    if (this.#closed === null) {
      try {
        // Writes already accepted were promised an answer: commit them before closing.
        this.#committer.flushAll();
        this.#db.close();
        this.#closed = Promise.resolve();
      } catch (error) {
        this.#closed = Promise.reject(storeError(error, 'closing the store failed'));
      }
    }
    return this.#closed;
  }

  #migrate(migrations: readonly Migration[]): void {
    const seen = new Set<string>();
    for (const m of migrations) {
      if (seen.has(m.id)) {
        throw new BackendError('INVALID_ARGUMENT', `migration id '${m.id}' appears more than once`);
      }
      seen.add(m.id);
    }
    this.#db.exec(MIGRATIONS_TABLE_SQL);
    const applied = new Set(
      (this.#db.prepare('SELECT id FROM _migrations').all() as { id: string }[]).map((r) => r.id),
    );
    const record = this.#db.prepare('INSERT INTO _migrations (id, applied_at) VALUES (?, ?)');
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      // Pending group-commit writes cannot interleave: both run synchronously on this thread.
      const apply = this.#db.transaction(() => {
        this.#db.exec(m.sql);
        record.run(m.id, Date.now());
      });
      try {
        apply.immediate();
      } catch (error) {
        throw new BackendError(
          'STORE_MIGRATION_FAILED',
          `migration '${m.id}' failed and was rolled back: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
  }

  #executeBatch(batch: readonly PendingWrite[]): boolean {
    try {
      this.#begin.run();
    } catch (error) {
      failAll(batch, storeError(error, 'could not start a write transaction'));
      return false;
    }
    for (const item of batch) {
      try {
        this.#savepoint.run();
        item.result = this.#runOps(item.ops);
        this.#release.run();
      } catch (error) {
        item.result = undefined;
        item.error = storeError(error, 'write failed');
        if (!this.#undoSavepoint()) {
          // The engine dropped the whole transaction (e.g. disk full): nobody in it committed.
          failAll(batch, item.error);
          return false;
        }
      }
    }
    try {
      this.#commit.run();
      return true;
    } catch (error) {
      if (this.#db.inTransaction) {
        try {
          this.#rollback.run();
        } catch {
          // The commit error below is the one worth reporting.
        }
      }
      failAll(batch, storeError(error, 'commit failed'));
      return false;
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

function failAll(batch: readonly PendingWrite[], error: Error): void {
  for (const item of batch) {
    item.result = undefined;
    if (item.error === undefined) item.error = error;
  }
}

/** better-sqlite3 binds Buffers, not plain Uint8Arrays; copy-free view for those. */
function bindable(params: readonly SqlValue[]): readonly unknown[] {
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

function closedError(): BackendError {
  return new BackendError('STORE_CLOSED', 'the store is closed');
}

function storeError(error: unknown, context: string): BackendError {
  if (error instanceof BackendError) return error;
  const sqliteCode = (error as { code?: unknown } | null)?.code;
  const constraint = typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_CONSTRAINT');
  return new BackendError(
    constraint ? 'STORE_CONSTRAINT' : 'STORE_QUERY_FAILED',
    `${context}: ${messageOf(error)}`,
    { cause: error },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
