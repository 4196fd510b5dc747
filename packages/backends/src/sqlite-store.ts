/**
 * The embedded Store: better-sqlite3 in WAL mode with group commit. Durable by default
 * (synchronous=FULL): a write() resolves only after its transaction's commit was synced, so
 * an acknowledged row survives SIGKILL and power loss.
 *
 * A file store commits on a dedicated writer thread (sqlite-writer.ts) with its own
 * connection: the commit's fsync and the row writes then never block the event loop, and
 * requests arriving meanwhile form the next group. Reads and migrations run on this thread's
 * connection; WAL lets them proceed while the writer commits, and a read issued after a
 * write resolved sees it. The ':memory:' store cannot be shared between connections, so it
 * commits inline.
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { BatchRunner, bindable, type CallOutcome } from './batch-runner.js';
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
  /** Where commits run: 'thread' (default for files) or 'inline' (always for ':memory:'). */
  writer?: 'thread' | 'inline';
}

const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)';

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  let store: SqliteStore;
  try {
    store = new SqliteStore(options, 'sqlite');
  } catch (error) {
    throw storeError(error, `cannot open the SQLite store at ${options.path}`);
  }
  await store.ready();
  return store;
}

/** Same engine and code on ':memory:'. Nothing survives the process: only for --ephemeral. */
export function openMemoryStore(): Promise<Store> {
  return Promise.resolve(new SqliteStore({ path: ':memory:', writer: 'inline' }, 'memory'));
}

/** Opens a connection with the store's pragmas. Shared with the writer thread. */
export function openConnection(
  path: string,
  options: { synchronous?: 'full' | 'normal'; busyTimeoutMs?: number },
): SqliteDatabase {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
    db.pragma('foreign_keys = ON');
    // SQLite's default page cache is 2 MB. Past a few hundred thousand messages the sid index
    // no longer fits, and every update by sid pays page-cache misses on both connections;
    // 64 MB each keeps the hot indexes resident for millions of rows.
    db.pragma('cache_size = -65536');
  } catch (error) {
    db.close();
    throw error;
  }
  // Numbers, not bigints: every INTEGER the schema holds (epoch ms, counters) fits in 2^53.
  db.defaultSafeIntegers(false);
  return db;
}

/**
 * One batch as it crosses to the writer thread. SQL text is sent once and named by a number
 * afterwards: the statements are a small fixed set, and cloning their text for every op was
 * a measurable share of the main thread. Each call is flat: [sqlId, params, sqlId, params, …].
 */
export interface WriterBatch {
  id: number;
  /** SQL texts first used in this batch, as [sqlId, text]. */
  defs: [number, string][];
  calls: (number | readonly SqlValue[])[][];
}

/** What the writer thread answers for one batch; errors cross the thread as plain data. */
export interface WriterReply {
  id: number;
  committed: boolean;
  outcomes: ({ changes: number[] } | { error: { message: string; code?: string } })[];
}

class SqliteStore implements Store {
  readonly kind: 'sqlite' | 'memory';
  readonly #db: SqliteDatabase;
  readonly #statements: StatementCache;
  readonly #committer: GroupCommitter;
  readonly #writer: WriterThread | null;
  #closed: Promise<void> | null = null;

  constructor(options: SqliteStoreOptions, kind: 'sqlite' | 'memory') {
    this.kind = kind;
    this.#db = openConnection(options.path, options);
    this.#statements = new StatementCache(this.#db);
    const threaded = options.path !== ':memory:' && options.writer !== 'inline';
    if (threaded) {
      const writer = new WriterThread(options);
      this.#writer = writer;
      this.#committer = new GroupCommitter((batch) => writer.execute(batch), options.maxBatch, 2);
    } else {
      this.#writer = null;
      const runner = new BatchRunner(this.#db, this.#statements);
      this.#committer = new GroupCommitter((batch) => {
        const result = runner.run(batch.map((item) => item.ops));
        applyOutcomes(batch, result.outcomes, (error) => storeError(error, 'write failed'));
        return result.committed;
      }, options.maxBatch);
    }
  }

  /** Resolves once the writer thread has opened its connection. */
  async ready(): Promise<void> {
    try {
      await this.#writer?.ready;
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    if (this.#closed !== null) throw closedError();
    // Migrations take the write lock on this connection: let the writer finish first.
    await this.#committer.drain();
    this.#migrate(migrations);
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
    this.#closed ??= (async () => {
      try {
        // Writes already accepted were promised an answer: commit them before closing.
        await this.#committer.drain();
        await this.#writer?.close();
        this.#db.close();
      } catch (error) {
        throw storeError(error, 'closing the store failed');
      }
    })();
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
}

/** The main thread's handle on the writer thread: one batch in flight at a time (GroupCommitter ensures it). */
class WriterThread {
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  #nextId = 0;
  readonly #sqlIds = new Map<string, number>();
  readonly #waiting = new Map<
    number,
    { batch: readonly PendingWrite[]; resolve: (committed: boolean) => void }
  >();
  #failure: Error | null = null;

  constructor(options: SqliteStoreOptions) {
    this.#worker = new Worker(new URL('./sqlite-writer.js', import.meta.url), {
      workerData: {
        path: options.path,
        synchronous: options.synchronous ?? 'full',
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
      },
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.#worker.once('message', (first: { ready?: true; error?: string }) => {
        if (first.ready) resolve();
        else
          reject(
            new BackendError(
              'STORE_QUERY_FAILED',
              `the store's writer thread failed to open: ${first.error}`,
            ),
          );
      });
      this.#worker.once('error', reject);
    });
    this.ready.then(
      () => this.#worker.on('message', (reply: WriterReply) => this.#onReply(reply)),
      () => undefined,
    );
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (code !== 0 || this.#waiting.size > 0)
        this.#fail(new Error(`writer thread exited with code ${code}`));
    });
  }

  execute(batch: readonly PendingWrite[]): Promise<boolean> {
    if (this.#failure !== null) {
      const error = storeError(this.#failure, 'the store is unavailable');
      for (const item of batch) item.error = error;
      return Promise.resolve(false);
    }
    const id = ++this.#nextId;
    // Arrays are filled with push(): preallocated (holey) arrays take V8's slow serialisation path.
    const message: WriterBatch = { id, defs: [], calls: [] };
    for (const item of batch) {
      const call: (number | readonly SqlValue[])[] = [];
      for (const op of item.ops) {
        let sqlId = this.#sqlIds.get(op.sql);
        if (sqlId === undefined) {
          sqlId = this.#sqlIds.size + 1;
          this.#sqlIds.set(op.sql, sqlId);
          message.defs.push([sqlId, op.sql]);
        }
        call.push(sqlId, op.params);
      }
      message.calls.push(call);
    }
    return new Promise<boolean>((resolve) => {
      this.#waiting.set(id, { batch, resolve });
      this.#worker.postMessage(message);
    });
  }

  #onReply(reply: WriterReply): void {
    const waiting = this.#waiting.get(reply.id);
    if (waiting === undefined) return;
    this.#waiting.delete(reply.id);
    applyOutcomes(waiting.batch, reply.outcomes, (error) => storeError(revive(error), 'write failed'));
    waiting.resolve(reply.committed);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const [id, waiting] of this.#waiting) {
      this.#waiting.delete(id);
      const failure = storeError(error, 'the store writer failed');
      for (const item of waiting.batch) item.error = failure;
      waiting.resolve(false);
    }
  }

  async close(): Promise<void> {
    this.#worker.postMessage({ close: true });
    await new Promise<void>((resolve) => {
      this.#worker.once('exit', () => resolve());
      setTimeout(() => void this.#worker.terminate().then(() => resolve()), 10_000).unref();
    });
  }
}

function applyOutcomes(
  batch: readonly PendingWrite[],
  outcomes: readonly (CallOutcome | WriterReply['outcomes'][number])[],
  toError: (error: unknown) => Error,
): void {
  for (let i = 0; i < batch.length; i++) {
    const item = batch[i]!;
    const outcome = outcomes[i];
    if (outcome !== undefined && 'changes' in outcome) item.result = outcome.changes;
    else item.error = toError(outcome?.error ?? new Error('no outcome for this write'));
  }
}

/** Turns a plain {message, code} from the writer thread back into an Error that storeError can classify. */
function revive(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const plain = error as { message?: string; code?: string };
  return Object.assign(new Error(plain.message ?? 'write failed'), plain.code ? { code: plain.code } : {});
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
