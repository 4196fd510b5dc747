import { encodePageToken, twilioError } from '@twilio-lab/core';
import type { Paging } from '@twilio-lab/core';
import type { SqlValue, Store } from '@twilio-lab/backends';

/** Rows paged by keyset carry this sort key. */
export interface KeyedRow {
  sid: string;
  date_created: number;
}

export interface Page<T> {
  rows: T[];
  nextToken: string | null;
  prevToken: string | null;
}

/**
 * One page, oldest first, ordered by (date_created, sid). The page token holds the edge row's
 * sort key, so rows created while a client walks the list never shift pages it has not read.
 * A Page without a token falls back to an offset (the SDK only ever asks for page 0 that way).
 */
export async function keysetPage<T extends KeyedRow>(
  store: Store,
  table: string,
  where: readonly string[],
  params: readonly SqlValue[],
  paging: Paging,
): Promise<Page<T>> {
  const { pageSize, page, token } = paging;
  const backwards = token?.direction === 'prev';
  const order = backwards ? 'DESC' : 'ASC';
  const conditions = [...where];
  const values: SqlValue[] = [...params];
  if (token !== null) {
    const [date, sid] = cursorOf(token.cursor);
    const cmp = backwards ? '<' : '>';
    conditions.push(`(date_created ${cmp} ? OR (date_created = ? AND sid ${cmp} ?))`);
    values.push(date, date, sid);
  }
  let sql = `SELECT * FROM ${table}`;
  if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
  sql += ` ORDER BY date_created ${order}, sid ${order} LIMIT ?`;
  values.push(pageSize + 1);
  if (token === null && page > 0) {
    sql += ' OFFSET ?';
    values.push(page * pageSize);
  }
  const fetched = await store.all<T>(sql, values);
  const more = fetched.length > pageSize;
  const rows = more ? fetched.slice(0, pageSize) : fetched;
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return { rows, nextToken: null, prevToken: null };
  const tokenOf = (row: T, direction: 'next' | 'prev'): string =>
    encodePageToken([Number(row.date_created), row.sid], direction);
  if (backwards) {
    return { rows, nextToken: tokenOf(last, 'next'), prevToken: more ? tokenOf(first, 'prev') : null };
  }
  return {
    rows,
    nextToken: more ? tokenOf(last, 'next') : null,
    prevToken: token !== null || page > 0 ? tokenOf(first, 'prev') : null,
  };
}

function cursorOf(cursor: readonly (string | number)[]): [number, string] {
  const [date, sid] = cursor;
  if (cursor.length !== 2 || typeof date !== 'number' || typeof sid !== 'string') {
    throw twilioError(20001, 'Invalid PageToken');
  }
  return [date, sid];
}
