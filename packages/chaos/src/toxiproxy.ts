/**
 * A small Toxiproxy 2.x REST client over fetch. Every call carries a timeout: Toxiproxy's API is
 * known to hang when toxics are removed under heavy traffic, and a chaos run must never wait
 * forever on its own control plane.
 */
import { ChaosError, errorMessage } from './errors.js';
import type { Stream, ToxicType } from './types.js';

export interface ToxicJson {
  name: string;
  type: ToxicType;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export const DEFAULT_CONTROL_TIMEOUT_MS = 5000;

export class ToxiproxyClient {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs = DEFAULT_CONTROL_TIMEOUT_MS) {
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  async version(): Promise<string> {
    const body = (await this.call('GET', '/version')) as { version?: string };
    return body.version ?? 'unknown';
  }

  /** Every proxy with its toxics, sorted by name. */
  async proxies(): Promise<ProxyJson[]> {
    const body = (await this.call('GET', '/proxies')) as Record<string, ProxyJson>;
    return Object.values(body)
      .map((p) => ({ ...p, toxics: p.toxics ?? [] }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async createProxy(name: string, listen: string, upstream: string): Promise<ProxyJson> {
    return (await this.call('POST', '/proxies', { name, listen, upstream, enabled: true })) as ProxyJson;
  }

  async deleteProxy(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.call('PATCH', `/proxies/${encodeURIComponent(name)}`, { enabled });
  }

  async addToxic(proxy: string, toxic: ToxicJson): Promise<void> {
    await this.call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic);
  }

  /** Removes a toxic; one that is already gone counts as removed (rollback is idempotent). */
  async removeToxic(proxy: string, toxic: string): Promise<void> {
    try {
      await this.call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`);
    } catch (err) {
      if (err instanceof ChaosError && err.code === 'CHAOS_TOXIPROXY_ERROR' && /\b404\b/.test(err.message))
        return;
      throw err;
    }
  }

  /** POST /reset: every proxy enabled, every toxic removed, on the WHOLE server. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        // Toxiproxy rejects browser-looking agents; say who we are.
        headers: {
          'user-agent': 'twilio-lab-chaos',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ChaosError(
          'CHAOS_CONTROL_TIMEOUT',
          `Toxiproxy ${method} ${path} did not answer within ${this.timeoutMs} ms (${this.url}).`,
        );
      }
      throw new ChaosError(
        'CHAOS_TOXIPROXY_UNREACHABLE',
        `Toxiproxy does not answer at ${this.url} (${errorMessage((err as { cause?: unknown }).cause ?? err)}); ` +
          'start one with `twilio-lab infra start toxiproxy` or set TOXIPROXY_URL.',
        { cause: err },
      );
    }
    const text = await res.text();
    if (res.status >= 400) {
      throw new ChaosError(
        'CHAOS_TOXIPROXY_ERROR',
        `Toxiproxy ${method} ${path}: HTTP ${res.status} ${text.trim()}`,
      );
    }
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return {};
    }
  }
}
