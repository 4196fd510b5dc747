import type { CellResponse } from './wire.js';

const JSON_CONTENT_TYPE = 'application/json';

/** A JSON response; `body === undefined` gives an empty body (e.g. for 204). */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): CellResponse {
  if (body === undefined) return headers ? { status, headers, body: '' } : { status, body: '' };
  return {
    status,
    headers: headers
      ? { 'content-type': JSON_CONTENT_TYPE, ...headers }
      : { 'content-type': JSON_CONTENT_TYPE },
    body: JSON.stringify(body),
  };
}
