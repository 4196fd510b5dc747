/**
 * Test doubles shared by this package's tests: a minimal identity, a recording logger, and
 * a local HTTP sink whose answers each test scripts. Not part of the public API.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Account, IdentityService } from '@twilio-lab/identity';
import type { Logger } from './types.js';

export const TEST_ACCOUNT_SID = 'AC' + 'a'.repeat(32);
export const TEST_AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

/** Only getAccount is used by the cell runtime; everything else fails loudly. */
export function fakeIdentity(
  accounts: Record<string, string> = { [TEST_ACCOUNT_SID]: TEST_AUTH_TOKEN },
): IdentityService {
  const unsupported = (): never => {
    throw new Error('not supported by the fake identity');
  };
  return {
    async getAccount(sid: string): Promise<Account | undefined> {
      const authToken = accounts[sid];
      if (authToken === undefined) return undefined;
      return {
        sid,
        authToken,
        friendlyName: sid,
        status: 'active',
        ownerAccountSid: sid,
        type: 'Full',
        dateCreated: 0,
        dateUpdated: 0,
      };
    },
    authenticate: unsupported,
    createAccount: unsupported,
    listAccounts: unsupported,
    updateAccount: unsupported,
    mayActFor: unsupported,
    createKey: unsupported,
    getKey: unsupported,
    listKeys: unsupported,
    updateKey: unsupported,
    deleteKey: unsupported,
    claimNumber: unsupported,
    releaseNumber: unsupported,
    numberOwner: unsupported,
    onChange: () => {},
  };
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

export function recordingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (obj: object, msg?: string): void => {
      records.push({ level, obj, msg });
    };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface SinkRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Decides the reply; return null to never answer (a hung endpoint). */
export type SinkBehaviour = (
  req: SinkRequest,
  index: number,
) => { status: number; body?: string; contentType?: string } | null;

export interface Sink {
  readonly origin: string;
  readonly requests: SinkRequest[];
  behaviour: SinkBehaviour;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(behaviour: SinkBehaviour = () => ({ status: 200 })): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const hung: ServerResponse[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: SinkRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.length;
      requests.push(record);
      const reply = sink.behaviour(record, index);
      if (reply === null) {
        hung.push(res);
      } else {
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
        res.end(reply.body ?? '');
      }
      const ready = waiters.filter((w) => requests.length >= w.count);
      waiters = waiters.filter((w) => requests.length < w.count);
      for (const w of ready) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sink: Sink = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    behaviour,
    waitFor(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}

/** A loopback URL nothing listens on (the port was just released). */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
