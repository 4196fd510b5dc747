import { encodePageToken } from '@twilio-lab/core';
import type { readPaging } from '@twilio-lab/core';

type Paging = Pick<ReturnType<typeof readPaging>, 'pageSize' | 'token'>;

interface Sortable {
  dateCreated: number;
  sid: string;
}

export interface KeysetPage<T> {
  records: T[];
  nextToken: string | null;
  prevToken: string | null;
}

/** Position of `row` against a [dateCreated, sid] cursor in newest-first order: <0 before, >0 after. */
function compareToCursor(row: Sortable, created: number, sid: string): number {
  if (row.dateCreated !== created) return created - row.dateCreated;
  return row.sid < sid ? 1 : row.sid > sid ? -1 : 0;
}

/**
 * One page of `rows` (already sorted newest first) after or before the paging token's cursor.
 * Keyset paging stays correct while rows are added or removed between page requests, which an
 * offset would not.
 */
export function keysetPage<T extends Sortable>(rows: readonly T[], paging: Paging): KeysetPage<T> {
  let from = 0;
  let to = rows.length;
  const token = paging.token;
  if (token !== null) {
    const created = Number(token.cursor[0]);
    const sid = String(token.cursor[1] ?? '');
    const firstAfter = rows.findIndex((row) => compareToCursor(row, created, sid) > 0);
    const boundary = firstAfter === -1 ? rows.length : firstAfter;
    if (token.direction === 'next') {
      from = boundary;
    } else {
      // Rows strictly before the cursor: the cursor row itself (if still there) starts the later page.
      const firstAtOrAfter = rows.findIndex((row) => compareToCursor(row, created, sid) >= 0);
      to = firstAtOrAfter === -1 ? rows.length : firstAtOrAfter;
      from = Math.max(0, to - paging.pageSize);
    }
  }
  const end = Math.min(from + paging.pageSize, to);
  const records = rows.slice(from, end);
  const first = records[0];
  const last = records[records.length - 1];
  return {
    records,
    nextToken:
      last !== undefined && end < rows.length ? encodePageToken([last.dateCreated, last.sid], 'next') : null,
    prevToken:
      first !== undefined && from > 0 ? encodePageToken([first.dateCreated, first.sid], 'prev') : null,
  };
}
