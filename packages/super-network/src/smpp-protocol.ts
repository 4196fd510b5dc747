/**
 * The SMPP 3.4 details both sides of a bind share: the library handle with this project's
 * vendor TLVs registered, status and esm_class constants, address and body conversion.
 */
import smpp from 'smpp';
import type { DecodedMessage, PDU, Session } from 'smpp';
import { decodeBytes } from './sms-codec.js';

/**
 * Vendor-specific TLVs (SMPP reserves 0x1400-0x3FFF for them):
 * - 0x1401 twilio_lab_message_sid (C-string): the platform's message SID, on submit_sm so the
 *   handset shows which message it received, and echoed on the receipt deliver_sm.
 * - 0x1402 twilio_lab_media_urls (octets, URLs joined by '\n'): media both ways, as plain SMPP
 *   has no MMS.
 * - 0x1403 twilio_lab_account_sid (C-string): the owning account, on submit_sm and echoed on the
 *   receipt. With the message SID it lets a platform that restarted (and lost its in-memory
 *   carrier-id map) still attribute a receipt the carrier kept in its journal.
 */
export const TLV_MESSAGE_SID = 'twilio_lab_message_sid';
export const TLV_MEDIA_URLS = 'twilio_lab_media_urls';
export const TLV_ACCOUNT_SID = 'twilio_lab_account_sid';
smpp.addTLV(TLV_MESSAGE_SID, { id: 0x1401, type: smpp.types.tlv.cstring });
smpp.addTLV(TLV_MEDIA_URLS, { id: 0x1402, type: smpp.types.tlv.buffer });
smpp.addTLV(TLV_ACCOUNT_SID, { id: 0x1403, type: smpp.types.tlv.cstring });

/**
 * The library's GSM 03.38 decoder rebuilds a key list of its tables and compiles a regex on
 * every call (about 6 % of a submit→receipt round trip); this table-driven one yields the same
 * text. Only this package loads `smpp` in the process, so replacing it globally is contained.
 */
smpp.encodings.ASCII.decode = (bytes: Buffer): string => decodeBytes(bytes, 0);

export { smpp };

export const STATUS = {
  OK: smpp.ESME_ROK,
  INVALID_BIND_STATUS: smpp.ESME_RINVBNDSTS,
  SYSTEM_ERROR: smpp.ESME_RSYSERR,
  BIND_FAILED: smpp.ESME_RBINDFAIL,
  THROTTLED: smpp.ESME_RTHROTTLED,
  QUEUE_FULL: smpp.ESME_RMSGQFUL,
  SUBMIT_FAILED: smpp.ESME_RSUBMITFAIL,
} as const;

/** esm_class message-type bits (mask 0x3C); 0x04 marks an SMSC delivery receipt. */
export const ESM_CLASS_TYPE_MASK = 0x3c;
export const ESM_CLASS_DELIVERY_RECEIPT = 0x04;

const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;
const NPI_ISDN = 1;
const NPI_UNKNOWN = 0;

/** SMPP carries international numbers without '+' (TON 1); sender IDs like 'Acme' are alphanumeric. */
export function toSmppAddress(address: string): { addr: string; ton: number; npi: number } {
  if (address.charCodeAt(0) === 0x2b /* + */)
    return { addr: address.slice(1), ton: TON_INTERNATIONAL, npi: NPI_ISDN };
  return { addr: address, ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN };
}

export function fromSmppAddress(addr: string | undefined, ton: unknown): string {
  const value = addr ?? '';
  return ton === TON_INTERNATIONAL ? '+' + value : value;
}

function textOf(field: DecodedMessage | Buffer | undefined, dataCoding: number): string | null {
  if (field === undefined || field === null) return null;
  if (Buffer.isBuffer(field)) return decodeBytes(field, dataCoding);
  const message = field.message;
  return typeof message === 'string' ? message : decodeBytes(message, dataCoding);
}

/** The body of a submit_sm / deliver_sm: message_payload when present, else short_message. */
export function bodyOf(pdu: PDU): string {
  const dataCoding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  const payload = textOf(pdu.message_payload, dataCoding);
  if (payload !== null && payload.length > 0) return payload;
  return textOf(pdu.short_message, dataCoding) ?? '';
}

/** A C-string TLV's value, or null when absent or empty. */
export function stringTlv(pdu: PDU, tag: string): string | null {
  const value = pdu[tag];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function mediaUrlsOf(pdu: PDU): string[] {
  const raw = pdu[TLV_MEDIA_URLS];
  if (!Buffer.isBuffer(raw) || raw.length === 0) return [];
  return raw.toString('utf8').split('\n');
}

export function encodeMediaUrls(urls: readonly string[]): Buffer | undefined {
  return urls.length === 0 ? undefined : Buffer.from(urls.join('\n'), 'utf8');
}

/** Relative validity period YYMMDDhhmmss (SMPP 3.4 §7.1.1); the library appends "000R". */
export function relativeValidity(seconds: number): string {
  let rest = Math.max(1, Math.floor(seconds));
  const days = Math.min(99, Math.floor(rest / 86_400));
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const secs = rest - minutes * 60;
  return '0000' + two(days) + two(hours) + two(minutes) + two(secs);
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Destroys the session's socket and resolves once it is closed (at once if it already is). */
export function destroySession(session: Session): Promise<void> {
  if (session.socket.closed) return Promise.resolve();
  return new Promise<void>((resolve) => session.destroy(() => resolve()));
}
