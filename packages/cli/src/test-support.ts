/** Test helpers: a loopback fake of the lab control API that records what it was asked. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

export type FakeHandler = (req: RecordedRequest) => { status: number; body: unknown; raw?: boolean };

export interface FakeLab {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeLab(handler: FakeHandler): Promise<FakeLab> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = handler(recorded);
      res.writeHead(answer.status, { 'content-type': answer.raw ? 'text/plain' : 'application/json' });
      res.end(answer.raw ? String(answer.body) : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that nothing listens on: bind an ephemeral one, then release it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const SAMPLE_STATUS = {
  pid: 4242,
  uptime_s: 12,
  rss_bytes: 150 * 1024 * 1024,
  messages: { accepted: 0, queued: 1, sent: 2, delivered: 7, failed: 1, received: 3, total: 14 },
  webhooks: { pending: 0, dead_letters: 1 },
  queue_lag: 0,
};

export const SAMPLE_MESSAGE = {
  direction: 'mt',
  from: '+15005550006',
  to: '+15558675310',
  body: 'Your code is 1234',
  media_urls: [] as string[],
  carrier: 'us-mobile',
  message_sid: 'SM' + 'a'.repeat(32),
  date: '2024-05-01T12:00:00Z',
};
