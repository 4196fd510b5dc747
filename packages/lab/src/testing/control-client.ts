/** Minimal lab control API client for tests: handsets and status over HTTP with the admin token. */
export interface HandsetMessageJson {
  direction: 'in' | 'out';
  from: string;
  to: string;
  body: string;
  media_urls: string[];
  carrier: string;
  message_sid: string | null;
  date: string;
}

export class ControlClient {
  constructor(
    private readonly baseUrl: string,
    private readonly adminToken: string,
  ) {}

  private async call(method: string, path: string, form?: Record<string, string>): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}/lab/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminToken}`,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const body = (await res.json()) as unknown;
    if (res.status >= 400)
      throw Object.assign(new Error(`lab control ${method} ${path}: ${res.status}`), { body });
    return body;
  }

  async inbox(e164: string): Promise<HandsetMessageJson[]> {
    const body = (await this.call('GET', `/Handsets/${encodeURIComponent(e164)}/Messages`)) as {
      messages: HandsetMessageJson[];
    };
    return body.messages;
  }

  async send(from: string, to: string, text: string): Promise<HandsetMessageJson> {
    return (await this.call('POST', `/Handsets/${encodeURIComponent(from)}/Messages`, {
      To: to,
      Body: text,
    })) as HandsetMessageJson;
  }

  async status(): Promise<{
    messages: Record<string, number>;
    webhooks: { pending: number; dead_letters: number };
  }> {
    return (await this.call('GET', '/Status')) as {
      messages: Record<string, number>;
      webhooks: { pending: number; dead_letters: number };
    };
  }

  /** Polls until `check` returns a value (not undefined), up to timeoutMs. */
  async until<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, label = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${label} not reached within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
