const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

// Every resource carries date_created/date_updated, so the same second is formatted many
// times in a row; remembering the last one makes the common case a comparison.
let rfcSecond = Number.NaN;
let rfcText = '';

/** `Fri, 24 May 2019 17:44:46 +0000` — the 2010 API's date format. */
export function rfc2822(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === rfcSecond) return rfcText;
  const d = new Date(second * 1000);
  const text =
    `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
  rfcSecond = second;
  rfcText = text;
  return text;
}

let isoSecond = Number.NaN;
let isoText = '';

/** `2015-07-30T20:12:31Z` — ISO 8601 at seconds precision, as the v1/v2 APIs emit. */
export function iso8601(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === isoSecond) return isoText;
  // toISOString gives `YYYY-MM-DDTHH:mm:ss.sssZ`; drop the milliseconds.
  const text = new Date(second * 1000).toISOString().slice(0, 19) + 'Z';
  isoSecond = second;
  isoText = text;
  return text;
}

const DAY_MS = 86_400_000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HAS_TIME = /\d:\d\d/;
// An ISO date-time without an offset would be read as local time by Date.parse; the API means UTC.
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/**
 * Reads a list filter such as `DateSent=2019-05-24` (that whole UTC day) or a full date-time
 * (that second). Returns a half-open interval [from, to) in epoch ms, or null.
 */
export function parseDateFilter(value: string): { from: number; to: number } | null {
  const day = DATE_ONLY.exec(value);
  if (day) {
    const year = Number(day[1]);
    const month = Number(day[2]);
    const date = Number(day[3]);
    const from = Date.UTC(year, month - 1, date);
    // Date.UTC rolls over (2019-02-30 → March 2); a real calendar date survives the round trip.
    const check = new Date(from);
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) {
      return null;
    }
    return { from, to: from + DAY_MS };
  }
  if (!HAS_TIME.test(value)) return null;
  const parsed = Date.parse(ISO_WITHOUT_ZONE.test(value) ? value + 'Z' : value);
  if (Number.isNaN(parsed)) return null;
  const from = Math.floor(parsed / 1000) * 1000;
  return { from, to: from + 1000 };
}
