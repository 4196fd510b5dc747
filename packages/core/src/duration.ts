/**
 * k6 duration strings ('30s', '1m30s', '500ms', '1h', '1.5s') to milliseconds. The grammar is
 * one or more `<number><unit>` parts with units from largest to smallest; a bare number is
 * rejected because k6 files always carry a unit and a unitless '30' is ambiguous.
 */

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
const UNIT_ORDER: readonly string[] = ['h', 'm', 's', 'ms', 'us'];
const PART = /(\d+(?:\.\d+)?)(ms|us|h|m|s)/y;

/** The JSON Schema pattern that matches the same strings (for editors; parsing is done here). */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(h|m|s|ms|us))+$';

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let lastUnit = -1;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null || match.index !== start) return undefined;
    const unit = match[2] as string;
    const rank = UNIT_ORDER.indexOf(unit);
    // '30s1m' is almost certainly a typo; k6 accepts it, but an error here is kinder.
    if (rank <= lastUnit) return undefined;
    lastUnit = rank;
    total += Number(match[1]) * (UNIT_MS[unit] as number);
  }
  return total;
}

/** '90000' ms -> '1m30s'; used when printing normalised durations back to people. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      out += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  if (rest > 0) out += `${Math.round(rest * 1000) / 1000}ms`;
  return out;
}
