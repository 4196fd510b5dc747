/**
 * The platform's side of one carrier: an ESME transceiver bind. It pipelines submits up to
 * the window (no waiting on enquire_link or on earlier answers), keeps the link alive, and
 * reconnects with exponential backoff when the link drops. Receipts are correlated here, at
 * the moment submit_sm_resp is read, so a receipt read in the same TCP chunk cannot miss it.
 */
import type { PDU, Session } from 'smpp';
import { parseReceipt, receiptOutcome } from './receipt.js';
import type { EncodedBody } from './sms-codec.js';
import {
  ESM_CLASS_DELIVERY_RECEIPT,
  ESM_CLASS_TYPE_MASK,
  STATUS,
  TLV_ACCOUNT_SID,
  TLV_MESSAGE_SID,
  bodyOf,
  destroySession,
  encodeMediaUrls,
  fromSmppAddress,
  mediaUrlsOf,
  relativeValidity,
  smpp,
  stringTlv,
  toSmppAddress,
} from './smpp-protocol.js';
import {
  CMD_DELIVER_SM_RESP,
  CMD_SUBMIT_SM,
  encodeResponse,
  encodeShortMessage,
  installWireReader,
  setSequence,
  writeFrame,
} from './smpp-wire.js';
import { withinMs } from './timeouts.js';
import type { InboundSms, OutboundSms, ReceiptStatus } from './types.js';

/** Why a submit on this route did not get a message id. */
export type RouteFailure = 'unbound' | 'timeout' | 'throttled' | 'rejected';

/**
 * Receipts awaited at once per route. A carrier that loses messages never sends their receipts;
 * past this many the oldest correlations are forgotten (Jasmin-style DLR expiry, by count).
 */
const MAX_AWAITED_RECEIPTS = 1_000_000;

export class RouteError extends Error {
  constructor(
    readonly kind: RouteFailure,
    /** SMPP command_status for 'throttled' / 'rejected', else 0. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RouteError';
  }
}

export interface ReceiptTarget {
  messageSid: string;
  accountSid: string;
}

export interface RouteReceipt {
  target: ReceiptTarget;
  status: ReceiptStatus;
  errorCode: number | null;
}

export interface SmppRouteOptions {
  name: string;
  host: string;
  port: number;
  systemId: string;
  password: string;
  /** Submits in flight on the bind at once; more wait their turn locally. */
  window: number;
  submitTimeoutMs: number;
  enquireLinkMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Resolves once the receipt is durable; only then is deliver_sm_resp sent. */
  onReceipt(receipt: RouteReceipt): Promise<void>;
  /** Resolves once the message is durable; only then is deliver_sm_resp sent. */
  onInbound(sms: InboundSms): Promise<void>;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

interface PendingSubmit {
  /** The encoded submit_sm; its sequence number is set when it goes on the wire. */
  frame: Buffer;
  deadline: number;
  target: ReceiptTarget;
  resolve: (carrierMessageId: string) => void;
  reject: (error: RouteError) => void;
}

export class SmppRoute {
  readonly name: string;
  /** SMPP status of the last refused bind (e.g. ESME_RBINDFAIL), 0 when the last bind worked. */
  lastBindStatus = 0;
  lastError: Error | null = null;

  private session: Session | null = null;
  private isBound = false;
  private closing = false;
  private sequence = 0;
  private readonly inflight = new Map<number, PendingSubmit>();
  private waiting: PendingSubmit[] = [];
  private waitingHead = 0;
  private readonly receiptTargets = new Map<string, ReceiptTarget>();
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly keepAliveTimer: NodeJS.Timeout;
  private lastHeard = 0;
  private enquirePending = false;
  private firstAttempt: (() => void) | null = null;
  private readonly bindWaiters = new Set<() => void>();

  constructor(private readonly options: SmppRouteOptions) {
    this.name = options.name;
    this.reconnectDelay = options.reconnectMinMs ?? 50;
    // One timer does both jobs: expire submits past their deadline and keep the link alive.
    const tick = Math.max(20, Math.min(250, Math.floor(options.submitTimeoutMs / 4)));
    this.keepAliveTimer = setInterval(() => this.onTick(), tick);
    this.keepAliveTimer.unref();
  }

  get bound(): boolean {
    return this.isBound;
  }

  /** Connects and resolves after the first bind attempt, bound or not (reconnects continue either way). */
  start(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.firstAttempt = resolve;
      this.connect();
    });
  }

  /** Resolves when the route is bound (now or later), or after `timeoutMs` with false. */
  waitUntilBound(timeoutMs: number): Promise<boolean> {
    if (this.isBound) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.bindWaiters.delete(done);
        resolve(this.isBound);
      };
      const timer = setTimeout(done, timeoutMs);
      this.bindWaiters.add(done);
    });
  }

  /** Submits one SMS; resolves with the carrier's message id, rejects with a RouteError. */
  submit(sms: OutboundSms, encoded: EncodedBody): Promise<string> {
    if (!this.isBound) {
      return Promise.reject(new RouteError('unbound', 0, `Carrier ${this.name} is not bound`));
    }
    // Encoded once here; send() only stamps the sequence number into the header.
    const frame = encodeShortMessage(CMD_SUBMIT_SM, 0, {
      source: toSmppAddress(sms.from),
      destination: toSmppAddress(sms.to),
      esmClass: 0,
      registeredDelivery: 1,
      validityPeriod:
        sms.validityPeriodSec === undefined ? '' : relativeValidity(sms.validityPeriodSec) + '000R',
      body: encoded,
      messageSid: sms.messageSid,
      accountSid: sms.accountSid,
      mediaUrls: encodeMediaUrls(sms.mediaUrls) ?? null,
      receiptedMessageId: null,
      messageState: null,
    });
    return new Promise<string>((resolve, reject) => {
      const pending: PendingSubmit = {
        frame,
        deadline: Date.now() + this.options.submitTimeoutMs,
        target: { messageSid: sms.messageSid, accountSid: sms.accountSid },
        resolve,
        reject,
      };
      if (this.inflight.size < this.options.window) this.send(pending);
      else this.waiting.push(pending);
    });
  }

  /** Unbinds politely, then drops the connection and every timer; pending submits fail as 'unbound'. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.keepAliveTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const session = this.session;
    if (session && this.isBound) {
      const answered = new Promise<void>((resolve) => session.once('unbind_resp', () => resolve()));
      if (session.send(new smpp.PDU('unbind', {}))) await withinMs(answered, 300);
    }
    this.failAll('unbound', `Carrier ${this.name} route closed`);
    if (session) await destroySession(session);
    this.session = null;
    this.isBound = false;
    for (const waiter of [...this.bindWaiters]) waiter();
  }

  // ---- connection ------------------------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = null;
    if (this.closing) return;
    const session = smpp.connect({ host: this.options.host, port: this.options.port });
    installWireReader(session);
    this.session = session;
    session.on('connect', () => {
      session.socket.setNoDelay(true);
      session.send(
        new smpp.PDU('bind_transceiver', {
          system_id: this.options.systemId,
          password: this.options.password,
          interface_version: 0x34,
        }),
      );
    });
    session.on('pdu', (pdu: PDU) => this.onPdu(session, pdu));
    session.on('error', (error: Error) => {
      this.lastError = error;
    });
    session.on('close', () => this.onClose(session));
  }

  private onBound(session: Session, pdu: PDU): void {
    if (pdu.command_status !== STATUS.OK) {
      // Logged once per distinct refusal: the route keeps retrying and would flood the log.
      const repeated = this.lastBindStatus === pdu.command_status;
      this.lastBindStatus = pdu.command_status;
      if (!repeated)
        this.options.log?.warn(
          { carrier: this.name, status: pdu.command_status },
          `bind to carrier ${this.name} refused (status 0x${pdu.command_status.toString(16)})`,
        );
      this.endFirstAttempt();
      session.destroy();
      return;
    }
    this.lastBindStatus = 0;
    this.isBound = true;
    this.reconnectDelay = this.options.reconnectMinMs ?? 50;
    this.lastHeard = Date.now();
    this.enquirePending = false;
    this.endFirstAttempt();
    for (const waiter of [...this.bindWaiters]) waiter();
  }

  private endFirstAttempt(): void {
    const done = this.firstAttempt;
    this.firstAttempt = null;
    done?.();
  }

  private onClose(session: Session): void {
    if (this.session !== session) return;
    const wasBound = this.isBound;
    this.isBound = false;
    this.session = null;
    this.failAll('unbound', `Carrier ${this.name} bind lost`);
    this.endFirstAttempt();
    if (this.closing) return;
    if (wasBound)
      this.options.log?.warn({ carrier: this.name }, `bind to carrier ${this.name} lost; reconnecting`);
    const max = this.options.reconnectMaxMs ?? 2000;
    const delay = Math.min(max, this.reconnectDelay) * (0.8 + Math.random() * 0.4);
    this.reconnectDelay = Math.min(max, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onTick(): void {
    const now = Date.now();
    this.expire(now);
    const session = this.session;
    if (!session || !this.isBound) return;
    const keepAlive = this.options.enquireLinkMs ?? 15_000;
    if (now - this.lastHeard < keepAlive) return;
    if (this.enquirePending && now - this.lastHeard >= 2 * keepAlive) {
      // Nothing heard for two periods: the link is dead even if TCP has not noticed.
      session.destroy();
      return;
    }
    if (!this.enquirePending) {
      this.enquirePending = true;
      session.send(new smpp.PDU('enquire_link', {}));
    }
  }

  // ---- submits ---------------------------------------------------------------------------

  private send(pending: PendingSubmit): void {
    const session = this.session;
    if (this.sequence >= 0x7fffffff) this.sequence = 0;
    const sequence = ++this.sequence;
    setSequence(pending.frame, sequence);
    if (!session || !writeFrame(session, pending.frame)) {
      pending.reject(new RouteError('unbound', 0, `Carrier ${this.name} connection is not writable`));
      return;
    }
    this.inflight.set(sequence, pending);
  }

  private drain(): void {
    const window = this.options.window;
    while (this.inflight.size < window && this.waitingHead < this.waiting.length && this.isBound) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as PendingSubmit;
      this.send(next);
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private onSubmitResp(pdu: PDU): void {
    const pending = this.inflight.get(pdu.sequence_number);
    if (!pending) return;
    this.inflight.delete(pdu.sequence_number);
    const status = pdu.command_status;
    if (status === STATUS.OK) {
      const id = pdu.message_id ?? '';
      this.receiptTargets.set(id, pending.target);
      if (this.receiptTargets.size > MAX_AWAITED_RECEIPTS) {
        const oldest = this.receiptTargets.keys().next();
        if (!oldest.done) this.receiptTargets.delete(oldest.value);
      }
      pending.resolve(id);
    } else if (status === STATUS.THROTTLED || status === STATUS.QUEUE_FULL) {
      pending.reject(new RouteError('throttled', status, `Carrier ${this.name} throttled the submit`));
    } else {
      pending.reject(
        new RouteError(
          'rejected',
          status,
          `Carrier ${this.name} rejected the submit (status 0x${status.toString(16)})`,
        ),
      );
    }
    this.drain();
  }

  /** Fails submits past their deadline. Both queues are in deadline order (one timeout for all). */
  private expire(now: number): void {
    for (const [sequence, pending] of this.inflight) {
      if (pending.deadline > now) break;
      this.inflight.delete(sequence);
      pending.reject(new RouteError('timeout', 0, `Carrier ${this.name} did not answer the submit in time`));
    }
    while (this.waitingHead < this.waiting.length) {
      const pending = this.waiting[this.waitingHead]!;
      if (pending.deadline > now) break;
      this.waiting[this.waitingHead++] = undefined as unknown as PendingSubmit;
      pending.reject(
        new RouteError('timeout', 0, `Carrier ${this.name} window stayed full until the submit timed out`),
      );
    }
    this.drain();
  }

  private failAll(kind: RouteFailure, message: string): void {
    const inflight = [...this.inflight.values()];
    this.inflight.clear();
    const waiting = this.waiting.slice(this.waitingHead);
    this.waiting = [];
    this.waitingHead = 0;
    for (const pending of inflight) pending.reject(new RouteError(kind, 0, message));
    for (const pending of waiting) pending.reject(new RouteError(kind, 0, message));
  }

  // ---- PDUs from the carrier -------------------------------------------------------------

  private onPdu(session: Session, pdu: PDU): void {
    this.lastHeard = Date.now();
    this.enquirePending = false;
    switch (pdu.command) {
      case 'submit_sm_resp':
        this.onSubmitResp(pdu);
        return;
      case 'deliver_sm':
        this.onDeliver(session, pdu);
        return;
      case 'bind_transceiver_resp':
        this.onBound(session, pdu);
        return;
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'unbind':
        this.isBound = false;
        session.send(pdu.response(), () => session.destroy());
        return;
      case 'generic_nack': {
        const pending = this.inflight.get(pdu.sequence_number);
        if (pending) {
          this.inflight.delete(pdu.sequence_number);
          pending.reject(
            new RouteError('rejected', pdu.command_status, `Carrier ${this.name} answered generic_nack`),
          );
          this.drain();
        }
        return;
      }
      default:
        return;
    }
  }

  private onDeliver(session: Session, pdu: PDU): void {
    const sequence = pdu.sequence_number;
    if (((pdu.esm_class ?? 0) & ESM_CLASS_TYPE_MASK) === ESM_CLASS_DELIVERY_RECEIPT) {
      // Like inbound messages, a receipt is acked only once the platform has recorded it:
      // a refusal makes the carrier send it again rather than the platform forget it.
      this.onReceiptPdu(pdu).then(
        () => writeFrame(session, encodeResponse(CMD_DELIVER_SM_RESP, sequence, STATUS.OK, '')),
        (error: unknown) => {
          this.options.log?.warn({ carrier: this.name, error }, 'receipt not recorded; carrier will retry');
          session.send(
            new smpp.PDU('deliver_sm_resp', {
              sequence_number: sequence,
              command_status: STATUS.SYSTEM_ERROR,
            }),
          );
        },
      );
      return;
    }
    const sms: InboundSms = {
      from: fromSmppAddress(pdu.source_addr, pdu.source_addr_ton),
      to: fromSmppAddress(pdu.destination_addr, pdu.dest_addr_ton),
      body: bodyOf(pdu),
      mediaUrls: mediaUrlsOf(pdu),
      carrier: this.name,
      at: Date.now(),
    };
    // The ack waits for durability: a refusal makes the carrier retry instead of losing the message.
    this.options.onInbound(sms).then(
      () => {
        writeFrame(session, encodeResponse(CMD_DELIVER_SM_RESP, sequence, STATUS.OK, ''));
      },
      (error: unknown) => {
        this.options.log?.warn(
          { carrier: this.name, error },
          'inbound message not accepted; carrier will retry',
        );
        session.send(
          new smpp.PDU('deliver_sm_resp', { sequence_number: sequence, command_status: STATUS.SYSTEM_ERROR }),
        );
      },
    );
  }

  private async onReceiptPdu(pdu: PDU): Promise<void> {
    const parsed = parseReceipt(bodyOf(pdu));
    const id = pdu.receipted_message_id || parsed?.id;
    if (!id || !parsed) return;
    const outcome = receiptOutcome(parsed.stat, parsed.err);
    if (!outcome) return; // intermediate state (ENROUTE, ACCEPTD): a final receipt follows
    let target = this.receiptTargets.get(id);
    if (target) {
      this.receiptTargets.delete(id);
    } else {
      // Not in the map: submitted before the platform restarted (the carrier kept it in its
      // journal). The carrier echoes our SIDs on the receipt; without them it is not ours.
      const messageSid = stringTlv(pdu, TLV_MESSAGE_SID);
      const accountSid = stringTlv(pdu, TLV_ACCOUNT_SID);
      if (messageSid === null || accountSid === null) return;
      target = { messageSid, accountSid };
    }
    await this.options.onReceipt({ target, status: outcome.status, errorCode: outcome.errorCode });
  }
}
