/**
 * Message bodies on the SMPP wire. A body made only of GSM 03.38 characters travels as
 * data_coding 0 (one unpacked septet per octet, extension characters as ESC + code); anything
 * else as data_coding 8, UTF-16BE (UCS-2 plus surrogate pairs, so emoji survive byte for byte).
 * Bodies that do not fit the 254-octet short_message go in the message_payload TLV.
 */

export const DATA_CODING_GSM = 0;
export const DATA_CODING_UCS2 = 8;
/** SMPP 3.4 short_message holds at most 254 octets; longer bodies use message_payload. */
export const SHORT_MESSAGE_MAX_OCTETS = 254;

const ESC = 0x1b;

/** The GSM 03.38 default alphabet, indexed by septet value (0x1b is the escape, never a character). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: character → septet that follows ESC. */
const GSM_EXTENSION: readonly (readonly [string, number])[] = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

/**
 * UTF-16 code unit → encoding: -1 not GSM, 0..127 a basic septet, 0x100 | septet an extension
 * character. One lookup per character on the hot path instead of a regex per message.
 */
const GSM_TABLE: Int16Array = (() => {
  const table = new Int16Array(0x10000).fill(-1);
  for (let septet = 0; septet < GSM_BASIC.length; septet++) {
    if (septet === ESC) continue;
    table[GSM_BASIC.charCodeAt(septet)] = septet;
  }
  for (const [char, septet] of GSM_EXTENSION) table[char.charCodeAt(0)] = 0x100 | septet;
  return table;
})();

/** Septet → character for decoding; index 0x80 + septet holds the extension character. */
const GSM_DECODE: readonly string[] = (() => {
  const out: string[] = new Array<string>(0x100).fill(' ');
  for (let septet = 0; septet < GSM_BASIC.length; septet++) out[septet] = GSM_BASIC[septet]!;
  for (const [char, septet] of GSM_EXTENSION) out[0x80 + septet] = char;
  return out;
})();

export interface EncodedBody {
  dataCoding: typeof DATA_CODING_GSM | typeof DATA_CODING_UCS2;
  bytes: Buffer;
}

/** Octets needed for `body` in GSM unpacked form, or -1 when a character is outside GSM 03.38. */
function gsmLength(body: string): number {
  let length = 0;
  for (let i = 0; i < body.length; i++) {
    const code = GSM_TABLE[body.charCodeAt(i)]!;
    if (code < 0) return -1;
    length += code > 0xff ? 2 : 1;
  }
  return length;
}

export function isGsm7(body: string): boolean {
  return gsmLength(body) >= 0;
}

export function encodeBody(body: string): EncodedBody {
  const length = gsmLength(body);
  if (length < 0) {
    const bytes = Buffer.from(body, 'utf16le');
    bytes.swap16();
    return { dataCoding: DATA_CODING_UCS2, bytes };
  }
  const bytes = Buffer.allocUnsafe(length);
  let offset = 0;
  for (let i = 0; i < body.length; i++) {
    const code = GSM_TABLE[body.charCodeAt(i)]!;
    if (code > 0xff) {
      bytes[offset++] = ESC;
      bytes[offset++] = code & 0x7f;
    } else {
      bytes[offset++] = code;
    }
  }
  return { dataCoding: DATA_CODING_GSM, bytes };
}

/** Decodes raw octets; the smpp library usually decodes for us, this covers Buffers it left raw. */
export function decodeBytes(bytes: Buffer, dataCoding: number): string {
  if ((dataCoding & 0x0f) === DATA_CODING_UCS2) {
    const copy = Buffer.from(bytes);
    if (copy.length % 2 === 1)
      return copy
        .subarray(0, copy.length - 1)
        .swap16()
        .toString('utf16le');
    return copy.swap16().toString('utf16le');
  }
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const septet = bytes[i]! & 0x7f;
    if (septet === ESC && i + 1 < bytes.length) {
      out += GSM_DECODE[0x80 + (bytes[++i]! & 0x7f)]!;
    } else {
      out += GSM_DECODE[septet]!;
    }
  }
  return out;
}

/** PDU fields carrying `body`: short_message when it fits, else an empty short_message + message_payload. */
export function bodyFields(encoded: EncodedBody): {
  data_coding: number;
  short_message: Buffer;
  message_payload?: Buffer;
} {
  if (encoded.bytes.length <= SHORT_MESSAGE_MAX_OCTETS) {
    return { data_coding: encoded.dataCoding, short_message: encoded.bytes };
  }
  return { data_coding: encoded.dataCoding, short_message: EMPTY, message_payload: encoded.bytes };
}

const EMPTY = Buffer.alloc(0);
