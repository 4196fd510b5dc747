import { STATUS_CODES } from 'node:http';

/** 'NNN Reason' for every status, built once: uWS takes the whole status line as a string. */
const STATUS_LINES: readonly string[] = (() => {
  const lines: string[] = [];
  for (let status = 100; status < 600; status++) {
    lines[status] = `${status} ${STATUS_CODES[status] ?? 'Status'}`;
  }
  return lines;
})();

export function statusLine(status: number): string {
  return STATUS_LINES[status] ?? '500 Internal Server Error';
}
