/**
 * Durations as the bench scenarios write them (k6 style: '500ms', '30s', '1m30s', '1h'), so a
 * fault timeline reads the same in an experiment file and in a scenario's `faults`.
 */
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const UNIT_ORDER: readonly string[] = ['h', 'm', 's', 'ms'];
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(h|m|s|ms))+$';

/** Milliseconds, or undefined when `text` is not a duration (a bare number has no unit: rejected). */
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
    if (rank <= lastUnit) return undefined;
    lastUnit = rank;
    total += Number(match[1]) * (UNIT_MS[unit] as number);
  }
  return total;
}

/** 1500 -> '1.5s', 90000 -> '1m30s': for reports. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
