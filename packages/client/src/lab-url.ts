/**
 * The pure URL rewrite behind the lab client: `https://<product>[.<edge>][.<region>].twilio.com/<rest>`
 * becomes `<baseUrl>/<product>/<rest>`. Anything that is not a Twilio host (for instance a
 * `meta.next_page_url` the lab already built from its own origin) is returned untouched.
 */

// Compiled once: the rewrite runs on every request the client makes.
// Group 1 = product label; the optional labels after it are edge/region, which the lab ignores.
const TWILIO_HOST_URL = /^https?:\/\/([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?::\d+)?(?=[/?#]|$)/i;
const TWILIO_HOSTNAME = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.twilio\.com$/i;

/** True for `api.twilio.com`, `messaging.twilio.com`, `api.dublin.ie1.twilio.com`, … */
export function isTwilioHostname(hostname: string): boolean {
  return TWILIO_HOSTNAME.test(hostname);
}

/** `baseUrl` without trailing slashes, so joins never produce `//`. */
export function normalizeBaseUrl(baseUrl: string): string {
  let end = baseUrl.length;
  while (end > 0 && baseUrl.charCodeAt(end - 1) === 0x2f /* '/' */) end--;
  return baseUrl.slice(0, end);
}

export function labUrl(baseUrl: string, twilioUrl: string): string {
  const match = TWILIO_HOST_URL.exec(twilioUrl);
  if (match === null) return twilioUrl;
  const product = (match[1] ?? '').toLowerCase();
  let rest = twilioUrl.slice(match[0].length);
  // Keep the path byte for byte (literal '+' in `/v2/PhoneNumbers/+1415…` must survive).
  if (rest === '' || rest.charCodeAt(0) !== 0x2f) rest = '/' + rest;
  return `${normalizeBaseUrl(baseUrl)}/${product}${rest}`;
}
