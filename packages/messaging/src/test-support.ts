/**
 * Test doubles for this package's tests: a scriptable super-network, a queue that can hold
 * publishes back, a webhook sink on loopback, and a harness that runs a real cell with both
 * modules on embedded backends. Not part of the public API.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FormParams, encodeForm } from '@twilio-lab/core';
import type { CellRequest, CellResponse, HttpMethod, ProductId } from '@twilio-lab/core';
import { createMemoryCache, createMemoryQueue, openMemoryStore } from '@twilio-lab/backends';
import type { Cache, Queue, QueueMessage, Store, SubscribeOptions, Subscription } from '@twilio-lab/backends';
import { createCell, createCellContext, createLogger, createWebhookDispatcher } from '@twilio-lab/cell';
import type { Cell } from '@twilio-lab/cell';
import { createIdentity } from '@twilio-lab/identity';
import type { Account, Identity } from '@twilio-lab/identity';
import type { Registry } from '@twilio-lab/metrics';
import type {
  DeliveryReceipt,
  HandsetService,
  InboundSms,
  OutboundSms,
  SubmitResult,
  SuperNetwork,
} from '@twilio-lab/super-network';
import { messagingModule } from './module.js';
import type { MessagingModule, MessagingOptions } from './module.js';
import { numbersModule } from './numbers/module.js';

/** What the fake carrier does with one submit: resolve, or throw (e.g. a SubmitError). */
export type SubmitPlan = (sms: OutboundSms, attempt: number) => SubmitResult | Error;

export class FakeSuperNetwork implements SuperNetwork {
  readonly submitted: OutboundSms[] = [];
  plan: SubmitPlan = (sms) => ({ carrier: 'fake', carrierMessageId: 'c-' + sms.messageSid, failedOver: [] });
  private readonly receiptHandlers: ((r: DeliveryReceipt) => void | Promise<void>)[] = [];
  private inboundHandler: ((sms: InboundSms) => Promise<void>) | null = null;
  private readonly attempts = new Map<string, number>();

  async submit(sms: OutboundSms): Promise<SubmitResult> {
    this.submitted.push(sms);
    const attempt = (this.attempts.get(sms.messageSid) ?? 0) + 1;
    this.attempts.set(sms.messageSid, attempt);
    const outcome = this.plan(sms, attempt);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  onReceipt(handler: (receipt: DeliveryReceipt) => void | Promise<void>): void {
    this.receiptHandlers.push(handler);
  }

  onInbound(handler: (sms: InboundSms) => Promise<void>): void {
    this.inboundHandler = handler;
  }

  /** Hands a receipt to the platform; resolves when the platform acknowledges it (durable). */
  receipt(r: Omit<DeliveryReceipt, 'carrier' | 'at'> & { at?: number }): Promise<void> {
    const receipt = { carrier: 'fake', at: Date.now(), ...r };
    return Promise.all(this.receiptHandlers.map((handler) => handler(receipt))).then(() => undefined);
  }

  /** A handset sends to a platform number; resolves when the platform says it is durable. */
  inbound(sms: { from: string; to: string; body: string; mediaUrls?: string[] }): Promise<void> {
    if (this.inboundHandler === null) throw new Error('no inbound handler registered');
    return this.inboundHandler({ mediaUrls: [], carrier: 'fake', at: Date.now(), ...sms });
  }

  get handsets(): HandsetService {
    throw new Error('the fake super-network has no handsets');
  }

  carriers(): [] {
    return [];
  }

  async close(): Promise<void> {}
}

/** A queue whose publishes can be held back (to control when the sender sees a message). */
export class GatedQueue implements Queue {
  readonly kind = 'memory' as const;
  private held: { topic: string; messages: readonly QueueMessage[] }[] | null = null;

  constructor(private readonly inner: Queue) {}

  hold(): void {
    this.held ??= [];
  }

  async release(): Promise<void> {
    const held = this.held ?? [];
    this.held = null;
    for (const h of held) await this.inner.publish(h.topic, h.messages);
  }

  async publish(topic: string, messages: readonly QueueMessage[]): Promise<void> {
    if (this.held !== null) this.held.push({ topic, messages });
    else await this.inner.publish(topic, messages);
  }

  subscribe(
    topic: string,
    group: string,
    handler: (batch: readonly QueueMessage[]) => Promise<void>,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.inner.subscribe(topic, group, handler, options);
  }

  lag(topic: string, group: string): Promise<number> {
    return this.inner.lag(topic, group);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface SinkRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
}

export type SinkReply = { status: number; body?: string; contentType?: string };

/** A local HTTP endpoint that records webhooks and answers as the test says. */
export class WebhookSink {
  readonly requests: SinkRequest[] = [];
  reply: (req: SinkRequest) => SinkReply = () => ({ status: 200 });
  private readonly server: Server;
  private originUrl = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const raw = req.method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8');
        const record: SinkRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          params: FormParams.parse(raw).toObject(),
        };
        this.requests.push(record);
        const reply = this.reply(record);
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
        res.end(reply.body ?? '');
      });
    });
  }

  static async start(): Promise<WebhookSink> {
    const sink = new WebhookSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    const { port } = sink.server.address() as AddressInfo;
    sink.originUrl = `http://127.0.0.1:${port}`;
    return sink;
  }

  get origin(): string {
    return this.originUrl;
  }

  url(path: string): string {
    return this.origin + path;
  }

  on(path: string): SinkRequest[] {
    return this.requests.filter((r) => r.path.split('?')[0] === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` returns a value (not undefined/false) or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface HarnessOptions {
  profile?: 'lab' | 'realistic';
  messaging?: MessagingOptions;
  /** Wraps the cache (e.g. to script takeToken). */
  cache?: (inner: Cache) => Cache;
  /** The cell's metrics registry (none: nothing recorded). */
  metrics?: Registry;
}

export interface Harness {
  cell: Cell;
  store: Store;
  queue: GatedQueue;
  identity: Identity;
  net: FakeSuperNetwork;
  sink: WebhookSink;
  account: Account;
  other: Account;
  /** Milliseconds added to the real clock (ctx.now()). */
  clock: { offset: number };
  /** Messages whose rows the running messaging module holds in memory. */
  inFlightMessages(): number;
  /** Messages the running messaging module counts as waiting (per-sender queue limit). */
  queuedMessages(): number;
  call(
    method: HttpMethod,
    path: string,
    fields?: Record<string, string | string[]>,
    options?: { accountSid?: string; product?: ProductId },
  ): Promise<{ status: number; json: Record<string, unknown>; raw: CellResponse }>;
  /** '/2010-04-01/Accounts/<account>' + rest. */
  api(rest: string, accountSid?: string): string;
  provision(
    e164: string,
    fields?: Record<string, string>,
    accountSid?: string,
  ): Promise<Record<string, unknown>>;
  message(sid: string, accountSid?: string): Promise<Record<string, unknown>>;
  /**
   * A process restart: a new cell, queue and super-network over the same store. `holdPublishes`
   * holds the new queue's publishes (recovery's included) until `queue.release()`.
   */
  restart(options?: { holdPublishes?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const store = await openMemoryStore();
  const queue = new GatedQueue(createMemoryQueue({ retryDelayMs: 10 }));
  const innerCache = createMemoryCache();
  const cache = options.cache ? options.cache(innerCache) : innerCache;
  const identity = await createIdentity(store);
  const log = createLogger({ level: 'silent', name: 'messaging-test' });
  // One delivery at a time per origin, so callbacks arrive in the order they were recorded.
  const webhooks = createWebhookDispatcher({
    store,
    identity,
    log,
    baseDelayMs: 10,
    maxDelayMs: 50,
    perOriginConcurrency: 1,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const clock = { offset: 0 };
  let messaging: MessagingModule;
  const build = (queue: GatedQueue, net: FakeSuperNetwork): Cell => {
    messaging = messagingModule({ schedulerMaxSleepMs: 10, ...options.messaging });
    return createCell({
      context: createCellContext({
        config: { cellId: 'cell-test', region: 'us1', profile: options.profile ?? 'lab' },
        store,
        queue,
        cache,
        identity,
        superNetwork: net,
        webhooks,
        log,
        now: () => Date.now() + clock.offset,
        metrics: options.metrics,
      }),
      modules: [numbersModule(), messaging],
    });
  };
  const net = new FakeSuperNetwork();
  const cell = build(queue, net);
  await cell.start();
  const sink = await WebhookSink.start();
  const account = await identity.createAccount({ friendlyName: 'main' });
  const other = await identity.createAccount({ friendlyName: 'other' });

  const api = (rest: string, accountSid = account.sid): string => `/2010-04-01/Accounts/${accountSid}${rest}`;
  const call: Harness['call'] = async (method, path, fields = {}, o = {}) => {
    const accountSid = o.accountSid ?? account.sid;
    const encoded = encodeForm(fields);
    const [pathOnly, query = ''] = path.split('?');
    const req: CellRequest = {
      method,
      product: o.product ?? (path.startsWith('/v1/') ? 'messaging' : 'api'),
      path: pathOnly ?? path,
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
    const raw = await harness.cell.handle(req);
    const json = raw.body === '' ? {} : (JSON.parse(raw.body) as Record<string, unknown>);
    return { status: raw.status, json, raw };
  };
  const provision: Harness['provision'] = async (e164, fields = {}, accountSid = account.sid) => {
    const res = await call(
      'POST',
      api('/IncomingPhoneNumbers.json', accountSid),
      { PhoneNumber: e164, ...fields },
      { accountSid },
    );
    if (res.status !== 201) throw new Error(`provisioning ${e164} failed: ${JSON.stringify(res.json)}`);
    return res.json;
  };
  const message: Harness['message'] = async (sid, accountSid = account.sid) => {
    const res = await call('GET', api(`/Messages/${sid}.json`, accountSid), {}, { accountSid });
    return res.json;
  };
  const harness: Harness = {
    cell,
    store,
    queue,
    identity,
    net,
    sink,
    account,
    other,
    clock,
    inFlightMessages: () => messaging.inFlightMessages(),
    queuedMessages: () => messaging.queuedMessages(),
    call,
    api,
    provision,
    message,
    async restart(restartOptions = {}) {
      await harness.cell.stop(2000);
      await harness.queue.close();
      harness.queue = new GatedQueue(createMemoryQueue({ retryDelayMs: 10 }));
      if (restartOptions.holdPublishes === true) harness.queue.hold();
      harness.net = new FakeSuperNetwork();
      harness.cell = build(harness.queue, harness.net);
      await harness.cell.start();
    },
    async close() {
      await harness.cell.stop(2000);
      await webhooks.stop();
      await harness.queue.close();
      await cache.close();
      await sink.close();
      await store.close();
    },
  };
  return harness;
}
