/** Durations: parsing is shared with bench scenarios (@twilio-lab/core); formatMs is for chaos reports. */
export { DURATION_PATTERN, parseDuration } from '@twilio-lab/core';

/** 1500 -> '1.5s', 90000 -> '1m30s': for reports. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
