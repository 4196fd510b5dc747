/**
 * The super-network of one region: carrier simulators started in-process, one SMPP bind from
 * the platform to each, least-cost routing with failover across them, and the handsets that
 * sit behind the carriers. This is the object a cell holds (the SuperNetwork contract).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CarrierConfig } from './carrier-config.js';
import { validateCarriers } from './carrier-config.js';
import { CarrierSimulator } from './carrier-simulator.js';
import type { CarrierCounters } from './carrier-simulator.js';
import { SuperNetworkError } from './errors.js';
import { HandsetRegistry } from './handset-registry.js';
import { PrefixTable } from './prefix-table.js';
import { encodeBody } from './sms-codec.js';
import { RouteError, SmppRoute } from './smpp-route.js';
import type { RouteReceipt } from './smpp-route.js';
import { SubmitError } from './types.js';
import type {
  CarrierStatus,
  DeliveryReceipt,
  InboundSms,
  OutboundSms,
  SubmitResult,
  SuperNetwork,
} from './types.js';

export interface SuperNetworkLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SuperNetworkOptions {
  region?: string;
  carriers: readonly CarrierConfig[];
  /** A carrier that has not answered a submit by then is skipped for the next one. Default 5000. */
  submitTimeoutMs?: number;
  /** Idle time before an enquire_link is sent on a bind. Default 15000. */
  enquireLinkMs?: number;
  /** Submits in flight per bind when the carrier sets no window. Default 256. */
  defaultWindow?: number;
  /**
   * Directory of the carriers' journals (`<journalDir>/<carrier name>.journal`, created if
   * missing). With it the simulators keep what they accepted across close() and process
   * crashes, and finish it (handset delivery, receipt) after the next start, like real SMSCs.
   * Absent = no journal: an accepted message dies with the process.
   */
  journalDir?: string;
  log?: SuperNetworkLog;
}

export interface CarrierAddress {
  name: string;
  address: string;
  prefixes: string[];
}

export interface RunningSuperNetwork extends SuperNetwork {
  readonly region: string;
  readonly handsets: HandsetRegistry;
  addresses(): CarrierAddress[];
  readonly simulators: CarrierSimulator[];
  /** The platform-side bind to the named carrier (for tests and fault injection). */
  route(name: string): SmppRoute | undefined;
}

/** First back-off after ESME_RTHROTTLED; doubles while the carrier keeps throttling. */
const THROTTLE_BACKOFF_MIN_MS = 25;
const THROTTLE_BACKOFF_MAX_MS = 1000;

interface RouteEntry {
  readonly config: CarrierConfig;
  readonly route: SmppRoute;
  readonly counters: CarrierCounters;
  throttledUntil: number;
  throttleBackoffMs: number;
}

const NO_FAILOVER: readonly string[] = Object.freeze([]);

/** Receipts held while no onReceipt handler is registered yet (beyond this the oldest are dropped). */
const MAX_EARLY_RECEIPTS = 100_000;

export async function createSuperNetwork(options: SuperNetworkOptions): Promise<RunningSuperNetwork> {
  const carriers = validateCarriers(options.carriers);
  const region = options.region ?? 'us1';
  const log = options.log;
  const handsets = new HandsetRegistry();
  const journalDir = options.journalDir;
  if (journalDir !== undefined) {
    try {
      mkdirSync(journalDir, { recursive: true });
    } catch (error) {
      throw new SuperNetworkError(
        'CARRIER_START_FAILED',
        `Cannot create the carrier journal directory ${journalDir}: ${(error as Error).message}`,
      );
    }
  }
  const simulators = carriers.map(
    (config) =>
      new CarrierSimulator(
        config,
        handsets,
        log,
        journalDir === undefined ? {} : { journalPath: join(journalDir, `${config.name}.journal`) },
      ),
  );
  const receiptHandlers: ((receipt: DeliveryReceipt) => void | Promise<void>)[] = [];
  // Journaled carriers send overdue receipts the moment the platform binds, before the caller
  // of createSuperNetwork had a chance to call onReceipt(). They wait here, unacknowledged
  // (the carrier's ack waits on `done`), until a handler is registered.
  let earlyReceipts: { receipt: DeliveryReceipt; done: (result: Promise<void>) => void }[] | null = [];
  const inboundHandlers: ((sms: InboundSms) => Promise<void>)[] = [];
  const entries: RouteEntry[] = [];

  const closeAll = async (): Promise<void> => {
    await Promise.all(entries.map((e) => e.route.close()));
    await Promise.all(simulators.map((s) => s.close()));
    handsets.close();
  };

  const emitReceipt = (entry: RouteEntry, r: RouteReceipt): Promise<void> => {
    if (r.status === 'delivered') entry.counters.delivered++;
    else entry.counters.failed++;
    const receipt: DeliveryReceipt = {
      messageSid: r.target.messageSid,
      accountSid: r.target.accountSid,
      carrier: entry.config.name,
      status: r.status,
      errorCode: r.errorCode,
      at: Date.now(),
    };
    if (earlyReceipts !== null) {
      // Beyond the bound a receipt is refused, not dropped: the carrier sends it again later.
      if (earlyReceipts.length >= MAX_EARLY_RECEIPTS) {
        return Promise.reject(new Error('no receipt handler registered yet'));
      }
      const held = earlyReceipts;
      return new Promise<void>((resolve, reject) => {
        held.push({ receipt, done: (result) => result.then(resolve, reject) });
      });
    }
    return handReceipt(receipt);
  };

  const handReceipt = async (receipt: DeliveryReceipt): Promise<void> => {
    if (receiptHandlers.length === 1) return receiptHandlers[0]!(receipt);
    await Promise.all(receiptHandlers.map((handler) => handler(receipt)));
  };

  const deliverInbound = async (sms: InboundSms): Promise<void> => {
    // Refusing when nobody listens makes the carrier retry: nothing is acknowledged and dropped.
    if (inboundHandlers.length === 0) throw new Error('no inbound handler registered');
    if (inboundHandlers.length === 1) return inboundHandlers[0]!(sms);
    await Promise.all(inboundHandlers.map((handler) => handler(sms)));
  };

  try {
    await Promise.all(simulators.map((s) => s.start()));
    for (const [index, config] of carriers.entries()) {
      const simulator = simulators[index]!;
      const entry: RouteEntry = {
        config,
        counters: { submitted: 0, delivered: 0, failed: 0, throttled: 0 },
        throttledUntil: 0,
        throttleBackoffMs: 0,
        route: new SmppRoute({
          name: config.name,
          host: '127.0.0.1',
          port: simulator.port,
          systemId: config.systemId,
          password: config.password,
          window: config.window ?? options.defaultWindow ?? 256,
          submitTimeoutMs: options.submitTimeoutMs ?? 5000,
          enquireLinkMs: options.enquireLinkMs ?? 15_000,
          onReceipt: (r) => emitReceipt(entry, r),
          onInbound: deliverInbound,
          ...(log ? { log } : {}),
        }),
      };
      entries.push(entry);
    }
    await Promise.all(entries.map((e) => e.route.start()));
  } catch (error) {
    await closeAll();
    throw error;
  }

  const routing = new PrefixTable(entries, (e) => e.config);
  const senders = new PrefixTable(simulators, (s) => s.config);

  handsets.setSender(async (input) => {
    // The sender's home carrier when it is bound, else any carrier the platform is bound to.
    const home = senders.candidates(input.from).find((s) => s.bound);
    const simulator = home ?? simulators.find((s) => s.bound);
    if (!simulator) {
      throw new SuperNetworkError(
        'NO_BOUND_CARRIER',
        `No carrier is bound to the platform; ${input.from} cannot send`,
      );
    }
    await simulator.sendMobileOriginated(input);
    return { carrier: simulator.name };
  });

  const submit = async (sms: OutboundSms): Promise<SubmitResult> => {
    const candidates = routing.candidates(sms.to);
    if (candidates.length === 0) {
      throw new SubmitError(`No carrier serves the destination ${sms.to}`, 21612, false);
    }
    const encoded = encodeBody(sms.body);
    let failedOver: string[] | null = null;
    let throttled = 0;
    let down = 0;
    let retryAfterMs = Infinity;
    for (const entry of candidates) {
      const now = Date.now();
      if (!entry.route.bound) {
        down++;
        continue;
      }
      if (entry.throttledUntil > now) {
        throttled++;
        retryAfterMs = Math.min(retryAfterMs, entry.throttledUntil - now);
        continue;
      }
      try {
        const carrierMessageId = await entry.route.submit(sms, encoded);
        entry.counters.submitted++;
        entry.throttleBackoffMs = 0;
        return { carrier: entry.config.name, carrierMessageId, failedOver: failedOver ?? NO_FAILOVER };
      } catch (error) {
        (failedOver ??= []).push(entry.config.name);
        if (!(error instanceof RouteError)) throw error;
        if (error.kind === 'throttled') {
          throttled++;
          entry.counters.throttled++;
          const at = Date.now();
          // Many submits in flight meet the same throttle; only the first one moves the back-off.
          if (entry.throttledUntil <= at) {
            entry.throttleBackoffMs = entry.throttleBackoffMs
              ? Math.min(THROTTLE_BACKOFF_MAX_MS, entry.throttleBackoffMs * 2)
              : THROTTLE_BACKOFF_MIN_MS;
            entry.throttledUntil = at + entry.throttleBackoffMs;
          }
          retryAfterMs = Math.min(retryAfterMs, entry.throttledUntil - at);
        } else if (error.kind !== 'rejected') {
          down++;
        }
      }
    }
    if (throttled > 0) {
      const wait = Math.max(1, Math.ceil(retryAfterMs));
      throw new SubmitError(
        `Every carrier for ${sms.to} is throttling; retry in ${wait} ms`,
        30001,
        true,
        wait,
      );
    }
    if (down > 0) {
      throw new SubmitError(`No carrier route to ${sms.to} is up; retry later`, 30008, true);
    }
    throw new SubmitError(`Every carrier for ${sms.to} rejected the message`, 30008, false);
  };

  let closed: Promise<void> | null = null;

  return {
    region,
    simulators,
    handsets,
    submit,
    onReceipt(handler) {
      receiptHandlers.push(handler);
      if (earlyReceipts === null) return;
      const held = earlyReceipts;
      earlyReceipts = null;
      // Next tick: the caller finishes registering (more handlers, its own state) first.
      if (held.length > 0) process.nextTick(() => held.forEach((h) => h.done(handReceipt(h.receipt))));
    },
    onInbound(handler) {
      inboundHandlers.push(handler);
    },
    carriers(): CarrierStatus[] {
      return entries.map((e) => ({
        name: e.config.name,
        region: e.config.region,
        prefixes: e.config.prefixes,
        bound: e.route.bound,
        submitted: e.counters.submitted,
        delivered: e.counters.delivered,
        failed: e.counters.failed,
        throttled: e.counters.throttled,
      }));
    },
    addresses(): CarrierAddress[] {
      return simulators.map((s) => ({
        name: s.name,
        address: s.address(),
        prefixes: [...s.config.prefixes],
      }));
    },
    route(name) {
      return entries.find((e) => e.config.name === name)?.route;
    },
    close() {
      closed ??= closeAll();
      return closed;
    },
  };
}
