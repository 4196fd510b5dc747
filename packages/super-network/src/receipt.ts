/**
 * Delivery receipts: the de-facto SMSC text format (`id:… sub:… dlvrd:… submit date:… done
 * date:… stat:… err:… text:…`), and how a final state maps to a Twilio status and error code.
 */
import type { ReceiptStatus } from './types.js';

export type ReceiptStat =
  'DELIVRD' | 'UNDELIV' | 'REJECTD' | 'EXPIRED' | 'DELETED' | 'UNKNOWN' | 'ACCEPTD' | 'ENROUTE';

/** message_state TLV values (SMPP 3.4 §5.2.28) for each stat word. */
export const MESSAGE_STATE: Readonly<Record<ReceiptStat, number>> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

/**
 * DLR `err` values used by the simulators. They follow GSM MAP error numbers, which many
 * SMSCs pass through: 1 = unknown subscriber, 27 = absent subscriber.
 */
export const DLR_ERR = {
  NONE: '000',
  UNKNOWN_SUBSCRIBER: '001',
  ABSENT_SUBSCRIBER: '027',
  FILTERED: '069',
} as const;

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** YYMMDDhhmm in UTC. */
export function receiptDate(ms: number): string {
  const d = new Date(ms);
  return (
    two(d.getUTCFullYear() % 100) +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes())
  );
}

/** First 20 characters of the body, limited to letters, digits and spaces so the receipt stays plain GSM text. */
function receiptSnippet(body: string): string {
  let out = '';
  const end = Math.min(body.length, 20);
  for (let i = 0; i < end; i++) {
    const c = body.charCodeAt(i);
    const plain =
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x20;
    out += plain ? body[i] : '.';
  }
  return out;
}

export function formatReceipt(r: {
  id: string;
  stat: ReceiptStat;
  err: string;
  submittedAt: number;
  doneAt: number;
  body: string;
}): string {
  const delivered = r.stat === 'DELIVRD' ? '001' : '000';
  return (
    `id:${r.id} sub:001 dlvrd:${delivered} submit date:${receiptDate(r.submittedAt)} ` +
    `done date:${receiptDate(r.doneAt)} stat:${r.stat} err:${r.err} text:${receiptSnippet(r.body)}`
  );
}

export interface ParsedReceipt {
  id: string;
  stat: string;
  err: string;
}

/** Value of `key:` up to the next space; indexOf scanning, no regex on the receipt path. */
function field(text: string, key: string): string | null {
  let at = text.indexOf(key);
  // A key counts only at the start or after a space, so 'id:' cannot match inside another word.
  while (at > 0 && text.charCodeAt(at - 1) !== 0x20) at = text.indexOf(key, at + 1);
  if (at < 0) return null;
  const start = at + key.length;
  const end = text.indexOf(' ', start);
  return text.slice(start, end < 0 ? text.length : end);
}

export function parseReceipt(text: string): ParsedReceipt | null {
  const id = field(text, 'id:');
  const stat = field(text, 'stat:');
  if (id === null || stat === null) return null;
  return { id, stat: stat.toUpperCase(), err: field(text, 'err:') ?? DLR_ERR.NONE };
}

/** Final receipt → Twilio status and error code; null for intermediate states (ENROUTE, ACCEPTD). */
export function receiptOutcome(
  stat: string,
  err: string,
): { status: ReceiptStatus; errorCode: number | null } | null {
  switch (stat) {
    case 'DELIVRD':
      return { status: 'delivered', errorCode: null };
    case 'UNDELIV':
      return { status: 'undelivered', errorCode: Number(err) === 1 ? 30005 : 30003 };
    case 'EXPIRED':
      return { status: 'undelivered', errorCode: 30001 };
    case 'REJECTD':
      return { status: 'failed', errorCode: 30007 };
    case 'DELETED':
    case 'UNKNOWN':
      return { status: 'failed', errorCode: 30008 };
    default:
      return null;
  }
}
