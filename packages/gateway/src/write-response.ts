import type { CellResponse } from '@twilio-lab/core';
import { statusLine } from './status-lines.js';
import type { UwsHttpResponse } from './uws.js';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Content types cells commonly give, mapped to the exact header Twilio sends. */
const CONTENT_TYPE_ON_WIRE: ReadonlyMap<string, string> = new Map([
  ['application/json', JSON_CONTENT_TYPE],
  ['application/json; charset=utf-8', JSON_CONTENT_TYPE],
]);

/** Headers the transport owns: a cell's value would conflict with what uWS writes. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'date',
  'twilio-request-id',
]);

/**
 * Writes one whole response. Must run inside `res.cork` (or the request handler's own
 * synchronous turn) and only while the request is not aborted.
 */
export function writeResponse(
  res: UwsHttpResponse,
  response: CellResponse,
  requestId: string,
  omitBody: boolean,
  closeConnection: boolean,
): void {
  res.writeStatus(statusLine(response.status));
  res.writeHeader('Twilio-Request-Id', requestId);
  let typed = false;
  const headers = response.headers;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (lower === 'content-type') {
        typed = true;
        res.writeHeader('Content-Type', CONTENT_TYPE_ON_WIRE.get(value) ?? value);
      } else if (!TRANSPORT_HEADERS.has(lower)) {
        res.writeHeader(name, value);
      }
    }
  }
  if (!typed && response.body.length > 0) res.writeHeader('Content-Type', JSON_CONTENT_TYPE);
  if (omitBody) res.endWithoutBody(undefined, closeConnection);
  else res.end(response.body, closeConnection);
}
