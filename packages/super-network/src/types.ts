/**
 * The regional super-network as a cell sees it: submit an SMS towards a carrier, receive
 * delivery receipts and inbound messages. Behind it sit SMPP 3.4 binds to carrier simulators
 * (real TCP on loopback), least-cost routing and failover. Simulated handsets live at the
 * carriers: every delivered message lands in the recipient's inbox, and a handset can send.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface OutboundSms {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  mediaUrls: readonly string[];
  /** Seconds the carrier may keep trying; undefined = carrier default. */
  validityPeriodSec?: number;
}

export interface SubmitResult {
  carrier: string;
  /** The carrier's message id from submit_sm_resp. */
  carrierMessageId: string;
  /** Carriers tried before this one succeeded (failover), in order. */
  failedOver: readonly string[];
}

/** A submit that no carrier accepted. `code` is the Twilio error code the message fails with. */
export class SubmitError extends Error {
  constructor(
    message: string,
    readonly code: number,
    /** The sender should retry later (throttling, every route down) rather than fail the message. */
    readonly retryable: boolean,
    /** Milliseconds the sender should wait before the retry (ESME_RTHROTTLED back-off). */
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'SubmitError';
  }
}

export type ReceiptStatus = 'delivered' | 'undelivered' | 'failed';

export interface DeliveryReceipt {
  messageSid: string;
  accountSid: string;
  carrier: string;
  status: ReceiptStatus;
  /** Twilio error code for undelivered/failed (e.g. 30003 unreachable, 30005 unknown destination), else null. */
  errorCode: number | null;
  at: number;
}

export interface InboundSms {
  from: string;
  to: string;
  body: string;
  mediaUrls: readonly string[];
  carrier: string;
  at: number;
}

export interface HandsetMessage {
  /** 'in' = received by this handset, 'out' = sent from it. */
  direction: 'in' | 'out';
  from: string;
  to: string;
  body: string;
  mediaUrls: readonly string[];
  carrier: string;
  /** For received messages: the message SID the platform sent it as. */
  messageSid: string | null;
  at: number;
}

/** Asynchronous throughout: the handsets may live on another thread (startSuperNetworkThread). */
export interface HandsetService {
  /** Messages this handset received and sent, oldest first; `since` (epoch ms) filters. */
  inbox(e164: string, options?: { since?: number; limit?: number }): Promise<HandsetMessage[]>;
  /** The handset sends an SMS (an inbound message for the platform). Resolves when the carrier has passed it on. */
  send(input: {
    from: string;
    to: string;
    body: string;
    mediaUrls?: readonly string[];
  }): Promise<HandsetMessage>;
  /** Resolves with the first message received by `e164` after `since` matching `predicate`, or rejects after `timeoutMs`. */
  waitFor(
    e164: string,
    options: { since?: number; timeoutMs: number; predicate?: (m: HandsetMessage) => boolean },
  ): Promise<HandsetMessage>;
  /** Empties one handset's inbox, or every inbox. */
  clear(e164?: string): Promise<void>;
}

export interface CarrierStatus {
  name: string;
  region: string;
  prefixes: readonly string[];
  bound: boolean;
  submitted: number;
  delivered: number;
  failed: number;
  throttled: number;
}

export interface SuperNetwork {
  /** Resolves on submit_sm_resp OK from some carrier ('sent'); rejects with SubmitError otherwise. */
  submit(sms: OutboundSms): Promise<SubmitResult>;
  /**
   * Delivery receipts. The handler resolves once the receipt's effect is durable: only then
   * does the carrier get its deliver_sm_resp (a rejection makes the carrier send it again), so
   * a crash between the two never loses a receipt.
   */
  onReceipt(handler: (receipt: DeliveryReceipt) => void | Promise<void>): void;
  /** Inbound messages for numbers of the platform; the handler resolves once the message is durable. */
  onInbound(handler: (sms: InboundSms) => Promise<void>): void;
  readonly handsets: HandsetService;
  carriers(): CarrierStatus[];
  close(): Promise<void>;
}
