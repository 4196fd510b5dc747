/**
 * Test harnesses (not part of the public API): a real cell hosting the Verify module on
 * embedded backends with a controllable clock and recording channel ports, and the same cell
 * behind a real gateway for the official client.
 */
import { encodeForm } from '@twilio-lab/core';
import type { CellRequest, CellResponse, HttpMethod } from '@twilio-lab/core';
import { createMemoryCache, createMemoryQueue, openMemoryStore } from '@twilio-lab/backends';
import type { Cache, Queue, Store } from '@twilio-lab/backends';
import { createCell, createCellContext, createLogger, createWebhookDispatcher } from '@twilio-lab/cell';
import type { Cell, CellContext } from '@twilio-lab/cell';
import { createIdentity } from '@twilio-lab/identity';
import type { Account, Identity } from '@twilio-lab/identity';
import type { Registry } from '@twilio-lab/metrics';
import { createGateway } from '@twilio-lab/gateway';
import type { Gateway } from '@twilio-lab/gateway';
import { verifyModule } from '../module.js';
import type { Delivery, DeliveryPort, VerifyChannel, VerifyChannels, VerifyOptions } from '../options.js';

/** Records every delivery; `fail` makes the next deliveries throw, `gate` holds them until released. */
export class RecordingChannels {
  readonly deliveries: Delivery[] = [];
  fail = false;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  ports(channels: readonly VerifyChannel[] = ['sms', 'call', 'email', 'whatsapp']): VerifyChannels {
    const port: DeliveryPort = async (delivery) => {
      if (this.gate !== null) await this.gate;
      if (this.fail) throw new Error('carrier down');
      this.deliveries.push(delivery);
    };
    const ports: VerifyChannels = {};
    for (const channel of channels) ports[channel] = port;
    return ports;
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  lastCode(to?: string): string {
    const found = [...this.deliveries].reverse().find((d) => to === undefined || d.to === to);
    if (found === undefined) throw new Error(`no code delivered${to === undefined ? '' : ` to ${to}`}`);
    return found.code;
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
}

export interface VerifyHarness {
  cell: Cell;
  store: Store;
  cache: Cache;
  identity: Identity;
  account: Account;
  other: Account;
  channels: RecordingChannels;
  /** The clock the module and the cache see: the wall clock plus `clock.offset` ms. */
  clock: { offset: number };
  call(
    method: HttpMethod,
    path: string,
    fields?: Record<string, string | string[]>,
    accountSid?: string,
  ): Promise<Reply>;
  /** Creates a service and returns its SID. */
  service(fields?: Record<string, string>): Promise<string>;
  /**
   * Another cell (its own Verify module instance) over the same store and cache, as a second
   * cell or region sharing the cache would be; its requests go through the returned `call`.
   */
  peer(
    verify?: Omit<VerifyOptions, 'now'>,
  ): Promise<{ call: VerifyHarness['call']; channels: RecordingChannels }>;
  close(): Promise<void>;
}

export interface VerifyHarnessOptions {
  verify?: Omit<VerifyOptions, 'now'>;
  /** Channels with a port (default all four). */
  ports?: readonly VerifyChannel[];
  /** The cell's metrics registry (none: nothing recorded). */
  metrics?: Registry;
}

export async function startVerifyHarness(options: VerifyHarnessOptions = {}): Promise<VerifyHarness> {
  const clock = { offset: 0 };
  const now = (): number => Date.now() + clock.offset;
  const store = await openMemoryStore();
  const queue: Queue = createMemoryQueue();
  const cache = createMemoryCache({ now });
  const identity = await createIdentity(store);
  const log = createLogger({ level: 'silent', name: 'verify-test' });
  const webhooks = createWebhookDispatcher({ store, identity, log });
  const channels = new RecordingChannels();
  const context = createCellContext({
    config: { cellId: 'cell-test', region: 'us1', profile: 'lab' },
    store,
    queue,
    cache,
    identity,
    // Verify never talks to the super-network: code delivery goes through its ports.
    superNetwork: {} as CellContext['superNetwork'],
    webhooks,
    log,
    now,
    metrics: options.metrics,
  });
  const cell = createCell({
    context,
    modules: [verifyModule({ channels: channels.ports(options.ports), ...options.verify, now })],
  });
  await cell.start();
  const peers: Cell[] = [];
  const account = await identity.createAccount({ friendlyName: 'main' });
  const other = await identity.createAccount({ friendlyName: 'other' });

  const callOn =
    (target: Cell): VerifyHarness['call'] =>
    async (method, path, fields = {}, accountSid = account.sid) => {
      const encoded = encodeForm(fields);
      const [pathOnly = path, query = ''] = path.split('?');
      const req: CellRequest = {
        method,
        product: 'verify',
        path: pathOnly,
        query: method === 'GET' ? [query, encoded].filter((q) => q !== '').join('&') : query,
        body: method === 'GET' ? '' : encoded,
        contentType: method === 'GET' ? '' : 'application/x-www-form-urlencoded',
        accountSid,
        authAccountSid: accountSid,
        credentialSid: accountSid,
        origin: 'http://127.0.0.1:3000',
        requestId: 'RQ' + '0'.repeat(32),
        headers: {},
      };
      const raw: CellResponse = await target.handle(req);
      const json = raw.body === '' ? {} : (JSON.parse(raw.body) as Record<string, unknown>);
      return { status: raw.status, headers: raw.headers ?? {}, json };
    };
  const call = callOn(cell);

  return {
    cell,
    store,
    cache,
    identity,
    account,
    other,
    channels,
    clock,
    call,
    async service(fields = {}) {
      const res = await call('POST', '/v2/Services', { FriendlyName: 'Acme', ...fields });
      if (res.status !== 201) throw new Error(`service create failed: ${JSON.stringify(res.json)}`);
      return res.json.sid as string;
    },
    async peer(verify = {}) {
      const peerChannels = new RecordingChannels();
      const peerCell = createCell({
        context,
        modules: [verifyModule({ channels: peerChannels.ports(options.ports), ...verify, now })],
      });
      await peerCell.start();
      peers.push(peerCell);
      return { call: callOn(peerCell), channels: peerChannels };
    },
    async close() {
      for (const peer of peers) await peer.stop(2000);
      await cell.stop(2000);
      await webhooks.stop?.();
      await queue.close();
      await cache.close();
      await store.close();
    },
  };
}

export interface GatewayHarness extends VerifyHarness {
  gateway: Gateway;
  baseUrl: string;
}

/** The harness behind a real gateway on an ephemeral loopback port. */
export async function startGatewayHarness(options: VerifyHarnessOptions = {}): Promise<GatewayHarness> {
  const harness = await startVerifyHarness(options);
  const gateway = await createGateway({
    identity: harness.identity,
    router: { cellFor: () => harness.cell },
    host: '127.0.0.1',
    port: 0,
  });
  const port = await gateway.listen();
  return {
    ...harness,
    gateway,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.close();
      await harness.close();
    },
  };
}
