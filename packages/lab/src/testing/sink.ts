/**
 * A local HTTP endpoint that plays the customer's application in integration tests: records
 * every webhook it receives (with the raw form parameters and headers) and answers with a
 * configurable status and body (TwiML for inbound-message webhooks).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FormParams } from '@twilio-lab/core';

export interface ReceivedHook {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  at: number;
}

export interface Reply {
  status: number;
  contentType?: string;
  body?: string;
}

export class WebhookSink {
  readonly received: ReceivedHook[] = [];
  private readonly replies = new Map<string, (hook: ReceivedHook) => Reply>();
  private waiters: { predicate: (h: ReceivedHook) => boolean; resolve: (h: ReceivedHook) => void }[] = [];
  private server!: Server;
  url = '';

  /** Answer requests to `path` with `reply` (default: 200, empty body). */
  on(path: string, reply: (hook: ReceivedHook) => Reply): void {
    this.replies.set(path, reply);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://sink');
        const text = req.method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8');
        const hook: ReceivedHook = {
          path: url.pathname,
          method: req.method ?? 'GET',
          headers: req.headers,
          params: FormParams.parse(text).toObject(),
          at: Date.now(),
        };
        this.received.push(hook);
        const reply = this.replies.get(url.pathname)?.(hook) ?? { status: 200 };
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
        res.end(reply.body ?? '');
        this.waiters = this.waiters.filter((w) => {
          if (!w.predicate(hook)) return true;
          w.resolve(hook);
          return false;
        });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves with the first hook (already received or future) that matches, or rejects after timeoutMs. */
  waitFor(predicate: (h: ReceivedHook) => boolean, timeoutMs = 10_000): Promise<ReceivedHook> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching webhook within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (h) => {
          clearTimeout(timer);
          resolve(h);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
