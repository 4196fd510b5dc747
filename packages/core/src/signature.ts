import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookParams = Readonly<Record<string, string | readonly string[]>>;

/** The string Twilio signs: the URL, then each name (sorted) followed by its value(s) (deduplicated, sorted). */
function signedPayload(url: string, params: WebhookParams): string {
  let data = url;
  // Default sort: UTF-16 code-unit order, as the validators in Twilio's libraries use.
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    if (typeof value === 'string') {
      data += name + value;
    } else {
      for (const v of [...new Set(value)].sort()) data += name + v;
    }
  }
  return data;
}

/** X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token. */
export function signWebhook(authToken: string, url: string, params: WebhookParams): string {
  return createHmac('sha1', authToken).update(signedPayload(url, params), 'utf8').digest('base64');
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'https:': '443', 'http:': '80' };

/** The URL as given, without its port, and with the scheme's default port made explicit. */
function urlVariants(url: string): string[] {
  const variants = [url];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return variants;
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (defaultPort === undefined) return variants;
  // WHATWG URL drops a default port, so rebuild the authority by hand to keep other parts as given.
  const authorityEnd = url.indexOf('/', parsed.protocol.length + 2);
  const rest = authorityEnd === -1 ? '' : url.slice(authorityEnd);
  const userinfo = parsed.username
    ? `${parsed.username}${parsed.password ? ':' + parsed.password : ''}@`
    : '';
  const head = `${parsed.protocol}//${userinfo}${parsed.hostname}`;
  const withoutPort = head + rest;
  const withPort = `${head}:${parsed.port || defaultPort}${rest}`;
  for (const v of [withoutPort, withPort]) if (!variants.includes(v)) variants.push(v);
  return variants;
}

function equalConstantTime(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Checks a signature the way Twilio's validators do, accepting the URL with or without its port. */
export function validateWebhookSignature(
  authToken: string,
  signature: string,
  url: string,
  params: WebhookParams,
): boolean {
  let valid = false;
  // Every variant is checked (no early exit) so timing does not reveal which one matched.
  for (const candidate of urlVariants(url)) {
    if (equalConstantTime(signWebhook(authToken, candidate, params), signature)) valid = true;
  }
  return valid;
}

/** Hex SHA-256 of a JSON webhook body, sent as the `bodySHA256` query parameter. */
export function bodySha256(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
