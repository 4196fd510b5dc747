/**
 * Portable SQL → PostgreSQL text rewrites. Both rewrites touch only code, never the inside of
 * string literals, quoted identifiers, comments or dollar-quoted bodies, so one scanner finds
 * those spans and each rewrite works on what is left.
 */

/**
 * Calls `code` for every span of SQL code and copies quoted/comment spans through untouched.
 * Returns the rewritten text.
 */
function rewriteCode(sql: string, code: (span: string) => string): string {
  let out = '';
  let start = 0; // start of the current code span
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    let end = -1; // end (exclusive) of a protected span starting at i
    if (c === 0x27 /* ' */ || c === 0x22 /* " */) {
      end = closingQuote(sql, i, c);
    } else if (c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) {
      const newline = sql.indexOf('\n', i + 2);
      end = newline < 0 ? n : newline + 1;
    } else if (c === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a /* * */) {
      const close = sql.indexOf('*/', i + 2);
      end = close < 0 ? n : close + 2;
    } else if (c === 0x24 /* $ */ && !isIdentChar(sql.charCodeAt(i - 1))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 66));
      if (tag !== null) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? n : close + tag[0].length;
      }
    }
    if (end < 0) {
      i += 1;
      continue;
    }
    out += code(sql.slice(start, i)) + sql.slice(i, end);
    start = end;
    i = end;
  }
  return out + code(sql.slice(start));
}

const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/** Index just past the quote that closes the one at `open` ('' and "" are escaped quotes). */
function closingQuote(sql: string, open: number, quote: number): number {
  let i = open + 1;
  for (;;) {
    const close = sql.indexOf(quote === 0x27 ? "'" : '"', i);
    if (close < 0) return sql.length;
    if (sql.charCodeAt(close + 1) === quote) {
      i = close + 2;
      continue;
    }
    return close + 1;
  }
}

function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

export interface TranslatedSql {
  /** The PostgreSQL text, with $1..$n. */
  readonly text: string;
  /** How many placeholders it has. */
  readonly params: number;
}

/** '?' placeholders → $1..$n, in order, outside literals and comments. */
export function translatePlaceholders(sql: string): TranslatedSql {
  let count = 0;
  const text = rewriteCode(sql, (span) => {
    if (span.indexOf('?') < 0) return span;
    let out = '';
    let from = 0;
    for (let q = span.indexOf('?'); q >= 0; q = span.indexOf('?', from)) {
      count += 1;
      out += span.slice(from, q) + '$' + count;
      from = q + 1;
    }
    return out + span.slice(from);
  });
  return { text, params: count };
}

// SQLite's INTEGER is 64-bit and holds epoch ms; PostgreSQL's INTEGER is 32-bit.
const PORTABLE_TYPES = /\b(INTEGER|REAL|BLOB)\b/gi;
const POSTGRES_TYPE: Readonly<Record<string, string>> = {
  integer: 'BIGINT',
  real: 'DOUBLE PRECISION',
  blob: 'BYTEA',
};

/** Portable DDL → PostgreSQL DDL: INTEGER → BIGINT, REAL → DOUBLE PRECISION, BLOB → BYTEA. */
export function translateDdl(sql: string): string {
  return rewriteCode(sql, (span) =>
    span.replace(PORTABLE_TYPES, (word: string) => POSTGRES_TYPE[word.toLowerCase()] ?? word),
  );
}

/**
 * Translations by SQL text. The statements a cell runs are a small fixed set, so this is
 * effectively permanent; the bound only guards against SQL built with varying text. Each
 * entry also gets a prepared-statement name, unique for the life of the store (names are
 * never reused, so an evicted text coming back gets a fresh name and never clashes).
 */
export class TranslationCache {
  readonly #entries = new Map<string, PreparedSql>();
  readonly #maxSize: number;
  #nextName = 0;

  constructor(maxSize = 2_000) {
    this.#maxSize = maxSize;
  }

  get(sql: string): PreparedSql {
    let entry = this.#entries.get(sql);
    if (entry === undefined) {
      const translated = translatePlaceholders(sql);
      this.#nextName += 1;
      entry = { text: translated.text, params: translated.params, name: `tl_${this.#nextName}` };
      if (this.#entries.size >= this.#maxSize) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) this.#entries.delete(oldest.value);
      }
      this.#entries.set(sql, entry);
    }
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}

export interface PreparedSql extends TranslatedSql {
  /** Prepared-statement name on every connection that ran it. */
  readonly name: string;
}
