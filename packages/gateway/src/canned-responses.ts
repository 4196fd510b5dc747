import { errorResponse, twilioError } from '@twilio-lab/core';
import type { CellResponse } from '@twilio-lab/core';

/** Methods the API serves; everything else is answered 405 with this list. */
export const ALLOWED_METHODS = 'GET, POST, PUT, DELETE';

// Built once: these answers are the same for every request that gets them, and some of them
// (401, 429, 503 while draining) are exactly what a flood of bad traffic receives.

export const UNAUTHORIZED: CellResponse = errorResponse(
  twilioError(20003, undefined, { headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' } }),
);

export const LAB_UNAUTHORIZED: CellResponse = errorResponse(
  twilioError(20003, undefined, {
    headers: { 'WWW-Authenticate': 'Bearer realm="twilio-lab"' },
    detail: 'The lab control API needs Authorization: Bearer <admin token>.',
  }),
);

export const METHOD_NOT_ALLOWED: CellResponse = errorResponse(
  twilioError(20004, undefined, { headers: { Allow: ALLOWED_METHODS } }),
);

export const TOO_LARGE: CellResponse = errorResponse(twilioError(20413));

export const DRAINING: CellResponse = errorResponse(
  twilioError(20503, 'The gateway is shutting down and takes no new requests', {
    headers: { 'Retry-After': '1' },
  }),
);

export const NO_CELL: CellResponse = errorResponse(
  twilioError(20503, 'No cell currently serves this account'),
);

export const ACCOUNT_NOT_ACTIVE: CellResponse = errorResponse(twilioError(20005));

export const HEALTHY: CellResponse = { status: 200, body: '{"status":"ok"}' };
export const HEALTH_DRAINING: CellResponse = { status: 503, body: '{"status":"draining"}' };

const MAX_PRECOMPUTED_RETRY_SECONDS = 60;
const TOO_MANY_REQUESTS: readonly CellResponse[] = Array.from(
  { length: MAX_PRECOMPUTED_RETRY_SECONDS + 1 },
  (_, s) =>
    errorResponse(twilioError(20429, undefined, { headers: { 'Retry-After': String(Math.max(1, s)) } })),
);

/** 429 with `Retry-After` in whole seconds, rounded up, at least 1. */
export function tooManyRequests(retryAfterMs: number): CellResponse {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return (
    TOO_MANY_REQUESTS[seconds] ??
    errorResponse(twilioError(20429, undefined, { headers: { 'Retry-After': String(seconds) } }))
  );
}
