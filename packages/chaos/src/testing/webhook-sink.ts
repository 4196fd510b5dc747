/** Test support: an HTTP endpoint playing the customer's app; records every callback with its arrival time. */
import { createServer, type Server } from 'node:http';

export interface Hook {
  path: string;
  params: Record<string, string>;
  at: number;
}

export class WebhookSink {
  readonly received: Hook[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        this.received.push({ path: new URL(req.url ?? '/', 'http://sink').pathname, params, at: Date.now() });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }
}

export function projectFile(relative: string): string {
  return new URL(`../../../../${relative}`, import.meta.url).pathname;
}
