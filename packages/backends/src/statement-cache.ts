import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepared statements keyed by their SQL text. Preparing is the expensive part of a
 * statement on the hot path; the SQL a cell runs is a small fixed set, so the cache is
 * effectively permanent. The bound only guards against callers that build SQL dynamically:
 * past it the oldest entry goes (Map keeps insertion order).
 */
export class StatementCache {
  readonly #db: Database;
  readonly #maxSize: number;
  readonly #statements = new Map<string, Statement<unknown[], unknown>>();

  constructor(db: Database, maxSize = 1_000) {
    this.#db = db;
    this.#maxSize = maxSize;
  }

  get(sql: string): Statement<unknown[], unknown> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], unknown>(sql);
      if (this.#statements.size >= this.#maxSize) {
        const oldest = this.#statements.keys().next();
        if (oldest.done !== true) this.#statements.delete(oldest.value);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  get size(): number {
    return this.#statements.size;
  }
}
