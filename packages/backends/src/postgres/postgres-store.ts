/**
 * The PostgreSQL Store: portable SQL in ('?' placeholders, portable DDL), PostgreSQL out.
 * One schema per cell; every pooled connection gets it as its search_path in the startup
 * packet, so no statement is schema-qualified and no round trip is spent setting it.
 *
 * Writes are group-committed (see pipelined-batch.ts): calls arriving in the same event-loop
 * turn share one transaction, and up to `maxInFlightBatches` transactions run at once on
 * different connections. A write resolves only after COMMIT returned, and the store keeps the
 * server's synchronous_commit (on by default), so an acknowledged write is on disk.
 */
import pg from 'pg';
import { BackendError } from '../errors.js';
import { GroupCommitter } from '../group-commit.js';
import type { Migration, Row, SqlValue, Store, StoreStats, WriteOp } from '../types.js';
import { classifyFailure, closedError, messageOf, storeError } from './pg-errors.js';
import { StatementCoalescer } from './coalesce.js';
import { runPipelinedBatch } from './pipelined-batch.js';
import { STORE_TYPES } from './row-types.js';
import { TranslationCache, translateDdl } from './sql-text.js';

export interface PostgresStoreOptions {
  /** Connection string, e.g. postgres://user@127.0.0.1:5432/db. */
  url: string;
  /** The cell's schema (e.g. 'us1_cell_1'); created if missing. Lower-case letters, digits, '_'. */
  schema: string;
  /** Most connections the store opens. Default 8. */
  poolSize?: number;
  /** Shown in pg_stat_activity. Default 'twilio-lab'. */
  applicationName?: string;
  /** Most write() calls in one transaction. Default 1,000. */
  maxBatch?: number;
  /** Group-commit transactions running at once, each on its own connection. Default 2. */
  maxInFlightBatches?: number;
  /** How long to wait for a connection, in ms, before a call fails. Default 5,000. */
  connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** First key of the migration advisory lock ('tl'); the second is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x746c;
const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)';

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (!SCHEMA_NAME.test(options.schema)) {
    throw new BackendError(
      'INVALID_ARGUMENT',
      `schema '${options.schema}' must be lower-case letters, digits and '_' (at most 63, not starting with a digit)`,
    );
  }
  const store = new PostgresStore(options);
  try {
    await store.createSchema();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw storeError(
      error,
      `cannot open the PostgreSQL store at ${describeTarget(options.url)} (schema ${options.schema})`,
    );
  }
  return store;
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #sql = new TranslationCache();
  readonly #committer: GroupCommitter;
  readonly #coalescer: StatementCoalescer;
  #closed: Promise<void> | null = null;

  constructor(options: PostgresStoreOptions) {
    this.#schema = options.schema;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: Math.max(2, options.poolSize ?? 8),
      application_name: options.applicationName ?? 'twilio-lab',
      // The schema name was validated above: it needs no quoting in the startup options.
      options: `-c search_path=${options.schema}`,
      types: STORE_TYPES,
      pipeline: true,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
    });
    // A pooled connection the server drops (restart, pg_terminate_backend) emits 'error'; the
    // pool discards it and opens a fresh one on demand. Without listeners Node would throw.
    this.#pool.on('error', () => undefined);
    this.#pool.on('connect', (client) => client.on('error', () => undefined));
    this.#coalescer = new StatementCoalescer(this.#pool);
    const deps = { pool: this.#pool, sql: this.#sql, coalescer: this.#coalescer };
    this.#committer = new GroupCommitter(
      (batch) => runPipelinedBatch(deps, batch),
      options.maxBatch ?? 1_000,
      options.maxInFlightBatches ?? 2,
    );
  }

  async createSchema(): Promise<void> {
    try {
      await this.#pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
    } catch (error) {
      // Two processes creating it at once: the loser sees a unique violation; the schema exists.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P06') throw error;
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    if (this.#closed !== null) throw closedError();
    const seen = new Set<string>();
    for (const m of migrations) {
      if (seen.has(m.id)) {
        throw new BackendError('INVALID_ARGUMENT', `migration id '${m.id}' appears more than once`);
      }
      seen.add(m.id);
    }
    // Writes accepted before the migration land first, as on the SQLite store.
    await this.#committer.drain();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeError(error, 'migrate failed');
    }
    let broken: Error | undefined;
    try {
      await this.#migrateOn(client, migrations);
      // Column types may have changed: coalesced statements are rebuilt from the catalog.
      this.#coalescer.reset();
    } catch (error) {
      if (classifyFailure(error) === 'connection' && !(error instanceof BackendError)) {
        broken = error instanceof Error ? error : new Error(String(error));
      }
      throw error instanceof BackendError ? error : storeError(error, 'migrate failed');
    } finally {
      client.release(broken);
    }
  }

  async #migrateOn(client: pg.PoolClient, migrations: readonly Migration[]): Promise<void> {
    // Two cells or processes starting at once on one schema take turns; the second then
    // finds everything applied. A session lock: released below, or when the connection dies.
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, this.#schema]);
    try {
      await client.query(MIGRATIONS_TABLE_SQL);
      const applied = new Set(
        (await client.query<{ id: string }>('SELECT id FROM _migrations')).rows.map((r) => r.id),
      );
      for (const m of migrations) {
        if (applied.has(m.id)) continue;
        try {
          await client.query('BEGIN');
          // No parameters: the simple protocol, which runs several ';'-separated statements.
          await client.query(m.postgres ?? translateDdl(m.sql));
          await client.query('INSERT INTO _migrations (id, applied_at) VALUES ($1, $2)', [m.id, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new BackendError(
            'STORE_MIGRATION_FAILED',
            `migration '${m.id}' failed and was rolled back: ${messageOf(error)}`,
            { cause: error },
          );
        }
      }
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, this.#schema])
        .catch(() => undefined);
    }
  }

  async all<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (this.#closed !== null) throw closedError();
    return (await this.#read(sql, params)).rows as T[];
  }

  async get<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    if (this.#closed !== null) throw closedError();
    return (await this.#read(sql, params)).rows[0] as T | undefined;
  }

  async #read(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    // Unnamed statements: a named SELECT * would fail with "cached plan must not change
    // result type" after a migration adds a column.
    const text = this.#sql.get(sql).text;
    // Pooled connections the server dropped while idle fail their next query before the pool
    // notices; each failure removes one, so a read (safe to repeat) runs again until it gets a
    // live connection: at most once per pooled connection, plus one on a fresh one.
    const attempts = (this.#pool.options.max ?? 10) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#pool.query(text, params as unknown[]);
      } catch (error) {
        if (classifyFailure(error) !== 'connection' || this.#closed !== null || attempt >= attempts) {
          throw storeError(error, 'query failed');
        }
      }
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
      // Writes already accepted were promised an answer: commit them before closing.
      await this.#committer.drain();
      try {
        await this.#pool.end();
      } catch (error) {
        throw storeError(error, 'closing the store failed');
      }
    })();
    return this.#closed;
  }
}

/** host:port/database of a connection string, without credentials, for error messages. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured URL';
  }
}
