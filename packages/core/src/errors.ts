import type { CellResponse } from './wire.js';

export interface CatalogueEntry {
  readonly status: number;
  readonly message: string;
  /** Extra explanation some Twilio errors carry in a `detail` field (e.g. 20003). */
  readonly detail?: string;
}

/**
 * Twilio error codes the lab emits, with the HTTP status and default message of each.
 * Codes are Twilio's (https://www.twilio.com/docs/errors/<code>); messages are the lab's own
 * wording except where clients are known to depend on the exact text.
 */
export const ERROR_CATALOGUE: Readonly<Record<number, CatalogueEntry>> = Object.freeze({
  // TwiML fetch and parse
  11200: { status: 502, message: 'HTTP retrieval failure' },
  12100: { status: 400, message: 'Document parse failure' },
  // Platform
  20001: { status: 400, message: 'Invalid parameter' },
  20003: { status: 401, message: 'Authenticate', detail: 'Your AccountSid or AuthToken was incorrect.' },
  20004: { status: 405, message: 'Method not allowed' },
  20005: { status: 403, message: 'Account is not active' },
  20008: { status: 403, message: 'This resource cannot be accessed with test credentials' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20413: { status: 413, message: 'Request entity too large' },
  20429: { status: 429, message: 'Too many requests' },
  20500: { status: 500, message: 'An internal server error has occurred' },
  20503: { status: 503, message: 'Service unavailable' },
  // Calls and phone numbers
  21201: { status: 400, message: "No 'To' number is specified" },
  21211: { status: 400, message: "The 'To' number is not a valid phone number" },
  21212: { status: 400, message: "The 'From' number is not a valid phone number" },
  21213: { status: 400, message: "No 'From' number is specified" },
  21408: { status: 400, message: 'Permission to send to this region has not been enabled' },
  21421: { status: 400, message: 'The phone number is invalid' },
  21422: { status: 400, message: 'The phone number is not available' },
  // Messaging
  21452: { status: 400, message: 'The Messaging Service has no phone numbers in its sender pool' },
  21601: { status: 400, message: 'The phone number is not a valid SMS-capable inbound number' },
  21602: { status: 400, message: 'A message body or media URL is required' },
  21603: { status: 400, message: "A 'From' number or a 'MessagingServiceSid' is required" },
  21604: { status: 400, message: "A 'To' number is required" },
  21606: {
    status: 400,
    message: "The 'From' number is not a valid, SMS-capable number owned by the account",
  },
  21610: { status: 400, message: 'The recipient has unsubscribed from messages sent by this sender' },
  21611: { status: 400, message: "The 'From' number has too many messages queued" },
  21612: { status: 400, message: "The message cannot be routed between the 'To' and 'From' numbers" },
  21614: { status: 400, message: "The 'To' number is not a mobile number" },
  21617: { status: 400, message: 'The message body exceeds the 1600 character limit' },
  21620: { status: 400, message: 'The media URL is invalid' },
  21623: { status: 400, message: 'Too many media URLs: at most 10 are allowed' },
  35111: { status: 400, message: 'SendAt is invalid' },
  35114: { status: 400, message: 'Scheduling a message requires a MessagingServiceSid' },
  35118: { status: 400, message: 'MessagingServiceSid is required to schedule a message' },
  // Delivery outcomes (reported in error_code / ErrorCode, not as HTTP responses)
  30001: { status: 400, message: 'Queue overflow' },
  30003: { status: 400, message: 'Unreachable destination handset' },
  30005: { status: 400, message: 'Unknown destination handset' },
  30006: { status: 400, message: 'Landline or unreachable carrier' },
  30007: { status: 400, message: 'Message filtered' },
  30008: { status: 400, message: 'Unknown error' },
  30034: { status: 400, message: 'Message from an unregistered number' },
  // Verify v2
  60200: { status: 400, message: 'Invalid parameter' },
  60202: { status: 429, message: 'Max check attempts reached' },
  60203: { status: 429, message: 'Max send attempts reached' },
  60205: { status: 400, message: 'SMS is not supported by landline phone number' },
  60212: { status: 429, message: 'Too many concurrent requests for phone number' },
  60410: { status: 403, message: 'Verification delivery attempt blocked' },
});

const MORE_INFO_BASE = 'https://www.twilio.com/docs/errors/';

export interface TwilioErrorOptions {
  status?: number;
  headers?: Record<string, string>;
  detail?: string;
}

/** An error with Twilio's code and HTTP status; rendered as Twilio's legacy error body. */
export class TwilioError extends Error {
  readonly code: number;
  readonly status: number;
  readonly moreInfo: string;
  readonly headers: Record<string, string>;
  readonly detail?: string;

  constructor(
    code: number,
    message: string,
    status: number,
    headers?: Record<string, string>,
    detail?: string,
  ) {
    super(message);
    this.name = 'TwilioError';
    this.code = code;
    this.status = status;
    this.moreInfo = MORE_INFO_BASE + code;
    this.headers = headers ?? {};
    if (detail !== undefined) this.detail = detail;
  }
}

/** Builds a TwilioError; status, message and detail default to the catalogue entry for `code`. */
export function twilioError(code: number, message?: string, options?: TwilioErrorOptions): TwilioError {
  const entry = ERROR_CATALOGUE[code];
  return new TwilioError(
    code,
    message ?? entry?.message ?? `Error ${code}`,
    options?.status ?? entry?.status ?? 400,
    options?.headers,
    options?.detail ?? entry?.detail,
  );
}

/** Twilio's legacy error body. `type`/`title` are never emitted: they switch the SDK to another exception class. */
export function errorBody(err: TwilioError): string {
  const body: { code: number; message: string; more_info: string; status: number; detail?: string } = {
    code: err.code,
    message: err.message,
    more_info: err.moreInfo,
    status: err.status,
  };
  if (err.detail !== undefined) body.detail = err.detail;
  return JSON.stringify(body);
}

export function errorResponse(err: TwilioError): CellResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', ...err.headers },
    body: errorBody(err),
  };
}

/** Any thrown value → a response. Non-Twilio errors become a bare 20500 so internals never leak. */
export function toErrorResponse(e: unknown): CellResponse {
  return errorResponse(e instanceof TwilioError ? e : twilioError(20500));
}

export function notFound(path: string): TwilioError {
  return twilioError(20404, `The requested resource ${path} was not found`);
}
