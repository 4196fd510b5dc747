import { twilioError } from './errors.js';
import { FormParams } from './form.js';

/** The sort key of the row a page ends (next) or starts (prev) at. */
export type PageCursor = readonly (string | number)[];
export type PageDirection = 'next' | 'prev';

export interface PageToken {
  cursor: PageCursor;
  direction: PageDirection;
}

const NEXT_PREFIX = 'PA';
const PREV_PREFIX = 'PB';
// Tokens are server-issued and small; anything much larger is not ours.
const MAX_TOKEN_LENGTH = 4096;

export function encodePageToken(cursor: PageCursor, direction: PageDirection): string {
  const prefix = direction === 'next' ? NEXT_PREFIX : PREV_PREFIX;
  return prefix + Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function isCursor(value: unknown): value is PageCursor {
  if (!Array.isArray(value)) return false;
  for (const part of value) {
    if (typeof part === 'string') continue;
    if (typeof part === 'number' && Number.isFinite(part)) continue;
    return false;
  }
  return true;
}

/** The token's cursor and direction, or null for anything that is not a token this module issued. */
export function decodePageToken(token: string): PageToken | null {
  if (token.length < 3 || token.length > MAX_TOKEN_LENGTH) return null;
  const prefix = token.slice(0, 2);
  const direction: PageDirection | null =
    prefix === NEXT_PREFIX ? 'next' : prefix === PREV_PREFIX ? 'prev' : null;
  if (direction === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token.slice(2), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return isCursor(parsed) ? { cursor: parsed, direction } : null;
}

export interface Paging {
  pageSize: number;
  page: number;
  token: PageToken | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
const DIGITS = /^\d{1,9}$/;

export function readPaging(query: FormParams): Paging {
  const rawSize = query.get('PageSize');
  let pageSize = DEFAULT_PAGE_SIZE;
  if (rawSize !== undefined) {
    pageSize = DIGITS.test(rawSize) ? Number(rawSize) : Number.NaN;
    if (!(pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) {
      throw twilioError(20001, `Invalid PageSize: expected an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
  }
  const rawPage = query.get('Page');
  let page = 0;
  if (rawPage !== undefined) {
    if (!DIGITS.test(rawPage)) throw twilioError(20001, 'Invalid Page: expected a non-negative integer');
    page = Number(rawPage);
  }
  const rawToken = query.get('PageToken');
  let token: PageToken | null = null;
  if (rawToken !== undefined && rawToken !== '') {
    token = decodePageToken(rawToken);
    if (token === null) throw twilioError(20001, 'Invalid PageToken');
  }
  return { pageSize, page, token };
}

const PAGING_NAMES = new Set(['PageSize', 'Page', 'PageToken']);

/** The caller's filters (everything but paging), re-encoded, with a trailing '&' when non-empty. */
function filterPrefix(query: FormParams): string {
  const filters = new FormParams();
  for (const [name, value] of query.entries()) {
    if (!PAGING_NAMES.has(name)) filters.append(name, value);
  }
  return filters.size === 0 ? '' : filters.toString() + '&';
}

function pageQuery(filters: string, pageSize: number, page: number, token: string | null): string {
  let q = `${filters}PageSize=${pageSize}&Page=${page}`;
  if (token !== null) q += '&PageToken=' + encodeURIComponent(token);
  return q;
}

export interface ListPageInput {
  /** Name of the records array, e.g. 'messages'. */
  key: string;
  query: FormParams;
  records: readonly unknown[];
  pageSize: number;
  page: number;
  nextToken: string | null;
  prevToken: string | null;
}

interface PageLinks {
  first: string;
  current: string;
  next: string | null;
  previous: string | null;
}

function pageLinks(base: string, o: ListPageInput): PageLinks {
  const filters = filterPrefix(o.query);
  const currentToken = o.query.get('PageToken') || null;
  return {
    first: base + pageQuery(filters, o.pageSize, 0, null),
    current: base + pageQuery(filters, o.pageSize, o.page, currentToken),
    next: o.nextToken === null ? null : base + pageQuery(filters, o.pageSize, o.page + 1, o.nextToken),
    previous:
      o.prevToken === null
        ? null
        : base + pageQuery(filters, o.pageSize, Math.max(o.page - 1, 0), o.prevToken),
  };
}

export interface List2010Input extends ListPageInput {
  /** Path without product prefix, e.g. '/2010-04-01/Accounts/AC…/Messages.json': the SDK prepends its base URL. */
  path: string;
}

/** The 2010 API list envelope; every `*_uri` is relative. */
export function list2010(o: List2010Input): Record<string, unknown> {
  const links = pageLinks(o.path + '?', o);
  const start = o.page * o.pageSize;
  return {
    [o.key]: o.records,
    first_page_uri: links.first,
    next_page_uri: links.next,
    previous_page_uri: links.previous,
    page: o.page,
    page_size: o.pageSize,
    start,
    end: o.records.length > 0 ? start + o.records.length - 1 : start,
    uri: links.current,
  };
}

export interface ListV1Input extends ListPageInput {
  /** Public origin, e.g. 'http://127.0.0.1:3000'. */
  origin: string;
  /** Product prefix, e.g. '/messaging'. */
  prefix: string;
  /** Path below the prefix, e.g. '/v1/Services'. */
  path: string;
}

/** The v1/v2 list envelope; `meta.*_url` are absolute because the SDK follows them verbatim. */
export function listV1(o: ListV1Input): Record<string, unknown> {
  const links = pageLinks(o.origin + o.prefix + o.path + '?', o);
  return {
    [o.key]: o.records,
    meta: {
      page: o.page,
      page_size: o.pageSize,
      first_page_url: links.first,
      previous_page_url: links.previous,
      next_page_url: links.next,
      key: o.key,
      url: links.current,
    },
  };
}
