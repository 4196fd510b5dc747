/** Shared fixtures of the gateway tests (not part of the public API). */
import { openMemoryStore } from '@twilio-lab/backends';
import type { Store } from '@twilio-lab/backends';
import type { CellHandler, CellRequest, CellResponse } from '@twilio-lab/core';
import { createIdentity } from '@twilio-lab/identity';
import type { Account, Identity } from '@twilio-lab/identity';
import { createGateway } from './gateway.js';
import type { CellRouter, Gateway, GatewayOptions } from './gateway.js';

/** A cell that records what reached it and echoes the essentials back. */
export class RecordingCell implements CellHandler {
  readonly cellId = 'cell-test';
  readonly requests: CellRequest[] = [];
  respond: (req: CellRequest) => Promise<CellResponse> = async (req) => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'X-Cell': this.cellId },
    body: JSON.stringify({ path: req.path, accountSid: req.accountSid }),
  });

  handle(req: CellRequest): Promise<CellResponse> {
    this.requests.push(req);
    return this.respond(req);
  }
}

export class FakeRouter implements CellRouter {
  readonly cell = new RecordingCell();
  /** Accounts with no cell (to exercise 503). */
  readonly unplaced = new Set<string>();

  cellFor(accountSid: string): CellHandler | undefined {
    return this.unplaced.has(accountSid) ? undefined : this.cell;
  }
}

export interface Harness {
  store: Store;
  identity: Identity;
  router: FakeRouter;
  gateway: Gateway;
  base: string;
  main: Account;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<GatewayOptions> = {}): Promise<Harness> {
  const store = await openMemoryStore();
  const identity = await createIdentity(store);
  const main = await identity.createAccount({ friendlyName: 'Main' });
  const router = new FakeRouter();
  const gateway = await createGateway({ identity, router, host: '127.0.0.1', port: 0, ...options });
  const port = await gateway.listen();
  return {
    store,
    identity,
    router,
    gateway,
    base: `http://127.0.0.1:${port}`,
    main,
    async close() {
      await gateway.close();
      await store.close();
    },
  };
}

export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

export function authOf(account: Account): string {
  return basic(account.sid, account.authToken);
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function call(
  url: string,
  o: { method?: string; auth?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.auth !== undefined) headers.authorization = o.auth;
  if (o.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method: o.method ?? 'GET', headers, body: o.body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  if (text !== '') {
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON: tests look at text */
    }
  }
  return { status: res.status, headers: res.headers, text, json };
}
