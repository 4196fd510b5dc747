/**
 * A lean SMPP 3.4 codec for the four PDUs every message crosses (submit_sm, submit_sm_resp,
 * deliver_sm, deliver_sm_resp) plus the frame reader both ends of a bind use. The `smpp`
 * library builds each PDU through per-field filters, `for…in` walks and a Buffer per string;
 * that was over half the super-network's CPU per message. The library keeps everything else
 * (binds, enquire_link, unbind, generic_nack) and anything unusual on the hot PDUs (UDH,
 * absolute times, other TLVs, other data codings): the reader hands those frames to it.
 *
 * The bytes are plain SMPP 3.4 (§4.4, §4.6, §5.3): smpp-wire.test.ts checks that the library
 * parses what this encodes and that this decodes what the library encodes.
 */
import type { Socket } from 'node:net';
import type { PDU, Session } from 'smpp';
import { smpp } from './smpp-protocol.js';
import type { EncodedBody } from './sms-codec.js';
import { SHORT_MESSAGE_MAX_OCTETS } from './sms-codec.js';

export const CMD_SUBMIT_SM = 0x00000004;
export const CMD_SUBMIT_SM_RESP = 0x80000004;
export const CMD_DELIVER_SM = 0x00000005;
export const CMD_DELIVER_SM_RESP = 0x80000005;

const HEADER_OCTETS = 16;
/** The library's limit, kept so both readers refuse the same frames. */
const MAX_PDU_OCTETS = 16384;

const TLV_RECEIPTED_MESSAGE_ID = 0x001e;
const TLV_MESSAGE_PAYLOAD = 0x0424;
const TLV_MESSAGE_STATE = 0x0427;
const TLV_MESSAGE_SID = 0x1401;
const TLV_MEDIA_URLS = 0x1402;
const TLV_ACCOUNT_SID = 0x1403;

const ESM_CLASS_UDHI = 0x40;

export interface WireAddress {
  addr: string;
  ton: number;
  npi: number;
}

/** What submit_sm and deliver_sm carry here (they share one body layout, SMPP 3.4 §4.4.1/§4.6.1). */
export interface ShortMessage {
  source: WireAddress;
  destination: WireAddress;
  esmClass: number;
  registeredDelivery: number;
  /** Already in SMPP time format (16 characters), or '' for the carrier's default. */
  validityPeriod: string;
  body: EncodedBody;
  messageSid: string | null;
  accountSid: string | null;
  /** twilio_lab_media_urls value (URLs joined by '\n'), or null for none. */
  mediaUrls: Buffer | null;
  /** Receipts only: receipted_message_id and message_state TLVs. */
  receiptedMessageId: string | null;
  messageState: number | null;
}

function cstringOctets(value: string | null): number {
  return value === null ? 0 : 4 + value.length + 1;
}

/** Encodes a submit_sm or deliver_sm; the sequence number can be set later with setSequence(). */
export function encodeShortMessage(commandId: number, sequence: number, m: ShortMessage): Buffer {
  const bytes = m.body.bytes;
  const inPayload = bytes.length > SHORT_MESSAGE_MAX_OCTETS;
  const length =
    HEADER_OCTETS +
    1 /* service_type '' */ +
    3 +
    m.source.addr.length +
    3 +
    m.destination.addr.length +
    3 /* esm_class, protocol_id, priority_flag */ +
    1 /* schedule_delivery_time '' */ +
    (m.validityPeriod.length + 1) +
    5 /* registered_delivery, replace_if_present, data_coding, sm_default_msg_id, sm_length */ +
    (inPayload ? 4 + bytes.length : bytes.length) +
    cstringOctets(m.receiptedMessageId) +
    (m.messageState === null ? 0 : 5) +
    cstringOctets(m.messageSid) +
    cstringOctets(m.accountSid) +
    (m.mediaUrls === null ? 0 : 4 + m.mediaUrls.length);
  const buf = Buffer.allocUnsafe(length);
  buf.writeUInt32BE(length, 0);
  buf.writeUInt32BE(commandId, 4);
  buf.writeUInt32BE(0, 8);
  buf.writeUInt32BE(sequence, 12);
  let o = HEADER_OCTETS;
  buf[o++] = 0;
  buf[o++] = m.source.ton;
  buf[o++] = m.source.npi;
  o = writeCString(buf, o, m.source.addr);
  buf[o++] = m.destination.ton;
  buf[o++] = m.destination.npi;
  o = writeCString(buf, o, m.destination.addr);
  buf[o++] = m.esmClass;
  buf[o++] = 0;
  buf[o++] = 0;
  buf[o++] = 0;
  o = writeCString(buf, o, m.validityPeriod);
  buf[o++] = m.registeredDelivery;
  buf[o++] = 0;
  buf[o++] = m.body.dataCoding;
  buf[o++] = 0;
  if (inPayload) {
    buf[o++] = 0;
    o = writeTlvHeader(buf, o, TLV_MESSAGE_PAYLOAD, bytes.length);
  } else {
    buf[o++] = bytes.length;
  }
  o += bytes.copy(buf, o);
  if (m.receiptedMessageId !== null)
    o = writeCStringTlv(buf, o, TLV_RECEIPTED_MESSAGE_ID, m.receiptedMessageId);
  if (m.messageState !== null) {
    o = writeTlvHeader(buf, o, TLV_MESSAGE_STATE, 1);
    buf[o++] = m.messageState;
  }
  if (m.messageSid !== null) o = writeCStringTlv(buf, o, TLV_MESSAGE_SID, m.messageSid);
  if (m.accountSid !== null) o = writeCStringTlv(buf, o, TLV_ACCOUNT_SID, m.accountSid);
  if (m.mediaUrls !== null) {
    o = writeTlvHeader(buf, o, TLV_MEDIA_URLS, m.mediaUrls.length);
    m.mediaUrls.copy(buf, o);
  }
  return buf;
}

/** submit_sm_resp / deliver_sm_resp. An error response has no body, as SMPP 3.4 §4.4.2 allows. */
export function encodeResponse(
  commandId: number,
  sequence: number,
  status: number,
  messageId: string,
): Buffer {
  const length = status === 0 ? HEADER_OCTETS + messageId.length + 1 : HEADER_OCTETS;
  const buf = Buffer.allocUnsafe(length);
  buf.writeUInt32BE(length, 0);
  buf.writeUInt32BE(commandId, 4);
  buf.writeUInt32BE(status, 8);
  buf.writeUInt32BE(sequence, 12);
  if (status === 0) writeCString(buf, HEADER_OCTETS, messageId);
  return buf;
}

export function setSequence(frame: Buffer, sequence: number): void {
  frame.writeUInt32BE(sequence, 12);
}

function writeCString(buf: Buffer, offset: number, value: string): number {
  // latin1 is what the library's 'ascii' write does: one octet per character.
  const end = offset + buf.write(value, offset, 'latin1');
  buf[end] = 0;
  return end + 1;
}

function writeTlvHeader(buf: Buffer, offset: number, tag: number, length: number): number {
  buf.writeUInt16BE(tag, offset);
  buf.writeUInt16BE(length, offset + 2);
  return offset + 4;
}

function writeCStringTlv(buf: Buffer, offset: number, tag: number, value: string): number {
  return writeCString(buf, writeTlvHeader(buf, offset, tag, value.length + 1), value);
}

// ---- decoding ----------------------------------------------------------------------------

/** Where a C-string at `offset` ends (its NUL), or -1 when it runs past `end`. */
function cstringEnd(frame: Buffer, offset: number, end: number): number {
  const nul = frame.indexOf(0, offset);
  return nul < 0 || nul >= end ? -1 : nul;
}

/**
 * Decodes a hot PDU into a PDU object with the properties the library would give it, or
 * returns null when the frame needs the library (it then parses the frame itself).
 * short_message / message_payload stay raw Buffers (bodyOf() decodes them by data_coding).
 */
export function decodeHot(frame: Buffer): PDU | null {
  const length = frame.readUInt32BE(0);
  const commandId = frame.readUInt32BE(4);
  switch (commandId) {
    case CMD_SUBMIT_SM:
      return decodeShortMessage(frame, length, 'submit_sm', commandId);
    case CMD_DELIVER_SM:
      return decodeShortMessage(frame, length, 'deliver_sm', commandId);
    case CMD_SUBMIT_SM_RESP:
      return decodeResponse(frame, length, 'submit_sm_resp', commandId);
    case CMD_DELIVER_SM_RESP:
      return decodeResponse(frame, length, 'deliver_sm_resp', commandId);
    default:
      return null;
  }
}

function newPdu(command: string, commandId: number, frame: Buffer, length: number): PDU {
  // A real PDU instance (isResponse(), response() work) without the library's field walk.
  const pdu = Object.create(smpp.PDU.prototype) as PDU;
  pdu.command = command;
  pdu.command_length = length;
  pdu.command_id = commandId;
  pdu.command_status = frame.readUInt32BE(8);
  pdu.sequence_number = frame.readUInt32BE(12);
  return pdu;
}

function decodeResponse(frame: Buffer, length: number, command: string, commandId: number): PDU | null {
  const pdu = newPdu(command, commandId, frame, length);
  if (length > HEADER_OCTETS) {
    const nul = cstringEnd(frame, HEADER_OCTETS, length);
    if (nul < 0 || nul + 1 !== length) return null;
    pdu.message_id = frame.toString('ascii', HEADER_OCTETS, nul);
  }
  return pdu;
}

function decodeShortMessage(frame: Buffer, length: number, command: string, commandId: number): PDU | null {
  let o = HEADER_OCTETS;
  let nul = cstringEnd(frame, o, length);
  if (nul < 0) return null;
  const serviceType = frame.toString('ascii', o, nul);
  o = nul + 1;
  if (o + 2 >= length) return null;
  const sourceTon = frame[o++]!;
  const sourceNpi = frame[o++]!;
  nul = cstringEnd(frame, o, length);
  if (nul < 0) return null;
  const sourceAddr = frame.toString('ascii', o, nul);
  o = nul + 1;
  if (o + 2 >= length) return null;
  const destTon = frame[o++]!;
  const destNpi = frame[o++]!;
  nul = cstringEnd(frame, o, length);
  if (nul < 0) return null;
  const destinationAddr = frame.toString('ascii', o, nul);
  o = nul + 1;
  if (o + 4 > length) return null;
  const esmClass = frame[o++]!;
  const protocolId = frame[o++]!;
  const priority = frame[o++]!;
  // Scheduled delivery needs the library's time parsing; nobody here sends it.
  if (esmClass & ESM_CLASS_UDHI || frame[o++] !== 0) return null;
  nul = cstringEnd(frame, o, length);
  if (nul < 0) return null;
  const validity = decodeRelativeTime(frame, o, nul);
  if (validity === null) return null;
  o = nul + 1;
  if (o + 5 > length) return null;
  const registeredDelivery = frame[o++]!;
  const replaceIfPresent = frame[o++]!;
  const dataCoding = frame[o++]!;
  const smDefaultMsgId = frame[o++]!;
  // GSM default and UCS-2 are decoded by bodyOf(); any other coding takes the library's path.
  if ((dataCoding & 0x0f) !== 0 && (dataCoding & 0x0f) !== 8) return null;
  const smLength = frame[o++]!;
  if (o + smLength > length) return null;
  const pdu = newPdu(command, commandId, frame, length);
  pdu.service_type = serviceType;
  pdu.source_addr_ton = sourceTon;
  pdu.source_addr_npi = sourceNpi;
  pdu.source_addr = sourceAddr;
  pdu.dest_addr_ton = destTon;
  pdu.dest_addr_npi = destNpi;
  pdu.destination_addr = destinationAddr;
  pdu.esm_class = esmClass;
  pdu.protocol_id = protocolId;
  pdu.priority_flag = priority;
  pdu.schedule_delivery_time = '';
  pdu.validity_period = validity;
  pdu.registered_delivery = registeredDelivery;
  pdu.replace_if_present_flag = replaceIfPresent;
  pdu.data_coding = dataCoding;
  pdu.sm_default_msg_id = smDefaultMsgId;
  pdu.short_message = frame.subarray(o, o + smLength);
  o += smLength;
  while (o + 4 <= length) {
    const tag = frame.readUInt16BE(o);
    const tlvLength = frame.readUInt16BE(o + 2);
    o += 4;
    const end = o + tlvLength;
    if (end > length) return null;
    switch (tag) {
      case TLV_MESSAGE_PAYLOAD:
        pdu.message_payload = frame.subarray(o, end);
        break;
      case TLV_MEDIA_URLS:
        pdu.twilio_lab_media_urls = frame.subarray(o, end);
        break;
      case TLV_MESSAGE_STATE:
        if (tlvLength !== 1) return null;
        pdu.message_state = frame[o]!;
        break;
      case TLV_RECEIPTED_MESSAGE_ID:
        pdu.receipted_message_id = tlvString(frame, o, end);
        break;
      case TLV_MESSAGE_SID:
        pdu.twilio_lab_message_sid = tlvString(frame, o, end);
        break;
      case TLV_ACCOUNT_SID:
        pdu.twilio_lab_account_sid = tlvString(frame, o, end);
        break;
      default:
        return null;
    }
    o = end;
  }
  return pdu;
}

/** A C-string TLV value up to its NUL (or the TLV's end when the sender left the NUL out). */
function tlvString(frame: Buffer, start: number, end: number): string {
  const nul = frame.indexOf(0, start);
  return frame.toString('ascii', start, nul < 0 || nul > end ? end : nul);
}

const ZERO = 0x30;
const RELATIVE = 0x52; /* R */

/**
 * validity_period as the library gives it: '' when absent, a Date for the relative form
 * (YYMMDDhhmmss000R, added field by field to local time like the library), and null (use the
 * library) for the absolute form.
 */
function decodeRelativeTime(frame: Buffer, start: number, end: number): Date | '' | null {
  if (end === start) return '';
  if (end - start !== 16 || frame[end - 1] !== RELATIVE) return null;
  const field = (i: number): number => (frame[start + i]! - ZERO) * 10 + (frame[start + i + 1]! - ZERO);
  const at = new Date();
  at.setFullYear(at.getFullYear() + field(0));
  at.setMonth(at.getMonth() + field(2));
  at.setDate(at.getDate() + field(4));
  at.setHours(at.getHours() + field(6));
  at.setMinutes(at.getMinutes() + field(8));
  at.setSeconds(at.getSeconds() + field(10));
  return at;
}

// ---- the session's reader and writer ---------------------------------------------------

/** The library's Session internals this module takes over (smpp 0.5.x). */
interface SessionInternals {
  socket: Socket;
  paused: boolean;
  sequence: number;
  _busy: boolean;
  _callbacks: Record<number, ((pdu: PDU) => void) | undefined>;
  _extractPDUs: () => void;
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * Replaces the library's PDU reader on `session`: it takes everything the socket has in one
 * read() (the library does two reads and a concat per PDU), frames it, decodes the hot PDUs
 * itself and gives every other frame to the library's parser. Events are the library's:
 * 'pdu' for every PDU, plus '<command>' and response callbacks for the library-parsed ones
 * (no code here listens for the hot commands by name). pause()/resume() keep working.
 */
export function installWireReader(session: Session): void {
  const s = session as unknown as SessionInternals;
  const socket = s.socket;
  let pending: Buffer | null = null;
  let offset = 0;

  const nextFrame = (): Buffer | null => {
    for (;;) {
      const available = pending === null ? 0 : pending.length - offset;
      if (available >= 4) {
        const length = pending!.readUInt32BE(offset);
        if (length < HEADER_OCTETS || length > MAX_PDU_OCTETS) {
          throw new Error(`PDU length was invalid (${length}, maximum is ${MAX_PDU_OCTETS}).`);
        }
        if (available >= length) {
          const frame = pending!.subarray(offset, offset + length);
          offset += length;
          return frame;
        }
      }
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return null;
      if (available === 0) pending = chunk;
      else pending = Buffer.concat([pending!.subarray(offset), chunk]);
      offset = 0;
    }
  };

  const extract = (): void => {
    if (s._busy) return;
    s._busy = true;
    try {
      while (!s.paused) {
        let frame: Buffer | null;
        try {
          frame = nextFrame();
        } catch (error) {
          // The stream cannot be re-synchronised after a bad length: drop the connection.
          s.emit('error', error);
          socket.destroy();
          return;
        }
        if (frame === null) break;
        const hot = decodeHot(frame);
        if (hot !== null) {
          s.emit('pdu', hot);
          continue;
        }
        const pdu = new smpp.PDU(frame);
        s.emit('pdu', pdu);
        s.emit(pdu.command, pdu);
        const callback = pdu.isResponse() ? s._callbacks[pdu.sequence_number] : undefined;
        if (callback) {
          callback(pdu);
          delete s._callbacks[pdu.sequence_number];
        }
      }
    } finally {
      s._busy = false;
    }
  };

  socket.removeAllListeners('readable');
  socket.on('readable', extract);
  s._extractPDUs = extract;
}

/** Next request sequence number of the session, shared with the library's own requests. */
export function nextSequence(session: Session): number {
  const s = session as unknown as SessionInternals;
  if (s.sequence >= 0x7fffffff) s.sequence = 0;
  return ++s.sequence;
}

/**
 * Writes encoded PDU bytes, coalescing every write of the same tick into one socket write
 * (a write syscall per PDU dominated the profile at thousands of PDUs/s). False when the
 * socket is no longer writable.
 */
export function writeFrame(session: Session, frame: Buffer): boolean {
  const socket = session.socket;
  if (!socket.writable) return false;
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  socket.write(frame);
  return true;
}

function uncork(socket: Socket): void {
  socket.uncork();
}
