/**
 * How this store's connections parse result columns, so rows look exactly like the SQLite
 * store's: integers and aggregates as numbers, booleans as 1/0, bytea as Buffer (pg's
 * default), NULL as null. Given per pool through the client `types` option: pg.types is
 * process-global and other code in the process may rely on its defaults.
 */
import pg from 'pg';
import type { CustomTypesConfig } from 'pg';

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BOOL_OID = 16;

/** int8 (COUNT, BIGINT columns): a number; past 2^53 a bigint rather than a silently rounded number. */
export function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** numeric (what SUM/AVG of BIGINT return): a float, as SQLite's REAL/INTEGER results are. */
function parseNumeric(text: string): number {
  return Number(text);
}

function parseBool(text: string): number {
  return text === 't' ? 1 : 0;
}

const TEXT_PARSERS = new Map<number, (text: string) => unknown>([
  [INT8_OID, parseInt8],
  [NUMERIC_OID, parseNumeric],
  [BOOL_OID, parseBool],
]);

export const STORE_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (format !== 'binary') {
      const parser = TEXT_PARSERS.get(oid);
      if (parser !== undefined) return parser;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as CustomTypesConfig; // pg's overloaded getTypeParser signature cannot be written as one function type
