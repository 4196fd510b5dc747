/**
 * What crosses the thread boundary between a super-network running in a worker and its proxy
 * on the calling thread. Everything here is plain data (structured clone): errors travel as
 * their fields and are rebuilt as the same classes on the other side. Each postMessage carries
 * a batch (an array) of these: one per event-loop turn and direction, never one per message.
 */
import { SuperNetworkError } from './errors.js';
import type { SuperNetworkErrorCode } from './errors.js';
import type { CarrierAddress, SuperNetworkOptions } from './super-network.js';
import { SubmitError } from './types.js';
import type { DeliveryReceipt, HandsetMessage, InboundSms, OutboundSms } from './types.js';

/** The options as they reach the worker: the logger cannot cross, only whether there is one. */
export interface WorkerConfig {
  options: Omit<SuperNetworkOptions, 'log'>;
  forwardLog: boolean;
  /** Milliseconds between unsolicited counter snapshots (bind state changes without traffic). */
  statusIntervalMs: number;
}

export interface PlainError {
  name: string;
  message: string;
  code?: number | string;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** Per carrier, in the order of the ready message: bound (0/1), submitted, delivered, failed, throttled. */
export type CounterSnapshot = number[];
export const COUNTER_FIELDS = 5;

export interface CarrierInfo {
  name: string;
  region: string;
  prefixes: string[];
}

/** Calling thread → worker. */
export type ToWorker =
  | { t: 'submit'; id: number; sms: OutboundSms }
  /** Answer to a receipt or inbound event: the worker settles the promise its network waits on. */
  | { t: 'ack'; id: number; error: PlainError | null }
  | { t: 'subscribe'; what: 'receipts' | 'inbound' }
  | { t: 'inbox'; id: number; e164: string; since?: number; limit?: number }
  | { t: 'clear'; id: number; e164?: string }
  | {
      t: 'send';
      id: number;
      input: { from: string; to: string; body: string; mediaUrls?: readonly string[] };
    }
  /** Stream every message `e164` receives from `since` on (existing ones first) until 'unwatch'. */
  | { t: 'watch'; id: number; e164: string; since: number }
  | { t: 'unwatch'; id: number }
  | { t: 'close'; id: number };

/** Worker → calling thread. */
export type FromWorker =
  | { t: 'ready'; region: string; addresses: CarrierAddress[]; carriers: CarrierInfo[] }
  | { t: 'start-failed'; error: PlainError }
  | { t: 'ok'; id: number; value: unknown }
  | { t: 'err'; id: number; error: PlainError }
  | { t: 'receipt'; id: number; receipt: DeliveryReceipt }
  | { t: 'inbound'; id: number; sms: InboundSms }
  | { t: 'watched'; id: number; message: HandsetMessage }
  | { t: 'status'; counters: CounterSnapshot }
  | { t: 'log'; level: 'info' | 'warn'; obj: object; msg: string | undefined };

export function toPlainError(error: unknown): PlainError {
  if (error instanceof SubmitError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The same class as on the side that threw, so `instanceof` and the fields keep working. */
export function fromPlainError(plain: PlainError): Error {
  if (plain.name === 'SubmitError' && typeof plain.code === 'number') {
    return new SubmitError(plain.message, plain.code, plain.retryable ?? false, plain.retryAfterMs ?? 0);
  }
  if (plain.name === 'SuperNetworkError' && typeof plain.code === 'string') {
    return new SuperNetworkError(plain.code as SuperNetworkErrorCode, plain.message);
  }
  const error = new Error(plain.message);
  error.name = plain.name;
  if (plain.code !== undefined) (error as Error & { code?: number | string }).code = plain.code;
  return error;
}

/** Log fields made cloneable: errors become their name/message/code, anything exotic a string. */
export function toPlainLogFields(obj: object): object {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value instanceof Error) plain[key] = toPlainError(value);
    else if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value))
      plain[key] = value;
    else {
      try {
        plain[key] = structuredClone(value);
      } catch {
        plain[key] = String(value);
      }
    }
  }
  return plain;
}

/**
 * Collects messages for the other side and posts them as one array at the end of the current
 * event-loop turn (setImmediate runs after the turn's I/O callbacks and microtasks), so a
 * storm of submits, replies, receipts or acks costs one postMessage per turn, not one each.
 */
export class TurnBatcher<T> {
  private batch: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (batch: T[]) => void) {}

  push(message: T): void {
    this.batch.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.post(batch);
  };
}
