import twilio from 'twilio';
import { LabRequestClient } from './lab-request-client.js';
import { isTwilioHostname } from './lab-url.js';

export interface LabClientOptions {
  /** Authenticate with an API key (`SK…` + secret) instead of the account's auth token. */
  apiKey?: { sid: string; secret: string };
  /** Passed through to the official client (`twilio(…, clientOptions)`); `httpClient` is ours. */
  clientOptions?: object;
}

/**
 * The official `twilio` client, pointed at a lab:
 * `const client = labClient('http://127.0.0.1:3000', sid, token)`.
 */
export function labClient(
  baseUrl: string,
  accountSid: string,
  authToken: string,
  options: LabClientOptions = {},
): twilio.Twilio {
  const httpClient = new LabRequestClient(baseUrl);
  const clientOptions: twilio.ClientOpts = { ...options.clientOptions, httpClient };
  const client =
    options.apiKey === undefined
      ? twilio(accountSid, authToken, clientOptions)
      : twilio(options.apiKey.sid, options.apiKey.secret, { ...clientOptions, accountSid });
  // With an edge or region set (option or TWILIO_EDGE/TWILIO_REGION), the SDK rewrites every host
  // name, including lab URLs it follows verbatim (v1 `meta.next_page_url`): `127.0.0.1` would become
  // `127.ie1.0.1`. Only Twilio host names get that treatment here; the lab ignores edge/region anyway.
  const twilioHostname = client.getHostname.bind(client);
  client.getHostname = (hostname, edge, region) =>
    isTwilioHostname(hostname) ? twilioHostname(hostname, edge, region) : hostname;
  return client;
}
