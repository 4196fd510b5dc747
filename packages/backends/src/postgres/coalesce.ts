/**
 * Coalescing of one group-commit batch: runs of the same single-row statement become one
 * statement over arrays, so a batch of 500 status updates is one UPDATE, not 500.
 *
 * Each statement costs PostgreSQL a Bind/Execute round of protocol messages, an executor
 * start-up and (for messages) a statement-level trigger run; the client a Query object and its
 * encoding. On a busy cell those per-statement costs, not the rows, dominate. Two shapes are
 * recognised, exactly (anything else runs as written):
 *
 *   INSERT INTO t (c1, …, cn) VALUES (?, …, ?)
 *     → INSERT INTO t (c1, …, cn) SELECT * FROM unnest($1::T1[], …, $n::Tn[])
 *   UPDATE t SET c1 = ?, …, cn = ? WHERE k = ?
 *     → UPDATE t SET c1 = v.p1, … FROM unnest(…) AS v(p1, …, pk) WHERE t.k = v.pk RETURNING t.k
 *
 * Only consecutive ops (in the batch's order) are joined, so statement order is kept. An
 * UPDATE run is cut where a key repeats: one multi-row UPDATE changes a row at most once,
 * where the single-row statements would have changed it twice. The rewritten text does not
 * depend on the number of rows, so it is prepared once per connection like any statement.
 *
 * Array element types come from the catalog (the first batch that meets a table asks, the
 * ones after it coalesce); until known, the statements run as written.
 */
import type pg from 'pg';
import type { SqlValue, WriteOp } from '../types.js';

/** A run shorter than this runs as written: nothing to save. */
const MIN_RUN = 2;
/** Rows per coalesced statement: bounds one statement's memory and array text. */
const MAX_RUN = 2_000;

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const INSERT_SHAPE = new RegExp(
  `^\\s*INSERT\\s+INTO\\s+(${IDENT})\\s*\\(([^)]*)\\)\\s*VALUES\\s*\\(([\\s?,]*)\\)\\s*$`,
  'i',
);
const UPDATE_SHAPE = new RegExp(
  `^\\s*UPDATE\\s+(${IDENT})\\s+SET\\s+((?:${IDENT}\\s*=\\s*\\?\\s*,\\s*)*${IDENT}\\s*=\\s*\\?)\\s+WHERE\\s+(${IDENT})\\s*=\\s*\\?\\s*$`,
  'i',
);
const COLUMN = new RegExp(`^${IDENT}$`);

/** A statement shape that can take many rows. */
interface Shape {
  kind: 'insert' | 'update';
  table: string;
  /** Columns in parameter order (for an UPDATE the key column is last). */
  columns: string[];
}

/** One statement to send: a single op as written, or a run of ops as one statement. */
export type Unit =
  | { kind: 'single'; op: WriteOp; at: OpRef }
  | { kind: 'insert' | 'update'; sql: string; params: string[]; at: OpRef[]; keys: string[] };

/** Where an op sits in the batch: caller index and op index within that caller. */
export interface OpRef {
  call: number;
  op: number;
}

type ColumnTypes = Map<string, string>;

const TYPES_SQL = `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

export class StatementCoalescer {
  /** Recognised shape by SQL text; null when the text has no coalescable shape. */
  readonly #shapes = new Map<string, Shape | null>();
  /** Column types by table name; null while being read (or when the table is unknown). */
  readonly #types = new Map<string, ColumnTypes | null>();
  /** Rewritten SQL by original SQL (with the types it was built from). */
  readonly #rewritten = new Map<string, string>();
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Forgets column types (after a migration may have changed them). */
  reset(): void {
    this.#types.clear();
    this.#rewritten.clear();
  }

  /** The batch's ops as units to send, in order. */
  plan(calls: readonly { ops: readonly WriteOp[] }[]): Unit[] {
    const units: Unit[] = [];
    let run: { sql: string; shape: Shape; at: OpRef[]; ops: WriteOp[]; keys: Set<string> } | null = null;
    const endRun = (): void => {
      if (run === null) return;
      if (run.ops.length >= MIN_RUN) {
        units.push(this.#coalesced(run.sql, run.shape, run.ops, run.at));
      } else {
        for (let i = 0; i < run.ops.length; i++)
          units.push({ kind: 'single', op: run.ops[i]!, at: run.at[i]! });
      }
      run = null;
    };
    for (let c = 0; c < calls.length; c++) {
      const ops = calls[c]!.ops;
      for (let o = 0; o < ops.length; o++) {
        const op = ops[o]!;
        const at = { call: c, op: o };
        const shape = this.#usableShape(op);
        if (shape === null) {
          endRun();
          units.push({ kind: 'single', op, at });
          continue;
        }
        const key = shape.kind === 'update' ? keyText(op.params[op.params.length - 1]) : '';
        if (
          run !== null &&
          (run.sql !== op.sql || run.ops.length >= MAX_RUN || (shape.kind === 'update' && run.keys.has(key)))
        ) {
          endRun();
        }
        run ??= { sql: op.sql, shape, at: [], ops: [], keys: new Set() };
        run.at.push(at);
        run.ops.push(op);
        if (shape.kind === 'update') run.keys.add(key);
      }
    }
    endRun();
    return units;
  }

  /** The op's shape, if it has one and its table's types are known (else asks for them). */
  #usableShape(op: WriteOp): Shape | null {
    let shape = this.#shapes.get(op.sql);
    if (shape === undefined) {
      shape = parseShape(op.sql);
      this.#shapes.set(op.sql, shape);
    }
    if (shape === null || shape.columns.length !== op.params.length) return null;
    const types = this.#types.get(shape.table);
    if (types === undefined) {
      this.#loadTypes(shape.table);
      return null;
    }
    if (types === null) return null;
    for (const column of shape.columns) if (!types.has(column)) return null;
    for (const value of op.params) if (typeof value === 'object' && value !== null) return null; // bytes: as written
    return shape;
  }

  #loadTypes(table: string): void {
    this.#types.set(table, null);
    this.#pool.query<{ name: string; type: string }>(TYPES_SQL, [table]).then(
      (result) => {
        if (this.#types.get(table) !== null) return; // reset() meanwhile: read again next time
        if (result.rows.length === 0) return; // not a table here: stays as written
        this.#types.set(table, new Map(result.rows.map((r) => [r.name.toLowerCase(), r.type])));
      },
      () => {
        // Read again on the next batch that meets the table.
        if (this.#types.get(table) === null) this.#types.delete(table);
      },
    );
  }

  #coalesced(sql: string, shape: Shape, ops: readonly WriteOp[], at: OpRef[]): Unit {
    let text = this.#rewritten.get(sql);
    if (text === undefined) {
      text = rewrite(shape, this.#types.get(shape.table)!);
      this.#rewritten.set(sql, text);
    }
    const width = shape.columns.length;
    const params = new Array<string>(width);
    for (let p = 0; p < width; p++) params[p] = arrayLiteral(ops, p);
    const keys = shape.kind === 'update' ? ops.map((op) => keyText(op.params[width - 1])) : [];
    return { kind: shape.kind, sql: text, params, at, keys };
  }
}

export function parseShape(sql: string): Shape | null {
  const insert = INSERT_SHAPE.exec(sql);
  if (insert !== null) {
    const columns = insert[2]!.split(',').map((c) => c.trim().toLowerCase());
    const marks = insert[3]!.split(',').map((m) => m.trim());
    if (!columns.every((c) => COLUMN.test(c)) || marks.some((m) => m !== '?')) return null;
    if (marks.length !== columns.length || new Set(columns).size !== columns.length) return null;
    return { kind: 'insert', table: insert[1]!.toLowerCase(), columns };
  }
  const update = UPDATE_SHAPE.exec(sql);
  if (update !== null) {
    const columns = update[2]!.split(',').map((a) => a.split('=')[0]!.trim().toLowerCase());
    columns.push(update[3]!.toLowerCase());
    if (new Set(columns.slice(0, -1)).size !== columns.length - 1) return null;
    return { kind: 'update', table: update[1]!.toLowerCase(), columns };
  }
  return null;
}

function rewrite(shape: Shape, types: ColumnTypes): string {
  const arrays = shape.columns.map((c, i) => `$${i + 1}::${types.get(c)!}[]`).join(', ');
  if (shape.kind === 'insert') {
    return `INSERT INTO ${shape.table} (${shape.columns.join(', ')}) SELECT * FROM unnest(${arrays})`;
  }
  const last = shape.columns.length - 1;
  const key = shape.columns[last]!;
  const sets = shape.columns
    .slice(0, last)
    .map((c, i) => `${c} = v.p${i + 1}`)
    .join(', ');
  const names = shape.columns.map((_, i) => `p${i + 1}`).join(', ');
  return (
    `UPDATE ${shape.table} AS t SET ${sets} FROM unnest(${arrays}) AS v(${names}) ` +
    `WHERE t.${key} = v.p${last + 1} RETURNING t.${key} AS k`
  );
}

/** An UPDATE's key as text, to match the keys RETURNING gives back. */
export function keyText(value: SqlValue | undefined): string {
  return value === null || value === undefined ? '\u0000null' : String(value);
}

/** PostgreSQL array literal of parameter `p` of every op (scalars only; see #usableShape). */
export function arrayLiteral(ops: readonly WriteOp[], p: number): string {
  let out = '{';
  for (let i = 0; i < ops.length; i++) {
    if (i > 0) out += ',';
    const value = ops[i]!.params[p];
    if (value === null || value === undefined) {
      out += 'NULL';
    } else if (typeof value === 'string') {
      out +=
        value.indexOf('\\') < 0 && value.indexOf('"') < 0
          ? '"' + value + '"'
          : '"' + value.replace(/[\\"]/g, '\\$&') + '"';
    } else {
      out += String(value);
    }
  }
  return out + '}';
}
