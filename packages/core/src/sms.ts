export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  segments: number;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
}

// GSM 03.38 default alphabet (1 septet) and the characters reached through the escape (2 septets).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

/** Septets per UTF-16 code unit, 0 = not in GSM-7. Indexed by char code; '€' (U+20AC) is the highest. */
const GSM_UNITS = buildGsmTable();

function buildGsmTable(): Uint8Array {
  const table = new Uint8Array(0x20ad);
  for (const ch of GSM_BASIC) table[ch.charCodeAt(0)] = 1;
  for (const ch of GSM_EXTENSION) table[ch.charCodeAt(0)] = 2;
  return table;
}

const GSM_SINGLE = 160;
const GSM_PART = 153; // 7 septets go to the concatenation header
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** UCS-2 segment count: 67 code units per part, never splitting a surrogate pair. */
function ucs2Segments(body: string): number {
  if (body.length <= UCS2_SINGLE) return 1;
  let segments = 1;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const width = isHighSurrogate(body.charCodeAt(i)) && i + 1 < body.length ? 2 : 1;
    if (used + width > UCS2_PART) {
      segments++;
      used = 0;
    }
    used += width;
    i += width - 1;
  }
  return segments;
}

/** How many SMS parts a body needs, and in which encoding. */
export function smsSegments(body: string): SmsSegments {
  let units = 0;
  // Parts are filled as we go assuming concatenation; only used when the total exceeds one SMS.
  let parts = 1;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const width = GSM_UNITS[body.charCodeAt(i)] ?? 0;
    if (width === 0) {
      return { encoding: 'UCS-2', segments: ucs2Segments(body), units: body.length };
    }
    units += width;
    // An escape pair that does not fit goes whole into the next part.
    if (used + width > GSM_PART) {
      parts++;
      used = 0;
    }
    used += width;
  }
  return { encoding: 'GSM-7', segments: units <= GSM_SINGLE ? 1 : parts, units };
}
