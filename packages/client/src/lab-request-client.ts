import twilio from 'twilio';
// Type-only: the option types live on the RequestClient namespace, which the SDK's root typings
// do not re-export. Nothing from this path is loaded at runtime.
import type SdkRequestClient from 'twilio/lib/base/RequestClient.js';
import { labUrl, normalizeBaseUrl } from './lab-url.js';

// `twilio` is CommonJS with `export =`; its RequestClient is only reachable through the default export.
const { RequestClient } = twilio;

export type RequestClientOptions = SdkRequestClient.RequestClientOptions;
export type RequestOptions<TData = unknown> = SdkRequestClient.RequestOptions<TData>;

/**
 * A RequestClient that sends every Twilio API call to the lab. Only the URL changes: auth,
 * headers, form encoding, retries and timeouts stay the official client's own.
 */
export class LabRequestClient extends RequestClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, options?: RequestClientOptions) {
    super(options);
    this.baseUrl = normalizeBaseUrl(baseUrl);
  }

  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: labUrl(this.baseUrl, opts.uri) });
  }
}
