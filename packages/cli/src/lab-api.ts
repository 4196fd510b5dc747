/**
 * A small client for the lab control API (`/lab/v1/…`, admin token as a Bearer token). Every failure
 * becomes a CliError whose message tells the user what to do next.
 */
import { CliError } from './errors.js';

export interface LabStatus {
  pid: number;
  uptime_s: number;
  rss_bytes: number;
  messages: Record<string, number>;
  webhooks: { pending: number; dead_letters: number };
  queue_lag: number;
  [extra: string]: unknown;
}

export interface HandsetMessage {
  direction: string;
  from: string;
  to: string;
  body: string;
  media_urls: string[];
  carrier: string | null;
  message_sid: string | null;
  date: string;
  [extra: string]: unknown;
}

export interface DeadLetter {
  id: string | number;
  account_sid: string;
  kind: string;
  resource_sid: string;
  url: string;
  method: string;
  attempts: number;
  last_error: string | null;
  date_created: string;
  [extra: string]: unknown;
}

export interface CarrierInfo {
  name: string;
  region: string;
  prefixes: string[];
  bound: number;
  submitted: number;
  delivered: number;
  failed: number;
  throttled: number;
  address: string | null;
  [extra: string]: unknown;
}

export interface SendFromHandset {
  to: string;
  body: string;
  mediaUrls?: readonly string[];
}

export interface LabApiOptions {
  /** Per-request budget; the control API answers from memory, so a slow answer means trouble. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

// Network errors (undici puts the system code on `cause`) that mean "nothing is listening there".
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

export class LabApi {
  readonly baseUrl: string;
  readonly #adminToken: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: string, adminToken: string, options: LabApiOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#adminToken = adminToken;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  status(): Promise<LabStatus> {
    return this.#request<LabStatus>('GET', '/lab/v1/Status');
  }

  async handsetInbox(e164: string, since?: number): Promise<HandsetMessage[]> {
    const query = since === undefined ? '' : `?Since=${since}`;
    const page = await this.#request<{ messages: HandsetMessage[] }>(
      'GET',
      `/lab/v1/Handsets/${encodeURIComponent(e164)}/Messages${query}`,
    );
    return page.messages;
  }

  handsetSend(from: string, message: SendFromHandset): Promise<HandsetMessage> {
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    for (const url of message.mediaUrls ?? []) form.append('MediaUrl', url);
    return this.#request<HandsetMessage>(
      'POST',
      `/lab/v1/Handsets/${encodeURIComponent(from)}/Messages`,
      form,
    );
  }

  async deadLetters(accountSid?: string): Promise<DeadLetter[]> {
    const query = accountSid === undefined ? '' : `?AccountSid=${encodeURIComponent(accountSid)}`;
    const page = await this.#request<{ dead_letters: DeadLetter[] }>('GET', `/lab/v1/DeadLetters${query}`);
    return page.dead_letters;
  }

  async carriers(): Promise<CarrierInfo[]> {
    const page = await this.#request<{ carriers: CarrierInfo[] }>('GET', '/lab/v1/Carriers');
    return page.carriers;
  }

  async #request<T>(method: 'GET' | 'POST', path: string, form?: URLSearchParams): Promise<T> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#adminToken}`,
      accept: 'application/json',
    };
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        ...(form === undefined ? {} : { body: form.toString() }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw this.#networkError(err);
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status === 401 || res.status === 403) {
      throw new CliError(
        'LAB_UNAUTHORIZED',
        `The lab at ${this.baseUrl} refused the admin token; pass the one \`twilio-lab up\` printed ` +
          '(--admin-token or TWILIO_LAB_ADMIN_TOKEN).',
        { twilioCode: twilioCodeOf(body) },
      );
    }
    if (res.status < 200 || res.status > 299) {
      const detail = messageOf(body) ?? `HTTP ${res.status}`;
      throw new CliError('LAB_REQUEST_FAILED', `${method} ${path} failed: ${detail}`, {
        twilioCode: twilioCodeOf(body),
      });
    }
    if (body === undefined || typeof body !== 'object' || body === null) {
      throw new CliError(
        'LAB_BAD_RESPONSE',
        `The server at ${this.baseUrl} did not answer ${path} with JSON; is it a twilio-lab?`,
      );
    }
    return body as T;
  }

  #networkError(err: unknown): CliError {
    if ((err as { name?: unknown } | null)?.name === 'TimeoutError') {
      return new CliError(
        'LAB_TIMEOUT',
        `The lab at ${this.baseUrl} did not answer within ${this.#timeoutMs} ms; it may be overloaded or stuck.`,
        { cause: err },
      );
    }
    const code = causeCode(err);
    if (code === undefined || UNREACHABLE_CODES.has(code)) {
      return new CliError(
        'LAB_UNREACHABLE',
        `The lab at ${this.baseUrl} is not answering; is \`twilio-lab up\` running?`,
        { cause: err },
      );
    }
    return new CliError('LAB_UNREACHABLE', `Cannot reach the lab at ${this.baseUrl} (${code}).`, {
      cause: err,
    });
  }
}

function messageOf(body: unknown): string | undefined {
  const b = body as { message?: unknown; code?: unknown } | undefined;
  if (typeof b?.message !== 'string') return undefined;
  return typeof b.code === 'number' ? `${b.message} (code ${b.code})` : b.message;
}

function twilioCodeOf(body: unknown): number | undefined {
  const code = (body as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
