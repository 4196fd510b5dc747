/**
 * Test harnesses of this package (not part of its public API): a real cell hosting the lookup
 * module on embedded backends, and the same cell behind a real gateway for the official client.
 */
import { createMemoryCache, createMemoryQueue, openMemoryStore } from '@twilio-lab/backends';
import type { Cache, Store } from '@twilio-lab/backends';
import { createCell, createCellContext, createLogger, createWebhookDispatcher } from '@twilio-lab/cell';
import type { Cell } from '@twilio-lab/cell';
import type { CellRequest, CellResponse } from '@twilio-lab/core';
import { createGateway } from '@twilio-lab/gateway';
import type { Gateway } from '@twilio-lab/gateway';
import { createIdentity } from '@twilio-lab/identity';
import type { Account, Identity } from '@twilio-lab/identity';
import type { SuperNetwork } from '@twilio-lab/super-network';
import { lookupModule } from '../module.js';
import type { LookupOptions } from '../module.js';

export const TEST_ORIGIN = 'http://127.0.0.1:3000';

/** Lookup never sends: any use of the super-network is a bug the test should see. */
const NO_SUPER_NETWORK: SuperNetwork = {
  submit: () => Promise.reject(new Error('lookup must not submit SMS')),
  onReceipt: () => {},
  onInbound: () => {},
  get handsets(): never {
    throw new Error('lookup has no use for handsets');
  },
  carriers: () => [],
  close: async () => {},
};

export interface LookupReply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Record<string, unknown>;
}

export interface CellHarness {
  cell: Cell;
  cache: Cache;
  identity: Identity;
  account: Account;
  other: Account;
  /** GET /v2/PhoneNumbers/<number> with the raw query string given. */
  lookup(
    number: string,
    query?: string,
    options?: { accountSid?: string; origin?: string },
  ): Promise<LookupReply>;
  close(): Promise<void>;
}

export interface CellHarnessOptions {
  lookup?: LookupOptions;
  /** Wraps the memory cache (to observe or script it). */
  cache?: (inner: Cache) => Cache;
}

interface Parts {
  store: Store;
  identity: Identity;
  cache: Cache;
  cell: Cell;
  stopWebhooks(): Promise<void>;
}

async function startParts(options: CellHarnessOptions): Promise<Parts> {
  const store = await openMemoryStore();
  const identity = await createIdentity(store);
  const inner = createMemoryCache();
  const cache = options.cache ? options.cache(inner) : inner;
  const log = createLogger({ level: 'silent', name: 'lookup-test' });
  const webhooks = createWebhookDispatcher({ store, identity, log });
  const cell = createCell({
    context: createCellContext({
      config: { cellId: 'cell-lookup', region: 'us1', profile: 'lab' },
      store,
      queue: createMemoryQueue(),
      cache,
      identity,
      superNetwork: NO_SUPER_NETWORK,
      webhooks,
      log,
    }),
    modules: [lookupModule(options.lookup)],
  });
  await cell.start();
  return { store, identity, cache, cell, stopWebhooks: () => webhooks.stop() };
}

async function closeParts(parts: Parts): Promise<void> {
  await parts.cell.stop(1000);
  await parts.stopWebhooks();
  await parts.cache.close();
  await parts.store.close();
}

export async function startCellHarness(options: CellHarnessOptions = {}): Promise<CellHarness> {
  const parts = await startParts(options);
  const account = await parts.identity.createAccount({ friendlyName: 'lookup main' });
  const other = await parts.identity.createAccount({ friendlyName: 'lookup other' });
  return {
    cell: parts.cell,
    cache: parts.cache,
    identity: parts.identity,
    account,
    other,
    async lookup(number, query = '', o = {}) {
      const accountSid = o.accountSid ?? account.sid;
      const req: CellRequest = {
        method: 'GET',
        product: 'lookups',
        path: `/v2/PhoneNumbers/${number}`,
        query,
        body: '',
        contentType: '',
        accountSid,
        authAccountSid: accountSid,
        credentialSid: accountSid,
        origin: o.origin ?? TEST_ORIGIN,
        requestId: 'RQ' + '0'.repeat(32),
        headers: {},
      };
      const res: CellResponse = await parts.cell.handle(req);
      return {
        status: res.status,
        headers: res.headers ?? {},
        text: res.body,
        json: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>),
      };
    },
    close: () => closeParts(parts),
  };
}

export interface GatewayHarness {
  baseUrl: string;
  account: Account;
  close(): Promise<void>;
}

/** The lookup cell behind a real gateway on an ephemeral loopback port. */
export async function startGatewayHarness(options: CellHarnessOptions = {}): Promise<GatewayHarness> {
  const parts = await startParts(options);
  const account = await parts.identity.createAccount({ friendlyName: 'lookup e2e' });
  const gateway: Gateway = await createGateway({
    identity: parts.identity,
    router: { cellFor: () => parts.cell },
    host: '127.0.0.1',
    port: 0,
  });
  const port = await gateway.listen();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    account,
    async close() {
      await gateway.close();
      await closeParts(parts);
    },
  };
}
