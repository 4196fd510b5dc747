/**
 * The super-network on its own thread. In embedded mode it is a separate tier (regional, not
 * per cell), and its carriers, SMPP binds and PDU coding would otherwise share the cell's
 * thread. This is the calling thread's side: a SuperNetwork whose calls and events travel to
 * and from super-network-worker.js, batched per event-loop turn in each direction.
 */
import { Worker } from 'node:worker_threads';
import { SuperNetworkError } from './errors.js';
import type { CarrierAddress, SuperNetworkOptions } from './super-network.js';
import { COUNTER_FIELDS, TurnBatcher, fromPlainError, toPlainError } from './thread-protocol.js';
import type { CarrierInfo, CounterSnapshot, FromWorker, ToWorker, WorkerConfig } from './thread-protocol.js';
import { SubmitError } from './types.js';
import type {
  CarrierStatus,
  DeliveryReceipt,
  HandsetMessage,
  HandsetService,
  InboundSms,
  OutboundSms,
  SubmitResult,
  SuperNetwork,
} from './types.js';

export interface ThreadedSuperNetwork extends SuperNetwork {
  readonly region: string;
  addresses(): CarrierAddress[];
  /** The worker's thread id (diagnostics). */
  readonly threadId: number;
}

export interface SuperNetworkThreadOptions {
  /** How often the worker reports counters that moved without traffic (bind state). Default 250. */
  statusIntervalMs?: number;
  /** Time close() gives the worker to exit on its own before terminating it. Default 5000. */
  exitTimeoutMs?: number;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** Submits lost with the worker fail as "no route up" (retryable), like an in-thread network with every bind down. */
  submit: boolean;
}

interface Watch {
  onMessage: (message: HandsetMessage) => void;
  onClosed: (error: Error) => void;
}

type ReceiptHandler = (receipt: DeliveryReceipt) => void | Promise<void>;
type InboundHandler = (sms: InboundSms) => Promise<void>;

/** Starts createSuperNetwork(options) in a worker thread; resolves once every carrier is bound. */
export async function startSuperNetworkThread(
  options: SuperNetworkOptions,
  threadOptions: SuperNetworkThreadOptions = {},
): Promise<ThreadedSuperNetwork> {
  const { log, ...cloneable } = options;
  const config: WorkerConfig = {
    options: cloneable,
    forwardLog: log !== undefined,
    statusIntervalMs: threadOptions.statusIntervalMs ?? 250,
  };
  const worker = new Worker(new URL('./super-network-worker.js', import.meta.url), { workerData: config });
  const network = new SuperNetworkThread(worker, options, threadOptions.exitTimeoutMs ?? 5000);
  await network.started;
  return network;
}

class SuperNetworkThread implements ThreadedSuperNetwork {
  readonly started: Promise<void>;
  readonly handsets: HandsetService;
  readonly threadId: number;
  region = '';
  private carrierAddresses: CarrierAddress[] = [];
  private carrierInfo: CarrierInfo[] = [];
  private counters: CounterSnapshot = [];
  private readonly outbox: TurnBatcher<ToWorker>;
  private readonly calls = new Map<number, PendingCall>();
  private readonly watches = new Map<number, Watch>();
  private readonly receiptHandlers: ReceiptHandler[] = [];
  private readonly inboundHandlers: InboundHandler[] = [];
  private nextId = 0;
  /** Set by close() and by the worker's exit: no new work is sent after it. */
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private settleStart: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(
    private readonly worker: Worker,
    private readonly options: SuperNetworkOptions,
    private readonly exitTimeoutMs: number,
  ) {
    this.threadId = worker.threadId;
    this.outbox = new TurnBatcher<ToWorker>((batch) => worker.postMessage(batch));
    this.handsets = new ThreadHandsets(this);
    this.started = new Promise<void>((resolve, reject) => (this.settleStart = { resolve, reject }));
    worker.on('message', (batch: FromWorker[]) => {
      for (const message of batch) this.dispatch(message);
    });
    worker.on('error', (error) => {
      this.options.log?.warn({ error }, 'super-network worker failed');
      this.settleStart?.reject(error);
    });
    this.exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        if (this.closing === null && this.settleStart === null) {
          this.options.log?.warn(
            { code },
            'super-network worker exited unexpectedly; submits now fail as retryable',
          );
        }
        this.closed = true;
        this.settleStart?.reject(
          new SuperNetworkError('CARRIER_START_FAILED', `super-network worker exited (${code})`),
        );
        this.failPending();
        resolve();
      });
    });
  }

  submit(sms: OutboundSms): Promise<SubmitResult> {
    if (this.closed) return Promise.reject(closedSubmitError());
    return new Promise<SubmitResult>((resolve, reject) => {
      const id = ++this.nextId;
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject, submit: true });
      this.outbox.push({ t: 'submit', id, sms });
    });
  }

  onReceipt(handler: ReceiptHandler): void {
    this.receiptHandlers.push(handler);
    // The worker's network holds early receipts until the first handler exists, as in-thread.
    if (this.receiptHandlers.length === 1 && !this.closed)
      this.outbox.push({ t: 'subscribe', what: 'receipts' });
  }

  onInbound(handler: InboundHandler): void {
    this.inboundHandlers.push(handler);
    if (this.inboundHandlers.length === 1 && !this.closed)
      this.outbox.push({ t: 'subscribe', what: 'inbound' });
  }

  carriers(): CarrierStatus[] {
    return this.carrierInfo.map((c, index) => {
      const at = index * COUNTER_FIELDS;
      return {
        name: c.name,
        region: c.region,
        prefixes: c.prefixes,
        // After close nothing is bound, whatever the last snapshot said.
        bound: !this.closed && this.counters[at] === 1,
        submitted: this.counters[at + 1] ?? 0,
        delivered: this.counters[at + 2] ?? 0,
        failed: this.counters[at + 3] ?? 0,
        throttled: this.counters[at + 4] ?? 0,
      };
    });
  }

  addresses(): CarrierAddress[] {
    return this.carrierAddresses.map((a) => ({ ...a, prefixes: [...a.prefixes] }));
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** A request answered by one 'ok'/'err' from the worker. */
  call<T>(message: (id: number) => ToWorker): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<T>((resolve, reject) => {
      const id = ++this.nextId;
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject, submit: false });
      this.outbox.push(message(id));
    });
  }

  /** Streams what `e164` receives from `since` on to `watch` until the returned function runs. */
  watch(e164: string, since: number, watch: Watch): () => void {
    if (this.closed) {
      watch.onClosed(closedError());
      return () => undefined;
    }
    const id = ++this.nextId;
    this.watches.set(id, watch);
    this.outbox.push({ t: 'watch', id, e164, since });
    return () => {
      if (!this.watches.delete(id)) return;
      if (!this.closed) this.outbox.push({ t: 'unwatch', id });
    };
  }

  private async shutDown(): Promise<void> {
    if (!this.closed) {
      const closedInWorker = this.call<void>((id) => ({ t: 'close', id }));
      this.closed = true;
      await closedInWorker.catch((error: unknown) =>
        this.options.log?.warn({ error }, 'super-network did not close cleanly in its worker'),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), this.exitTimeoutMs)),
    );
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.options.log?.warn({}, 'super-network worker did not exit after close; terminating it');
      await this.worker.terminate();
      await this.exited;
    }
  }

  private dispatch(message: FromWorker): void {
    switch (message.t) {
      case 'ok':
      case 'err': {
        const call = this.calls.get(message.id);
        if (!call) return;
        this.calls.delete(message.id);
        if (message.t === 'ok') call.resolve(message.value);
        else call.reject(fromPlainError(message.error));
        return;
      }
      case 'receipt':
        this.answer(message.id, this.handReceipt(message.receipt));
        return;
      case 'inbound':
        this.answer(message.id, this.handInbound(message.sms));
        return;
      case 'status':
        this.counters = message.counters;
        return;
      case 'watched':
        this.watches.get(message.id)?.onMessage(message.message);
        return;
      case 'log':
        this.options.log?.[message.level](message.obj, message.msg);
        return;
      case 'ready':
        this.region = message.region;
        this.carrierAddresses = message.addresses;
        this.carrierInfo = message.carriers;
        this.settleStart?.resolve();
        this.settleStart = null;
        return;
      case 'start-failed':
        this.settleStart?.reject(fromPlainError(message.error));
        this.settleStart = null;
        return;
    }
  }

  /** The handlers' verdict goes back to the worker, which only then answers the carrier. */
  private answer(id: number, result: Promise<void>): void {
    result.then(
      () => this.outbox.push({ t: 'ack', id, error: null }),
      (error: unknown) => this.outbox.push({ t: 'ack', id, error: toPlainError(error) }),
    );
  }

  private handReceipt(receipt: DeliveryReceipt): Promise<void> {
    try {
      const handlers = this.receiptHandlers;
      if (handlers.length === 1) return Promise.resolve(handlers[0]!(receipt));
      return Promise.all(handlers.map((handler) => handler(receipt))).then(() => undefined);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private handInbound(sms: InboundSms): Promise<void> {
    try {
      const handlers = this.inboundHandlers;
      if (handlers.length === 1) return handlers[0]!(sms);
      return Promise.all(handlers.map((handler) => handler(sms))).then(() => undefined);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The worker is gone: everything still waiting on it fails now rather than never. */
  private failPending(): void {
    for (const call of this.calls.values()) call.reject(call.submit ? closedSubmitError() : closedError());
    this.calls.clear();
    for (const watch of this.watches.values()) watch.onClosed(closedError());
    this.watches.clear();
  }
}

/** HandsetService over the worker; waitFor's predicate runs here, on messages the worker streams. */
class ThreadHandsets implements HandsetService {
  constructor(private readonly network: SuperNetworkThread) {}

  inbox(e164: string, options: { since?: number; limit?: number } = {}): Promise<HandsetMessage[]> {
    return this.network.call<HandsetMessage[]>((id) => ({
      t: 'inbox',
      id,
      e164,
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    }));
  }

  send(input: {
    from: string;
    to: string;
    body: string;
    mediaUrls?: readonly string[];
  }): Promise<HandsetMessage> {
    return this.network.call<HandsetMessage>((id) => ({ t: 'send', id, input }));
  }

  clear(e164?: string): Promise<void> {
    return this.network.call<void>((id) => ({ t: 'clear', id, ...(e164 !== undefined ? { e164 } : {}) }));
  }

  waitFor(
    e164: string,
    options: { since?: number; timeoutMs: number; predicate?: (m: HandsetMessage) => boolean },
  ): Promise<HandsetMessage> {
    const predicate = options.predicate;
    return new Promise<HandsetMessage>((resolve, reject) => {
      let done = false;
      const finish = (): void => {
        done = true;
        clearTimeout(timer);
        unwatch();
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new SuperNetworkError(
            'HANDSET_WAIT_TIMEOUT',
            `No matching message reached ${e164} within ${options.timeoutMs} ms`,
          ),
        );
      }, options.timeoutMs);
      const unwatch = this.network.watch(e164, options.since ?? 0, {
        onMessage: (message) => {
          if (done) return;
          try {
            if (predicate && !predicate(message)) return;
          } catch (error) {
            finish();
            reject(error as Error);
            return;
          }
          finish();
          resolve(message);
        },
        onClosed: (error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }
}

function closedError(): SuperNetworkError {
  return new SuperNetworkError('NETWORK_CLOSED', 'The super-network was closed');
}

function closedSubmitError(): SubmitError {
  return new SubmitError('The super-network is closed: no carrier route is up; retry later', 30008, true);
}
