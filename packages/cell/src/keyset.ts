/**
 * Keyset pagination over the store for list endpoints, shared by every product module: rows
 * sorted by (date_created, sid) and opaque PageTokens holding the edge row's sort key.
 */
import { encodePageToken, twilioError } from '@twilio-lab/core';
import type { readPaging } from '@twilio-lab/core';
import type { SqlValue, Store } from '@twilio-lab/backends';

/** Rows paged by keyset carry this sort key. */
export interface KeyedRow {
  sid: string;
  date_created: number;
}

/** What core's readPaging returns (named here: API.md does not export the type). */
export type Paging = ReturnType<typeof readPaging>;

export interface KeysetQuery {
  /** FROM clause target, e.g. 'messages'. */
  table: string;
  /** Conditions joined with AND (filters, account scope). */
  where: readonly string[];
  params: readonly SqlValue[];
  /** true: newest first (messages); false: oldest first (numbers, services, media). */
  newestFirst: boolean;
  paging: Paging;
}

export interface KeysetPage<T> {
  rows: T[];
  nextToken: string | null;
  prevToken: string | null;
}

/**
 * One page ordered by (date_created, sid). The cursor is the sort key of the page's edge row,
 * so rows inserted while a client walks the pages never shift the pages it has not read yet.
 * A Page without a PageToken falls back to an offset (the SDK only does that for page 0).
 */
export async function keysetPage<T extends KeyedRow>(store: Store, q: KeysetQuery): Promise<KeysetPage<T>> {
  const { pageSize, page, token } = q.paging;
  const backwards = token?.direction === 'prev';
  // Walking backwards flips the order and the comparison; the rows are flipped back below.
  const descending = q.newestFirst !== backwards;
  const order = descending ? 'DESC' : 'ASC';
  const where = [...q.where];
  const params: SqlValue[] = [...q.params];
  if (token !== null) {
    const [date, sid] = cursorOf(token.cursor);
    const cmp = descending ? '<' : '>';
    where.push(`(date_created ${cmp} ? OR (date_created = ? AND sid ${cmp} ?))`);
    params.push(date, date, sid);
  }
  let sql = `SELECT * FROM ${q.table}`;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY date_created ${order}, sid ${order} LIMIT ?`;
  params.push(pageSize + 1);
  if (token === null && page > 0) {
    sql += ' OFFSET ?';
    params.push(page * pageSize);
  }
  const fetched = await store.all<T>(sql, params);
  const more = fetched.length > pageSize;
  const rows = more ? fetched.slice(0, pageSize) : fetched;
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return { rows, nextToken: null, prevToken: null };
  if (backwards) {
    return {
      rows,
      nextToken: encodePageToken([last.date_created, last.sid], 'next'),
      prevToken: more ? encodePageToken([first.date_created, first.sid], 'prev') : null,
    };
  }
  return {
    rows,
    nextToken: more ? encodePageToken([last.date_created, last.sid], 'next') : null,
    prevToken: token !== null || page > 0 ? encodePageToken([first.date_created, first.sid], 'prev') : null,
  };
}

function cursorOf(cursor: readonly (string | number)[]): [number, string] {
  const [date, sid] = cursor;
  if (typeof date !== 'number' || typeof sid !== 'string' || cursor.length !== 2) {
    throw twilioError(20001, 'Invalid PageToken');
  }
  return [date, sid];
}
