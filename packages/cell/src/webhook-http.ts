/**
 * One signed webhook request on the wire: URL and body layout, Twilio's outbound headers,
 * and a send over a shared keep-alive undici Agent with a hard per-attempt deadline.
 */
import { encodeForm, signWebhook } from '@twilio-lab/core';
import type { Agent } from 'undici';

export interface WebhookCall {
  url: string;
  method: 'GET' | 'POST';
  params: Readonly<Record<string, string>>;
  idempotencyToken: string;
  requestId: string | null;
}

export interface SignedRequest {
  origin: string;
  /** Path plus query, as sent on the request line. */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

export interface WebhookReply {
  status: number;
  contentType: string;
  body: string;
}

/** A failure before any HTTP status arrived; `connect` marks refusals/resets worth one immediate retry. */
export class WebhookTransportError extends Error {
  readonly code = 'WEBHOOK_TRANSPORT';
  constructor(
    message: string,
    readonly timedOut: boolean,
    readonly connect: boolean,
  ) {
    super(message);
    this.name = 'WebhookTransportError';
  }
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=UTF-8';
const USER_AGENT = 'TwilioProxy/1.1';
/** Callback replies are discarded; past this size the socket is dropped rather than drained. */
const MAX_DISCARDED_REPLY_BYTES = 1024 * 1024;

/** Only absolute http(s) URLs can be called back; anything else fails without retries. */
export function parseWebhookUrl(url: string): URL | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
}

/**
 * POST: params form-encoded in the body, signature over URL + sorted params.
 * GET: params appended to the query, signature over that full URL alone. The fragment never
 * reaches the server, so it is neither sent nor signed.
 */
export function buildSignedRequest(
  call: WebhookCall,
  target: URL,
  authToken: string,
  region: string,
): SignedRequest {
  const base = target.origin + target.pathname + target.search;
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    'i-twilio-idempotency-token': call.idempotencyToken,
    'x-home-region': region,
  };
  if (call.requestId !== null) headers['twilio-request-id'] = call.requestId;

  if (call.method === 'GET') {
    const encoded = encodeForm(call.params);
    const signedUrl = encoded.length === 0 ? base : base + (target.search.length > 0 ? '&' : '?') + encoded;
    headers['x-twilio-signature'] = signWebhook(authToken, signedUrl, {});
    return {
      origin: target.origin,
      path: signedUrl.slice(target.origin.length),
      method: 'GET',
      headers,
      body: undefined,
    };
  }
  headers['content-type'] = FORM_CONTENT_TYPE;
  headers['x-twilio-signature'] = signWebhook(authToken, base, call.params);
  const body = encodeForm(call.params);
  return { origin: target.origin, path: base.slice(target.origin.length), method: 'POST', headers, body };
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function describe(e: unknown): { message: string; connect: boolean } {
  const err = e as {
    code?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  } | null;
  const code =
    typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : '';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return { message: code !== '' ? `${code}: ${message}` : message, connect: CONNECT_CODES.has(code) };
}

/**
 * Sends the request and reads (or discards) the reply. Every failure before a status
 * arrives — refused, reset, DNS, deadline — becomes a WebhookTransportError.
 */
export async function sendSigned(
  agent: Agent,
  request: SignedRequest,
  timeoutMs: number,
  readBody: boolean,
): Promise<WebhookReply> {
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  timer.unref();
  try {
    const res = await agent.request({
      origin: request.origin,
      path: request.path,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: abort.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const contentTypeHeader = res.headers['content-type'];
    const contentType = Array.isArray(contentTypeHeader)
      ? (contentTypeHeader[0] ?? '')
      : (contentTypeHeader ?? '');
    let body = '';
    if (readBody) {
      body = await res.body.text();
    } else {
      // Reading the reply to its end returns the socket to the keep-alive pool.
      await res.body.dump({ limit: MAX_DISCARDED_REPLY_BYTES });
    }
    return { status: res.statusCode, contentType, body };
  } catch (e) {
    if (timedOut) throw new WebhookTransportError(`no response within ${timeoutMs} ms`, true, false);
    const { message, connect } = describe(e);
    const headersTimeout =
      message.includes('UND_ERR_HEADERS_TIMEOUT') || message.includes('UND_ERR_BODY_TIMEOUT');
    throw new WebhookTransportError(message, headersTimeout, connect);
  } finally {
    clearTimeout(timer);
  }
}
