/**
 * Raw request path → route template, the only form of a path a metric label may carry:
 * `/2010-04-01/Accounts/AC…/Messages/SM….json` → `/2010-04-01/Accounts/{AC}/Messages/{SM}.json`.
 * Identifiers become placeholders so that the set of values stays bounded whatever clients send.
 *
 * Runs on every gateway request, so it is a hand-written scan: no regex, no split/join, and no
 * new string at all when the path has nothing to replace.
 */

/** What every segment that is neither a name nor a known kind of identifier becomes. */
export const VALUE_PLACEHOLDER = '{value}';
export const PHONE_NUMBER_PLACEHOLDER = '{PhoneNumber}';
export const NUMBER_PLACEHOLDER = '{n}';

/** A name segment longer than this is treated as a value (names are short; tokens are long). */
const MAX_NAME_LENGTH = 48;
const MAX_NAME_DIGITS = 6;
const SID_LENGTH = 34;

const C_0 = 48;
const C_9 = 57;
const C_A = 65;
const C_Z = 90;
const C_a = 97;
const C_f = 102;
const C_z = 122;
const C_PLUS = 43;
const C_MINUS = 45;
const C_DOT = 46;
const C_UNDERSCORE = 95;
const C_PERCENT = 37;

const isDigit = (c: number): boolean => c >= C_0 && c <= C_9;
const isUpper = (c: number): boolean => c >= C_A && c <= C_Z;
const isLetter = (c: number): boolean => isUpper(c) || (c >= C_a && c <= C_z);
const isLowerHex = (c: number): boolean => isDigit(c) || (c >= C_a && c <= C_f);

/** Length of a '.json' / '.xml' / '.csv' suffix ending at `end`, else 0. */
function extensionLength(path: string, start: number, end: number): number {
  if (end - start > 5 && path.charCodeAt(end - 5) === C_DOT && path.endsWith('json', end)) return 5;
  if (end - start > 4 && path.charCodeAt(end - 4) === C_DOT) {
    if (path.endsWith('xml', end) || path.endsWith('csv', end)) return 4;
  }
  return 0;
}

function isSid(path: string, start: number, end: number): boolean {
  if (end - start !== SID_LENGTH) return false;
  if (!isUpper(path.charCodeAt(start)) || !isUpper(path.charCodeAt(start + 1))) return false;
  for (let i = start + 2; i < end; i++) if (!isLowerHex(path.charCodeAt(i))) return false;
  return true;
}

function allDigits(path: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) if (!isDigit(path.charCodeAt(i))) return false;
  return true;
}

/** '+15551234567' or '%2B15551234567' (6 to 15 digits). */
function isPhoneNumber(path: string, start: number, end: number): boolean {
  let digits = start;
  if (path.charCodeAt(start) === C_PLUS) digits = start + 1;
  else if (path.charCodeAt(start) === C_PERCENT && path.startsWith('2', start + 1)) {
    const b = path.charCodeAt(start + 2);
    if (b !== 66 && b !== 98) return false; // 'B' or 'b'
    digits = start + 3;
  } else return false;
  const n = end - digits;
  return n >= 6 && n <= 15 && allDigits(path, digits, end);
}

/** 'Messages', 'v1', 'IncomingPhoneNumbers', 'Toll-Free', or an API date such as '2010-04-01'. */
function isName(path: string, start: number, end: number): boolean {
  const n = end - start;
  if (n > MAX_NAME_LENGTH) return false;
  if (n === 10 && path.charCodeAt(start + 4) === C_MINUS && path.charCodeAt(start + 7) === C_MINUS) {
    return (
      allDigits(path, start, start + 4) &&
      allDigits(path, start + 5, start + 7) &&
      allDigits(path, start + 8, end)
    );
  }
  if (!isLetter(path.charCodeAt(start))) return false;
  let digits = 0;
  for (let i = start + 1; i < end; i++) {
    const c = path.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (!(isLetter(c) || c === C_MINUS || c === C_UNDERSCORE || c === C_DOT)) return false;
  }
  // Resource names carry few digits ('v1', 'E164'); a run of them means a token or an id.
  return digits < MAX_NAME_DIGITS;
}

/** The template of one segment (without its extension), or null when it stays as is. */
function placeholder(path: string, start: number, end: number): string | null {
  if (isSid(path, start, end)) return `{${path.slice(start, start + 2)}}`;
  if (isPhoneNumber(path, start, end)) return PHONE_NUMBER_PLACEHOLDER;
  if (allDigits(path, start, end)) return end - start >= 7 ? PHONE_NUMBER_PLACEHOLDER : NUMBER_PLACEHOLDER;
  if (isName(path, start, end)) return null;
  return VALUE_PLACEHOLDER;
}

/**
 * The template of a raw (still percent-encoded) path without its query. Names that are not
 * identifiers stay as they are (a Conversations unique name looks like one): callers that take
 * paths from clients also cap how many templates they keep (see RouteTemplateCache).
 */
export function routeTemplate(path: string): string {
  let out: string | undefined;
  /** End of the part of `path` already copied to `out`. */
  let copied = 0;
  let start = path.charCodeAt(0) === 47 ? 1 : 0;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    if (end > start) {
      const stemEnd = end - extensionLength(path, start, end);
      const replacement = placeholder(path, start, stemEnd);
      if (replacement !== null) {
        out = (out ?? '') + path.slice(copied, start) + replacement;
        copied = stemEnd;
      }
    }
    start = end + 1;
  }
  return out === undefined ? path : out + path.slice(copied);
}

/** The label every path gets once a cache holds its maximum of templates. */
export const OTHER_ROUTE = '_other';

/**
 * Raw path → something per template (e.g. pre-resolved metric children). Bounded twice: at most
 * `maxTemplates` templates (then OTHER_ROUTE), so a client inventing paths cannot grow it; and a
 * memo of at most `maxPaths` raw paths (cleared when full), which makes the common case (the same
 * account posting to the same resource) a single Map lookup.
 */
export class RouteTemplateCache<T> {
  private readonly byTemplate = new Map<string, T>();
  private byPath = new Map<string, T>();

  constructor(
    private readonly build: (template: string) => T,
    private readonly maxTemplates = 500,
    private readonly maxPaths = 4_096,
  ) {}

  get(path: string): T {
    const hit = this.byPath.get(path);
    if (hit !== undefined) return hit;
    const template = routeTemplate(path);
    const entry =
      this.byTemplate.get(template) ??
      this.add(this.byTemplate.size >= this.maxTemplates ? OTHER_ROUTE : template);
    // A new Map rather than clear(): clearing walks every entry.
    if (this.byPath.size >= this.maxPaths) this.byPath = new Map();
    this.byPath.set(path, entry);
    return entry;
  }

  private add(template: string): T {
    let entry = this.byTemplate.get(template);
    if (entry === undefined) {
      entry = this.build(template);
      this.byTemplate.set(template, entry);
    }
    return entry;
  }

  /** Templates seen so far (OTHER_ROUTE included once reached). */
  get templates(): number {
    return this.byTemplate.size;
  }
}
